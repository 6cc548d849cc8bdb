"""The query library on the graph `budget-kg build` makes of the five seeds: embedded, and published to a
real Oxigraph server (same rows). Values are looked up in samples/*.txt."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from kg.query import load_library, publish, run_query

from .test_remote_oxigraph import server  # noqa: F401 — the loopback server fixture

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
PARAMS = {"project-basis": {"project": "补充耕地指标回购资金"}, "document-projects": {"document": "泽政发[2019]23号"}}


@pytest.fixture(scope="module")
def build_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from kg.build import build

    out = tmp_path_factory.mktemp("seeds") / "build"
    build(sorted(SAMPLES.glob("*.txt")), out, store=True, progress=False, formats=())
    return out


def test_zezhou_projects_citing_zezhengfa_2019_23(build_dir: Path):
    frame = run_query("document-projects", {"document": "泽政发（2019）23号"}, store=build_dir)
    # zezhou2025 line 406 补充耕地指标回购资金 1000.00 万元 (basis line 621); zezhou2026 line 373 2000.00 万元.
    assert [(r.fiscal_year, r.project_label, r.amount) for r in frame.itertuples()] == [
        (2025, "补充耕地指标回购资金", Decimal("10000000")), (2026, "补充耕地指标回购资金", Decimal("20000000"))]
    assert set(frame["department"]) == {"泽州县自然资源局"}


def test_qinshui_township_longgang(build_dir: Path):
    frame = run_query("township-projects", {"township": "龙港镇"}, store=build_dir)
    amounts = dict(zip(frame["project_label"], frame["amount"], strict=True))
    # qinshui2024 line 442: 沁水县龙港镇下苏庄不稳定斜坡地质灾害应急治理工程 42.01 万元.
    assert amounts["沁水县龙港镇下苏庄不稳定斜坡地质灾害应急治理工程"] == Decimal("420100")
    assert set(frame["township_code"]) == {"140521100"}


def test_every_query_answers_on_the_seeds_and_levels_add_up(build_dir: Path):
    for name in load_library():
        assert len(run_query(name, PARAMS.get(name), store=build_dir)) > 0, name
    levels = run_query("money-by-issuer-level", store=build_dir)
    zezhou = levels[(levels["department"] == "泽州县自然资源局") & (levels["fiscal_year"] == 2025)]
    # 项目支出: 本年 9050.47 + 上年结转 486.55 = 9537.02 万元 (zezhou2025 支出总表 line 167).
    assert sum(zezhou["amount"]) == Decimal("95370200")


def test_seed_graph_gives_the_same_rows_on_a_real_server(build_dir: Path, server: str):  # noqa: F811
    report = publish(build_dir, server)
    assert not report.failures and len(report.graphs) >= 5
    for name in load_library():
        pd.testing.assert_frame_equal(run_query(name, PARAMS.get(name), store=build_dir),
                                      run_query(name, PARAMS.get(name), endpoint=server), obj=name)
