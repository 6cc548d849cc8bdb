"""Benchmark, synthetic corpus and profiling helpers (issue #8)."""
