"""The partition merges N-Triples as UTF-8 bytes (kg.build.partition_shared, _merge_into): the order must be the
text's, and each triple must land in exactly one graph."""

from __future__ import annotations

import io
from pathlib import Path

from kg.build import _merge_into, partition_shared

LINES = ['<urn:a> <urn:p> "乙" .', '<urn:a> <urn:p> "z" .', '<urn:a> <urn:p> "é" .', '<urn:a> <urn:p> "甲" .',
         '<urn:a> <urn:p> "𠀀" .', "<urn:b> <urn:p> <urn:c> ."]


def test_bytes_merge_in_the_order_of_the_text_and_drop_blank_lines(tmp_path: Path) -> None:
    first, second = tmp_path / "1.nt", tmp_path / "2.nt"
    first.write_text("\n".join(sorted(LINES[::2])) + "\n\n", encoding="utf-8")
    second.write_text("\n" + "\n".join(sorted(LINES[1::2])) + "\n", encoding="utf-8")
    union = io.BytesIO()
    assert _merge_into([first, second], tmp_path / "out.nt", union) == 6
    expected = "".join(line + "\n" for line in sorted(LINES)).encode()  # str order: code points
    assert (tmp_path / "out.nt").read_bytes() == expected
    assert union.getvalue() == expected


def test_a_triple_two_documents_state_goes_to_the_shared_graph_once(tmp_path: Path) -> None:
    parts, owned = [tmp_path / "0.nt", tmp_path / "1.nt"], [tmp_path / "g0.nt", tmp_path / "g1.nt"]
    parts[0].write_text('<urn:code> <urn:label> "一般公共服务" .\n<urn:x> <urn:p> "only 0" .\n', encoding="utf-8")
    parts[1].write_text('<urn:code> <urn:label> "一般公共服务" .\n', encoding="utf-8")
    (tmp_path / "0.own.nt").write_text('<urn:d0#line=1,2> <urn:text> "第一行" .\n', encoding="utf-8")
    distinct = partition_shared(parts, owned, tmp_path / "shared.nt", tmp_path / "union.nt")
    assert distinct == 3
    assert owned[0].read_text(encoding="utf-8") == ('<urn:d0#line=1,2> <urn:text> "第一行" .\n'
                                                    '<urn:x> <urn:p> "only 0" .\n')
    assert owned[1].read_bytes() == b""
    assert (tmp_path / "shared.nt").read_text(encoding="utf-8") == '<urn:code> <urn:label> "一般公共服务" .\n'


def test_without_a_union_the_graphs_and_the_count_are_the_same(tmp_path: Path) -> None:
    """A build with no output format (the benchmark's) counts the union's triples without writing it."""
    counts = []
    for name, union in (("with", tmp_path / "union.nt"), ("without", None)):
        folder = tmp_path / name
        folder.mkdir()
        parts, owned = [folder / "0.nt", folder / "1.nt"], [folder / "g0.nt", folder / "g1.nt"]
        parts[0].write_text('<urn:code> <urn:label> "一般公共服务" .\n<urn:x> <urn:p> "only 0" .\n', encoding="utf-8")
        parts[1].write_text('<urn:code> <urn:label> "一般公共服务" .\n<urn:y> <urn:p> "only 1" .\n',
                            encoding="utf-8")
        counts.append(partition_shared(parts, owned, folder / "shared.nt", union))
        assert owned[1].read_text(encoding="utf-8") == '<urn:y> <urn:p> "only 1" .\n'
        assert (folder / "shared.nt").read_text(encoding="utf-8") == '<urn:code> <urn:label> "一般公共服务" .\n'
    assert counts == [3, 3]
    assert len((tmp_path / "union.nt").read_bytes().splitlines()) == 3


def test_a_build_without_formats_writes_no_union_but_the_same_graphs_and_triples(tmp_path: Path) -> None:
    from kg.build import build
    from tests.conftest import SAMPLES

    sample = SAMPLES / "zezhou-natural-resources-bureau-2025.txt"
    with_nt = build([sample], tmp_path / "nt", formats=("nt",), jobs=1, store=False, progress=False)
    bare = build([sample], tmp_path / "bare", formats=(), jobs=1, store=False, progress=False)
    assert not (tmp_path / "bare" / "graph.nt").exists()
    union_lines = (tmp_path / "nt" / "graph.nt").read_bytes().splitlines()
    assert bare.triples == with_nt.triples == len(union_lines) == len(set(union_lines))
    assert bare.counts == with_nt.counts
    graphs = {p.name: p.read_bytes() for p in (tmp_path / "nt" / "graphs").iterdir()}
    assert {p.name: p.read_bytes() for p in (tmp_path / "bare" / "graphs").iterdir()} == graphs
    # the union is the graphs' triples, each once
    assert sorted(union_lines) == sorted(line for text in graphs.values() for line in text.splitlines())
