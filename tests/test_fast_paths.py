"""The look-ups and frame builders that replaced repeated work in extraction give what the slow forms gave."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from kg.citations.classify import _ending_rule, vocabulary
from kg.citations.knowledge import region_names
from kg.citations.resolve import (
    _rules_by_pattern,
    code_patterns,
    issuer_rules,
    level_from_name,
    longest_code_in,
    region_of_name,
)
from kg.places.find import find_places, lines_naming_places
from kg.places.gazetteer import default_gazetteer
from kg.places.region import resolve_region
from kg.records import SourceDocument
from kg.tables import find_tables
from kg.tables.frames import object_frame, records


def _slow_frame(data: dict[str, list[object]], columns: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame(data, columns=columns, dtype=object)
    frame["line"] = frame["line"].astype("int64")
    frame["last_line"] = frame["last_line"].astype("int64")
    return frame


def test_object_frame_is_the_frame_pandas_builds_column_by_column():
    data: dict[str, list[object]] = {"line": [12, 13], "last_line": [12, 14], "code": ["2080505", None],
                                     "name": ["行政运行", ("a", "tuple")], "total": [Decimal("9389.91"), None]}
    columns = list(data)
    fast, slow = object_frame(data, columns), _slow_frame(data, columns)
    assert fast.equals(slow)
    assert fast.dtypes.tolist() == slow.dtypes.tolist() == ["int64", "int64", object, object, object]
    assert fast["name"].iat[1] == ("a", "tuple")  # a tuple cell stays one object
    empty = {name: [] for name in columns}
    assert object_frame(empty, columns).equals(_slow_frame(empty, columns))
    assert object_frame(empty, columns).dtypes.tolist() == ["int64", "int64", object, object, object]


def test_records_are_to_dict_records_on_every_table_of_a_seed(sources: dict[str, SourceDocument]):
    tables, _ = find_tables(sources["zezhou2026"])
    assert len(tables) > 10
    for table in tables:
        rows = records(table.frame)
        assert repr(rows) == repr(table.frame.to_dict("records"))
    first = records(tables[0].frame)[0]
    assert type(first["line"]) is int


def test_prefix_lookups_find_what_a_scan_of_the_knowledge_finds():
    names = [rule.pattern + "关于印发办法的通知" for rule in issuer_rules()[::7]]
    names += [rule.name + "自然资源局" for rule in region_names()[::5]]
    names += ["", "关于", "山西省自然资源厅", "晋城市人民政府", "普陀区人民政府", "宝山区财政局"]
    for name in names:
        scanned = next((rule.level for rule in issuer_rules()
                        if rule.match == "name" and name.startswith(rule.pattern)), None)
        found = _rules_by_pattern("name").starting(name)
        assert (found[0].level if found else None) == scanned
        # a scoped region's name another division of China also has (普陀区) is no one's without context
        assert region_of_name(name) == next((r for r in region_names() if name.startswith(r.name)
                                             and (not r.scope or len(default_gazetteer().named(r.name)) == 1)), None)
    assert level_from_name("山西省自然资源厅") == "province"
    assert region_of_name("晋城市自然资源局").name == "晋城市"
    assert code_patterns()  # the 代字 list the prefix index of strip_connectives is built from


def test_the_longest_code_in_a_run_is_what_a_find_per_code_finds():
    def scanned(run: str) -> tuple[int, int]:
        best_at, best_len = -1, 0
        for pattern in code_patterns():
            at = run.find(pattern)
            if at >= 0 and (len(pattern) > best_len or (len(pattern) == best_len and at < best_at)):
                best_at, best_len = at, len(pattern)
        return best_at, best_len

    runs = [head + pattern + tail for pattern in code_patterns()[::3]
            for head, tail in (("", ""), ("的通知", "发"), ("根据", ""), ("晋城市土地局", "字"))]
    runs += ["", "关于", "的批复泽行审发", "晋城市土地局晋市财综字", "根据沪府", "某某办", "财财预财"]
    for run in runs:
        assert longest_code_in(run) == scanned(run), run
    assert longest_code_in("晋城市土地局晋市财综字") == (6, 5)  # 晋市财综字, not 晋 at 0
    assert longest_code_in("财财预财") == (1, 2)  # 财预: the longest, not the 财 before it


def test_kind_endings_by_last_character_agree_with_the_scan():
    titles = ("关于印发某某办法的通知", "沁水县土地整治项目合同", "泽州县人民政府会议纪要", "规划", "", "某某(试行)")
    for title in titles:
        scanned = next(((ending, rule) for ending, rule in vocabulary().endings
                        if title.endswith(ending) and not any(title.endswith(bad) for bad in rule.not_endings)), None)
        assert _ending_rule(title) == scanned
    assert _ending_rule("关于印发某某办法的通知")[1].kind == "通知"


def test_places_are_looked_for_only_where_a_line_can_name_one(sources: dict[str, SourceDocument]):
    source = sources["qinshui2024"]
    region = resolve_region("沁水县自然资源局", (line.text for line in source.lines))
    assert region is not None and region.county is not None and region.county.name == "沁水县"
    texts = [line.text for line in source.lines]
    candidates = set(lines_naming_places(texts, region))
    naming = {index for index, text in enumerate(texts) if find_places(text, region, "text", index)}
    assert naming and naming <= candidates
    assert len(candidates) < len(texts) / 2  # most lines are passed over
