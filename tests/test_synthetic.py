"""The synthetic corpus: deterministic by seed, real regions and departments, seed amounts scaled exactly,
立项依据 cells re-combined with consistently re-numbered 文号."""

from __future__ import annotations

import random
import re
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from kg.bench.synthetic import (
    Rewriter,
    Template,
    _scale,
    candidate_regions,
    generate_corpus,
    load_settings,
    load_templates,
)
from kg.extract import extract_disclosure, extract_file
from kg.places import resolve_region
from kg.places.gazetteer import default_gazetteer
from tests.helpers import detail_year_over_year

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
SIZE = 6  # one of each seed template (sorted: qinshui, xingxian, yangquan, zezhou2025, zezhou2026) and one more


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> list:
    return generate_corpus(SIZE, tmp_path_factory.mktemp("synthetic"), seed=7)


def test_same_seed_same_bytes_other_seed_other_corpus(corpus, tmp_path):
    again = generate_corpus(SIZE, tmp_path / "again", seed=7)
    assert [d.path.read_bytes() for d in again] == [d.path.read_bytes() for d in corpus]
    other = generate_corpus(SIZE, tmp_path / "other", seed=8)
    assert [d.path.name for d in other] != [d.path.name for d in corpus]
    assert len({d.path.read_bytes() for d in corpus}) == SIZE  # no two documents share content


def test_templates_learn_the_seed_places():
    templates = {t.key: t for t in load_templates()}
    qinshui = templates["qinshui-natural-resources-bureau-unit-2024"]
    assert (qinshui.province, qinshui.city, qinshui.county) == ("山西省", "晋城市", "沁水县")
    assert ("龙港镇", "龙港镇") in qinshui.townships and ("龙港", "龙港镇") in qinshui.townships
    yangquan = templates["yangquan-planning-natural-resources-bureau-unit-2022"]
    assert (yangquan.city, yangquan.county) == ("阳泉市", None)


def test_qinshui_layout_reissued_in_another_county(corpus, sources):
    document = corpus[0]
    assert document.template == "qinshui-natural-resources-bureau-unit-2024"
    text = document.path.read_text(encoding="utf-8")
    assert "沁水县" not in text
    assert document.department == "自然资源局" or "自然资源局本级" not in text
    disclosure = extract_file(document.path)
    seed = extract_disclosure(sources["qinshui2024"])
    # the seed's 53 projects, each amount multiplied by the document's factor, to the fen
    assert len(disclosure.projects) == len(seed.projects) == 53
    assert sorted(p.total for p in disclosure.projects) == sorted(p.total * document.amount_factor
                                                                  for p in seed.projects)
    region = resolve_region(disclosure.unit_name or disclosure.department,
                            (line.text for line in disclosure.source.lines))
    assert region is not None and region.county is not None and region.county.code == document.region_code
    assert document.department in (disclosure.department or "")


def test_doc_numbers_renumbered_the_same_way_in_every_document():
    settings = load_settings()
    templates = load_templates()
    regions = candidate_regions(default_gazetteer(), settings)
    lines = ("立项依据\t\t《通知》(自然资发〔2021〕166号)、沁政发〔2023〕5号", "依据自然资发〔2021〕166号")
    template = Template("t", lines, "山西省", "晋城市", "沁水县", ())
    rewriter = Rewriter(templates, settings, corpus_seed=7)
    settings_no_swap = replace(settings, basis_swap_probability=0.0)
    rewriter.settings = settings_no_swap
    first, _ = rewriter.rewrite(template, regions[0], "财政局", 1, random.Random(1))
    second, _ = rewriter.rewrite(template, regions[1], "水利局", 1, random.Random(2))
    numbers = re.findall(r"自然资发〔2021〕(\d{1,4})号", first + second)
    assert len(numbers) == 4 and len(set(numbers)) == 1  # one real document, one new number everywhere
    # the county's own 文号 takes the new county's abbreviation
    assert f"{regions[0].county.name[0]}政发〔2023〕" in first and "沁政发" not in first
    assert regions[0].county.name in Rewriter(templates, settings, 7).names(template, regions[0], "财政局").values()


def test_basis_cells_recombined(corpus):
    assert all(d.basis_swapped > 0 for d in corpus if "yangquan" not in d.template)


def test_scale_keeps_decimals_and_leaves_codes():
    assert _scale("1,234.56", 3) == "3,703.68"
    assert _scale(" 5500.87", 2) == " 11001.74"
    assert _scale("2080505", 3) == "2080505"  # a function code, not an amount
    assert _scale("95%", 3) == "95%"


