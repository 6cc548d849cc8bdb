"""Every regular expression of the package runs in linear time on hostile input (kg.bench.regex_audit)."""

from __future__ import annotations

import re

import pytest

from kg.bench.regex_audit import FoundPattern, audit, audit_pattern, collect_patterns
from kg.entities.metadata import read_metadata
from kg.guard import time_limit
from kg.ingest import source_from_text
from kg.ingest.normalise import furniture_kind


def test_the_audit_finds_the_patterns_that_backtracked():
    # the two patterns of the issue, as they were: the audit must be able to fail
    rule = FoundPattern("old _RULE", r"^[\s\-—–_=─━|+*]*[\-—–_=─━]{3,}[\s\-—–_=─━|+*]*$", 0)
    header = FoundPattern("old _HEADER_NAME", r"^(?P<label>部门|单位)(?:名称)?\s*:\s*(?:\[(?P<code>\d{2,4})\])?\s*"
                          r"(?P<name>(?!万?元(?:\s|$))\S[^\t]+?)\s*(?:\t|$)", 0)
    trailing = FoundPattern("unbounded trailing repeat", r"(?:[、，,\s]|文件|等)+$", 0)
    for item in (rule, header, trailing):
        assert audit_pattern(item), item.where


def test_collects_source_runtime_and_data_file_patterns():
    patterns = {(p.pattern, p.flags & ~re.U) for p in collect_patterns()}
    assert len(patterns) > 150
    assert (r"[\s\-—–_=─━|+*]*", 0) in patterns  # kg/ingest/normalise.py, a source literal
    # built by the cached loader from kg/data/performance_labels.toml
    assert any(p.startswith(r"^\(?\s*\d{4}") for p, _ in patterns)


def test_every_pattern_is_linear():
    findings = audit()
    assert not findings, "\n".join(str(f) for f in findings)


@pytest.mark.parametrize("line", ["-" * 2_500 + "x", "部门名称:x" + " " * 200_000 + "\x00",
                                  "部门名称:" + " " * 200_000 + "x"])
def test_the_hostile_lines_of_the_issue_cost_milliseconds(line):
    with time_limit(10, "hostile.txt"):  # was 24 s and 334 s
        assert furniture_kind(line) is None
        source = source_from_text("2025年度部门预算公开\n" + line + "\n", "hostile.txt")
        meta = read_metadata(source)
    assert meta.fiscal_year == 2025


def test_header_name_still_read():
    source = source_from_text("部门名称:泽州县自然资源局   \t单位:万元\n部门: [036]阳泉市规划和自然资源局\n"
                              "部门名称:泽州县自然资源局\n", "x.txt")
    meta = read_metadata(source)
    assert meta.department == "泽州县自然资源局" and meta.org_code == "036"
    assert furniture_kind("----\t-----") == "rule-line" and furniture_kind("--") is None
    assert furniture_kind("== 一 ==") is None
