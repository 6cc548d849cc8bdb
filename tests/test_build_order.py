"""The graph does not depend on how the inputs are given (issue 16, "Never lose or corrupt data"): not on their
order, not on their names, not on their bytes (the same disclosure re-encoded is one disclosure), and one
malformed disclosure does not rename or re-kind a document that good disclosures cite too."""

from __future__ import annotations

import codecs
import shutil
from pathlib import Path

from rdflib import Graph, URIRef

from kg.build import build
from tests.conftest import SAMPLE_FILES, SAMPLES

DCT_TITLE = URIRef("http://purl.org/dc/terms/title")
# zezhou 2025 line 621 and zezhou 2026 line 2362 cite it as 《泽州县鼓励和引导民间资本投资开发造地管理办法》
ZEZHOU_23 = URIRef("https://w3id.org/budget-kg/id/policy/no/泽政发〔2019〕23号")
# cited as 自然资源部《关于全面开展国土空间规划工作的通知》 twice (qinshui 2024 lines 1008, 1339) and as
# 《自然资源部关于全面开展国土空间规划工作的通知》 once (yangquan 2022 line 660)
PLANNING_87 = URIRef("https://w3id.org/budget-kg/id/policy/no/自然资发〔2019〕87号")


def _build(inputs: list[Path], out: Path):
    return build(inputs, out, formats=("nt",), jobs=1, progress=False, store=False)


def _graph_files(out: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted((out / "graphs").iterdir())}


def test_input_order_changes_no_byte_of_the_graph(tmp_path: Path):
    files = [SAMPLES / name for name in sorted(SAMPLE_FILES.values())]
    forward = _build(files, tmp_path / "forward")
    backward = _build(files[::-1], tmp_path / "backward")
    assert (tmp_path / "forward" / "graph.nt").read_bytes() == (tmp_path / "backward" / "graph.nt").read_bytes()
    assert _graph_files(tmp_path / "forward") == _graph_files(tmp_path / "backward")
    assert [d["file"] for d in forward.documents] == [d["file"] for d in backward.documents]
    # the title is chosen by a rule (the most cited; on a tie the most complete printing), not the first seen
    shared = Graph().parse(tmp_path / "forward" / "graphs" / "shared.nt", format="nt")
    assert str(shared.value(PLANNING_87, DCT_TITLE)) == "关于全面开展国土空间规划工作的通知"


def test_file_names_do_not_choose_what_a_cited_document_is_called(tmp_path: Path):
    """Renamed so that their name order is reversed, the disclosures give the same shared graph."""
    renamed = tmp_path / "renamed"
    renamed.mkdir()
    for rank, name in enumerate(sorted(SAMPLE_FILES.values())):
        shutil.copy(SAMPLES / name, renamed / f"{9 - rank}-{name}")
    _build([SAMPLES], tmp_path / "plain")
    _build([renamed], tmp_path / "renamed-out")
    plain = (tmp_path / "plain" / "graphs" / "shared.nt").read_bytes()
    assert plain == (tmp_path / "renamed-out" / "graphs" / "shared.nt").read_bytes()


def test_the_same_disclosure_in_other_bytes_is_built_once(tmp_path: Path):
    source = SAMPLES / SAMPLE_FILES["zezhou2025"]
    text = source.read_text(encoding="utf-8")
    copies = tmp_path / "copies"
    copies.mkdir()
    shutil.copy(source, copies / source.name)
    (copies / "utf16.txt").write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    (copies / "gbk.txt").write_bytes(text.encode("gb18030"))
    (copies / "crlf.txt").write_bytes(text.replace("\n", "\r\n").encode("utf-8"))
    assert len({path.read_bytes() for path in copies.iterdir()}) == 4  # four different files
    report = _build([copies], tmp_path / "out")
    assert len(report.documents) == 1 and not report.failed
    # the copy kept is chosen by name (crlf.txt sorts first), whatever the order given
    assert Path(report.documents[0]["file"]).name == "crlf.txt"
    duplicates = sorted(Path(n.file).name for n in report.notices if n.code == "duplicate-content")
    assert duplicates == ["gbk.txt", "utf16.txt", source.name]
    alone = _build([source], tmp_path / "alone")
    assert report.counts == alone.counts
    # 补充耕地指标回购资金, 1000.00 万元 (line 374): once, not four times
    assert report.counts["projects"] == alone.counts["projects"]


def test_a_malformed_disclosure_does_not_rename_a_document_good_ones_cite(tmp_path: Path):
    good = [SAMPLES / name for name in sorted(SAMPLE_FILES.values())]
    _build(good, tmp_path / "good")
    # a damaged copy of zezhou 2025 (its first name in order): the 立项依据 cell misprints the title and
    # kind of 泽政发〔2019〕23号, and the 部门名称 header is lost
    lines = (SAMPLES / SAMPLE_FILES["zezhou2025"]).read_text(encoding="utf-8").split("\n")
    assert lines[620].startswith("立项依据\t\t根据《泽州县鼓励和引导民间资本投资开发造地管理办法》")
    lines[620] = lines[620].replace("泽州县鼓励和引导民间资本投资开发造地管理办法", "关于造地指标回购价格的批复")
    lines = [line for line in lines if not line.startswith("部门名称")]
    damaged = tmp_path / "aa-damaged.txt"
    damaged.write_text("\n".join(lines), encoding="utf-8")
    report = _build([damaged, *good], tmp_path / "with-damaged")
    assert len(report.documents) == 6
    before = Graph().parse(tmp_path / "good" / "graphs" / "shared.nt", format="nt")
    after = Graph().parse(tmp_path / "with-damaged" / "graphs" / "shared.nt", format="nt")
    assert str(after.value(ZEZHOU_23, DCT_TITLE)) == "泽州县鼓励和引导民间资本投资开发造地管理办法"
    assert set(after.predicate_objects(ZEZHOU_23)) == set(before.predicate_objects(ZEZHOU_23))
    # the misprinted title is kept as a conflicting citation of the damaged disclosure only
    assert any("关于造地指标回购价格的批复" in n.message for n in report.notices
               if n.code == "citation-title-conflict")