def test_manifest_lists_every_document(corpus):
    manifest = (Path(corpus[0].path).parent / "README.md").read_text(encoding="utf-8")
    assert all(d.path.name in manifest for d in corpus)


_LEADING_YEAR = re.compile(r"^(?:19|20)[0-9]{2}年度?")


def test_reissued_disclosure_gives_year_over_year_rows_of_the_generators_numbers(sources, tmp_path):
    """A department re-issuing its disclosure the next year: year-over-year pairs every project of the two
    years, with the seed's amounts under each year's factor."""
    from kg.build import build
    from kg.query import run_query

    documents = generate_corpus(SIZE, tmp_path / "corpus", seed=7, reissue_share=1.0)
    first, again = documents[0], documents[SIZE - 1]  # one round of the five templates later: qinshui again
    assert again.reissue_of == first.path.name and again.template == first.template
    assert (first.fiscal_year, again.fiscal_year) == (2024, 2025)
    assert again.department == first.department and again.region_code == first.region_code
    assert again.amount_factor != first.amount_factor
    assert documents[1].reissue_of is None  # the first round of templates is new departments
    pair = tmp_path / "pair"
    pair.mkdir()
    for document in (first, again):
        (pair / document.path.name).write_bytes(document.path.read_bytes())
    build([pair], tmp_path / "out", formats=(), store=True, jobs=1, progress=False)

    # the seed's money per project name as year-over-year matches it (the names as the first issue prints
    # them: the generator replaced the seed's places in them), from the first issue's amounts and factor
    expected: dict[str, Decimal] = {}
    first_read = extract_file(first.path)
    assert sorted(p.total for p in first_read.projects) == sorted(
        p.total * first.amount_factor for p in extract_disclosure(sources["qinshui2024"]).projects)
    for project in first_read.projects:
        name = _LEADING_YEAR.sub("", re.sub(r"\s+", "", project.name))
        expected[name] = expected.get(name, Decimal(0)) + project.total / first.amount_factor
    frame = run_query("year-over-year", store=tmp_path / "out" / "store", money="decimal")
    # read from the summaries' items: the rows the detail gives, documents included
    assert frame.equals(detail_year_over_year(tmp_path / "out" / "store"))
    assert (frame["kind"] == "document").sum() > 20
    projects = frame[(frame["kind"] == "project") & (frame["fiscal_year"] == 2025)]
    assert set(frame["department"]) == {first_read.department}
    assert len(projects) == len(expected) > 40
    for row in projects.itertuples():
        seed_money = expected[row.item]
        assert (row.previous_year, row.previous_amount, row.amount) == (
            2024, seed_money * first.amount_factor, seed_money * again.amount_factor), row.item
        assert row.change == seed_money * (again.amount_factor - first.amount_factor)


def test_a_city_level_seed_drawn_for_two_counties_of_one_city_is_never_one_publishers_second_document(
        tmp_path, monkeypatch):
    """阳泉市规划和自然资源局 prints its city, not its county: drawn for two counties of one city with one
    department, it would be one 预算单位's two 2022 budgets with different amounts (the 11 summaries violations
    of the 1,000 corpus). The second draw takes the next department that has not published there."""
    import kg.bench.synthetic as synthetic

    seeds = tmp_path / "seeds"
    seeds.mkdir()
    yangquan = SAMPLES / "yangquan-planning-natural-resources-bureau-unit-2022.txt"
    (seeds / yangquan.name).symlink_to(yangquan)
    regions = candidate_regions(default_gazetteer(), load_settings())
    city = next(r.city.code for r in regions if sum(o.city.code == r.city.code for o in regions) >= 2)
    monkeypatch.setattr(synthetic, "candidate_regions",
                        lambda gazetteer, settings: [r for r in regions if r.city.code == city][:2])
    departments = len(load_settings().departments)
    documents = generate_corpus(departments, tmp_path / "corpus", seed=3, samples_dir=seeds, reissue_share=0)
    assert len({d.region_code for d in documents}) == 2  # both counties drawn
    # every department of the city once: one 2022 disclosure per publisher, as its own name prints it
    assert sorted(d.department for d in documents) == sorted(load_settings().departments)
    for document in documents:
        printed = extract_file(document.path)
        assert printed.unit_name == f"{documents[0].region.split()[1]}{document.department}机关本级"
    with pytest.raises(ValueError, match="every department of"):
        generate_corpus(departments + 1, tmp_path / "more", seed=3, samples_dir=seeds, reissue_share=0)
