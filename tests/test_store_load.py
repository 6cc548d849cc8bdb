"""The store stage reads the graph files as N-Quads blocks (kg.build._ntriples_blocks, _as_nquads)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.build import STORE_LOADERS, STORE_ONE_LOADER_BYTES, _as_nquads, _ntriples_blocks, store_loaders, write_store


def test_blocks_name_the_graph_of_every_triple_and_keep_no_other_line(tmp_path: Path) -> None:
    graph = tmp_path / "g.nt"
    # a literal holding " ." and an escaped newline, a blank line, a comment, and a last line without its newline
    graph.write_bytes(b'<urn:a> <urn:b> "x . y\\n z" .\n\n<urn:a> <urn:b> "d" .\n# note\n<urn:a> <urn:b> <urn:e> .')
    for size in (7, 40, 1 << 20):  # blocks cut before, inside and after every line
        blocks = list(_ntriples_blocks(graph, size))
        assert sum(lines for _block, lines in blocks) == 3
        assert b"".join(_as_nquads(block, lines, b" <urn:g> .\n") for block, lines in blocks) == (
            b'<urn:a> <urn:b> "x . y\\n z" <urn:g> .\n<urn:a> <urn:b> "d" <urn:g> .\n'
            b"<urn:a> <urn:b> <urn:e> <urn:g> .\n")


@pytest.mark.parametrize("loaders", [1, 2, 4])
def test_parts_end_inside_graph_files_and_load_every_quad(tmp_path: Path, loaders: int) -> None:
    files = []
    for index in range(3):
        path = tmp_path / f"{index}.nt"
        path.write_text("".join(f'<urn:s{n}> <urn:p> "{index} {n}" .\n' for n in range(250)), encoding="utf-8")
        files.append((f"urn:graph:{index}", path))
    # blocks of 1,280 bytes (640 with two loaders): dozens of parts, cut inside files, loaded by threads at once
    write_store(tmp_path / "store", files, part_quads=10, loaders=loaders)
    store = ox.Store.read_only(str(tmp_path / "store"))
    assert len(store) == 750
    assert {str(quad.graph_name) for quad in store} == {"<urn:graph:0>", "<urn:graph:1>", "<urn:graph:2>"}
    assert ox.Literal("2 249") in {quad.object for quad in store.quads_for_pattern(None, None, None,
                                                                                   ox.NamedNode("urn:graph:2"))}


def test_a_failed_load_in_another_thread_is_raised(tmp_path: Path) -> None:
    good, bad = tmp_path / "good.nt", tmp_path / "bad.nt"
    good.write_text('<urn:s> <urn:p> "ok" .\n', encoding="utf-8")
    bad.write_text("<urn:s> <urn:p> <not an iri> .\n", encoding="utf-8")
    with pytest.raises(SyntaxError):  # the second graph is the second loader's: its error is not lost
        write_store(tmp_path / "store", [("urn:g:0", good), ("urn:g:1", bad)], loaders=2)


def test_a_small_store_is_one_load_and_a_large_one_is_loaded_by_several(tmp_path: Path) -> None:
    small, large = tmp_path / "small.nt", tmp_path / "large.nt"
    small.write_text('<urn:s> <urn:p> "ok" .\n', encoding="utf-8")
    with open(large, "wb") as handle:  # sparse: only its size is read
        handle.truncate(STORE_ONE_LOADER_BYTES // 2)
    assert store_loaders([("urn:g:0", small), ("urn:g:1", large)]) == 1
    assert store_loaders([("urn:g:0", small), ("urn:g:1", large), ("urn:g:2", large)]) == STORE_LOADERS == 2
