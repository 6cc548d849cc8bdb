"""A synthetic national-scale corpus, re-combined from the seed disclosures and deterministic by seed.

Each synthetic disclosure is one seed's printed text (its layout and its traps: split codes, watermarks,
clipped performance tables, the xingxian catalogue appendix…) re-issued by another department of another
real county:

* the seed's province, city, county and township names become those of a county drawn from the division
  list (township names mapped one to one, abbreviated where the seed abbreviates them);
* the department word (自然资源局) becomes one of ``kg/bench/data/synthetic.toml``'s departments;
* about half of the 立项依据 cells are swapped for cells drawn from all seeds, and every 发文字号 number is
  re-numbered (the same real document gets the same new number across the corpus, so citations still
  join up; a county's own documents take the new county's abbreviation);
* every amount cell is multiplied by an integer factor, so the column sums the seeds print still hold;
* a share of the disclosures (``reissue_share`` in the data file) are not new departments but an earlier
  disclosure's department re-issuing it the next year: the same text, projects and 立项依据, every year
  printed before 年 one later, and the amounts under another factor — so a department spans fiscal years
  and year-over-year comparisons have something to compare. Such a document re-issues the one
  ``len(templates)`` places before it, whose template is its own, so the mix of layouts is unchanged.

``generate_corpus(n, out_dir, seed)`` writes ``n`` .txt files and a README.md manifest (which the build
skips) and returns what it wrote.
"""

from __future__ import annotations

import hashlib
import random
import re
import tomllib
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from kg.bench import patterns
from kg.extract import extract_disclosure
from kg.ingest import read_source
from kg.places import link_disclosure, resolve_region
from kg.places.gazetteer import Division, Gazetteer, default_gazetteer

REPO_ROOT = Path(__file__).resolve().parents[2]
SAMPLES_DIR = REPO_ROOT / "samples"
DATA_PATH = Path(__file__).resolve().parent / "data" / "synthetic.toml"
# Township suffixes dropped where a seed prints a township's short name (端氏 for 端氏镇).
TOWNSHIP_SUFFIXES = ("街道办事处", "街道", "镇", "乡")
COUNTY_SUFFIXES = ("自治县", "县", "区", "市", "旗")
CITY_SUFFIXES = ("市", "地区", "自治州", "州", "盟")


@dataclass(frozen=True)
class Settings:
    departments: dict[str, str]  # printed name → slug
    department_words: tuple[str, ...]
    basis_labels: tuple[str, ...]
    amount_factors: tuple[int, ...]
    basis_swap_probability: float
    placeholder_cities: frozenset[str]
    min_townships: int
    reissue_share: float = 0.0


def load_settings(path: Path = DATA_PATH) -> Settings:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    seeds, regions = data["seeds"], data["regions"]
    return Settings(
        departments=dict(data["departments"]),
        department_words=tuple(sorted(seeds["department_words"], key=len, reverse=True)),
        basis_labels=tuple(seeds["basis_labels"]),
        amount_factors=tuple(int(f) for f in seeds["amount_factors"]),
        basis_swap_probability=float(seeds["basis_swap_probability"]),
        placeholder_cities=frozenset(regions["placeholder_cities"]),
        min_townships=int(regions["min_townships"]),
        reissue_share=float(seeds.get("reissue_share", 0.0)),
    )


@dataclass(frozen=True)
class Template:
    """One seed, with the place names its text prints (learnt by running the pipeline on it)."""

    key: str  # the seed's file stem
    raw_lines: tuple[str, ...]
    province: str | None
    city: str | None
    county: str | None
    townships: tuple[tuple[str, str], ...]  # (printed, official) in order of first mention
    fiscal_year: int | None = None


@dataclass(frozen=True)
class TargetRegion:
    province: Division
    city: Division
    county: Division
    townships: tuple[Division, ...]


@dataclass(frozen=True)
class SyntheticDocument:
    path: Path
    template: str
    region_code: str  # the county the disclosure was re-issued in
    region: str  # 省 市 县
    department: str
    amount_factor: int
    basis_swapped: int  # how many 立项依据 cells came from elsewhere
    size: int  # bytes
    fiscal_year: int | None = None  # the template's year, plus one per re-issue
    reissue_of: str | None = None  # the file name of the same department's disclosure of the year before


def short_name(name: str, suffixes: tuple[str, ...]) -> str | None:
    """沁水县 → 沁水; None when the short form would be one character (兴县 → 兴 is too common to replace)."""
    for suffix in suffixes:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return None


def seed_files(samples_dir: Path = SAMPLES_DIR) -> list[Path]:
    """The text seeds (the PDFs are another province's layout and are not re-combined)."""
    return sorted(samples_dir.glob("*.txt"))


def load_template(path: Path) -> Template:
    source = read_source(path)
    disclosure = extract_disclosure(source)
    region = resolve_region(disclosure.unit_name or disclosure.department, (line.text for line in source.lines))
    townships: dict[str, str] = {}
    if region is not None:
        for mention in link_disclosure(disclosure, region).mentions:
            if mention.level == "township" and len(mention.text) >= 2:
                townships.setdefault(mention.text, mention.name)
    raw = path.read_text(encoding="utf-8").split("\n")
    return Template(
        key=path.stem,
        raw_lines=tuple(raw),
        province=region.province.name if region else None,
        city=region.city.name if region and region.city else None,
        county=region.county.name if region and region.county else None,
        townships=tuple(townships.items()),
        fiscal_year=disclosure.fiscal_year,
    )


@lru_cache(maxsize=4)
def load_templates(samples_dir: Path = SAMPLES_DIR) -> tuple[Template, ...]:
    return tuple(load_template(path) for path in seed_files(samples_dir))


def candidate_regions(gazetteer: Gazetteer, settings: Settings) -> list[TargetRegion]:
    """Current counties with a printable city, a nationally unique name and enough townships, by code."""
    regions: list[TargetRegion] = []
    for county in sorted(gazetteer.at_level("county"), key=lambda d: d.code):
        if county.former or len([d for d in gazetteer.named(county.name, "county") if not d.former]) != 1:
            continue
        city = gazetteer.get(county.parent)
        province = gazetteer.get(city.parent) if city else None
        if city is None or province is None or city.level != "city" or city.name in settings.placeholder_cities:
            continue
        townships = tuple(sorted((d for d in gazetteer.children(county.code, former=False)
                                  if d.level == "township"), key=lambda d: d.code))
        if len(townships) >= settings.min_townships:
            regions.append(TargetRegion(province, city, county, townships))
    return regions


def basis_pool(templates: tuple[Template, ...], settings: Settings) -> list[str]:
    """Every one-line 立项依据 text cell of the seeds, each once, in seed order."""
    pool: dict[str, None] = {}
    for template in templates:
        for line in template.raw_lines:
            split = _basis_cell(line, settings)
            if split is not None:
                pool.setdefault(split[1][split[0]].strip(), None)
    return list(pool)


def _basis_cell(line: str, settings: Settings) -> tuple[int, list[str]] | None:
    """(index of the text cell, cells) of a line holding a label cell and exactly one text cell."""
    cells = line.split("\t")
    if len(cells) < 2 or cells[0].strip() not in settings.basis_labels:
        return None
    filled = [i for i, cell in enumerate(cells[1:], start=1) if cell.strip()]
    if len(filled) != 1:
        return None
    return filled[0], cells


def _stable_int(*parts: object) -> int:
    """A hash that, unlike hash(), is the same in every process and Python run."""
    return int.from_bytes(hashlib.sha256("|".join(map(str, parts)).encode("utf-8")).digest()[:8], "big")


class Rewriter:
    """Turns one template into one synthetic disclosure."""

    def __init__(self, templates: tuple[Template, ...], settings: Settings, corpus_seed: int) -> None:
        self.templates = templates
        self.settings = settings
        self.corpus_seed = corpus_seed
        self.pool = basis_pool(templates, settings)

    def names(self, template: Template, target: TargetRegion, department: str) -> dict[str, str]:
        """Printed seed name → replacement, for every seed's places (a swapped-in cell names another seed's)."""
        mapping: dict[str, str] = {}
        for seed in self.templates:
            if seed.province:
                mapping[seed.province] = target.province.name
            if seed.city:
                mapping[seed.city] = target.city.name
                old, new = short_name(seed.city, CITY_SUFFIXES), short_name(target.city.name, CITY_SUFFIXES)
                if old and new:
                    mapping[old] = new
            # a city-level seed (阳泉市) is re-issued by the city of the target county
            if seed.county:
                mapping[seed.county] = target.county.name
                old, new = short_name(seed.county, COUNTY_SUFFIXES), short_name(target.county.name, COUNTY_SUFFIXES)
                if old and new:
                    mapping[old] = new
        # one target township per official seed township, whichever forms (full, short) the seed prints
        officials = list(dict.fromkeys(official for _, official in template.townships))
        assigned = dict(zip(officials, _cycle(target.townships), strict=False))
        for printed, official in template.townships:
            township = assigned[official]
            if printed == official:
                mapping[printed] = township.name
            else:
                mapping[printed] = short_name(township.name, TOWNSHIP_SUFFIXES) or township.name
        for word in self.settings.department_words:
            mapping[word] = department
        return mapping

    def rewrite(self, template: Template, target: TargetRegion, department: str, factor: int,
                rng: random.Random, years_later: int = 0) -> tuple[str, int]:
        """The template re-issued by ``department`` of ``target``; ``years_later`` > 0 moves every year printed
        before 年 (2025年, 2025 年度) that many years on, as the same department's disclosure of a later year
        prints them (a 文号's bracketed year, 〔2023〕, is the document's and stays)."""
        mapping = self.names(template, target, department)
        names = re.compile("|".join(re.escape(name) for name in sorted(mapping, key=len, reverse=True)))
        old_abbreviation = template.county[0] if template.county else None
        new_abbreviation = target.county.name[0]
        abbreviation = patterns.county_abbreviation(old_abbreviation) if old_abbreviation else None
        swapped = 0
        out: list[str] = []
        for line in template.raw_lines:
            split = _basis_cell(line, self.settings)
            if split is not None and self.pool and rng.random() < self.settings.basis_swap_probability:
                index, cells = split
                cells[index] = rng.choice(self.pool)
                line = "\t".join(cells)
                swapped += 1
            if abbreviation is not None:
                line = abbreviation.sub(new_abbreviation, line)
            line = names.sub(lambda m: mapping[m.group(0)], line)
            line = patterns.DOC_NUMBER.sub(lambda m, line=line: self._renumber(m, line), line)
            if factor != 1 and "\t" in line:
                line = "\t".join(_scale(cell, factor) for cell in line.split("\t"))
            if years_later:
                line = _PRINTED_YEAR.sub(lambda m: str(int(m.group(1)) + years_later) + m.group(2), line)
            out.append(line)
        return "\n".join(out), swapped

    def _renumber(self, match: re.Match[str], line: str) -> str:
        prefix = patterns.ISSUER_PREFIX.search(line, 0, match.start())
        issuer = prefix.group(0) if prefix else ""
        number = 1 + _stable_int(self.corpus_seed, issuer, match.group("year"), match.group("number")) % 199
        return match.group("head") + str(number)


# a year as a disclosure prints it before 年 ("2025年", "2025 年度"); not a digit run's tail (12025年)
_PRINTED_YEAR = re.compile(r"(?<![0-9])((?:19|20)[0-9]{2})([ \t]{0,2}年)")


def _cycle(items: tuple[Division, ...]) -> list[Division]:
    """Enough townships for every printed one (a seed may print more than the target county has)."""
    return [items[i % len(items)] for i in range(max(64, len(items)))]


def _scale(cell: str, factor: int) -> str:
    match = patterns.AMOUNT_CELL.match(cell)
    if match is None:
        return cell
    digits, decimals = match.group("number"), match.group("decimals")
    scaled = int(digits.replace(",", "") + decimals) * factor
    whole, fraction = divmod(scaled, 10 ** len(decimals))
    text = f"{whole:,}" if "," in digits else str(whole)
    return f"{match.group('lead')}{text}.{fraction:0{len(decimals)}d}{match.group('trail')}"


def generate_corpus(n: int, out_dir: str | Path, seed: int = 0, *, samples_dir: Path = SAMPLES_DIR,
                    reissue_share: float | None = None) -> list[SyntheticDocument]:
    """Write ``n`` synthetic disclosures into ``out_dir`` (created; existing .txt files there are replaced).

    The same ``n``, ``seed`` and data files give the same bytes; a larger ``n`` with the same seed begins
    with different documents (the sample of regions depends on ``n``), so compare corpora of one size.
    ``reissue_share`` overrides the data file's share of re-issued disclosures (0: every department once).
    """
    if n < 0:
        raise ValueError("n must be >= 0")
    settings = load_settings()
    if reissue_share is not None:
        settings = replace(settings, reissue_share=reissue_share)
    templates = load_templates(samples_dir)
    regions = candidate_regions(default_gazetteer(), settings)
    departments = sorted(settings.departments)
    combinations = len(regions) * len(departments)
    if n > combinations:
        raise ValueError(f"at most {combinations} distinct synthetic disclosures (regions × departments)")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.txt"):
        old.unlink()
    rng = random.Random(f"budget-kg synthetic corpus {seed}")
    picks = rng.sample(range(combinations), n)
    rewriter = Rewriter(templates, settings, seed)
    written: list[SyntheticDocument] = []
    # (target, department, years later, the number whose random draws it repeats) of each document written
    issued: list[tuple[TargetRegion, str, int, int]] = []
    publishers: set[tuple[str, str, int | None]] = set()  # (region printed, department, year) of each document
    for number, pick in enumerate(picks):
        template = templates[number % len(templates)]
        if _reissues(seed, number, len(templates), settings.reissue_share):
            # the department of the document one round of templates back (the same template), a year later:
            # the same 立项依据 cells (its random draws repeated), the amounts under another factor
            earlier = written[number - len(templates)]
            target, department, years_later, draws = issued[number - len(templates)]
            years_later += 1
            doc_rng = random.Random(f"{seed}:{draws}")
            doc_rng.choice(settings.amount_factors)  # the first issue's factor draw, so its swaps repeat
            factor = random.Random(f"{seed}:{number}:reissue").choice(
                [f for f in settings.amount_factors if f != earlier.amount_factor] or [earlier.amount_factor])
            reissue_of: str | None = earlier.path.name
        else:
            target, department, years_later, draws = (regions[pick // len(departments)],
                                                      departments[pick % len(departments)], 0, number)
            department = _unissued_department(template, target, department, departments, publishers)
            doc_rng = random.Random(f"{seed}:{number}")
            factor = doc_rng.choice(settings.amount_factors)
            reissue_of = None
        text, swapped = rewriter.rewrite(template, target, department, factor, doc_rng, years_later)
        name = f"{number:05d}-{target.county.code}-{settings.departments[department]}-{template.key}.txt"
        path = out / name
        data = text.encode("utf-8")
        path.write_bytes(data)
        year = template.fiscal_year + years_later if template.fiscal_year is not None else None
        publishers.add((_printed_region(template, target), department, year))
        written.append(SyntheticDocument(path, template.key, target.county.code,
                                         f"{target.province.name} {target.city.name} {target.county.name}",
                                         department, factor, swapped, len(data), year, reissue_of))
        issued.append((target, department, years_later, draws))
    _write_manifest(out / "README.md", written, seed)
    return written


def _printed_region(template: Template, target: TargetRegion) -> str:
    """The division whose name the document prints as its publisher's: the county, or for a city-level seed
    (阳泉市规划和自然资源局) the target county's city."""
    return target.county.code if template.county else target.city.code


def _unissued_department(template: Template, target: TargetRegion, department: str, departments: list[str],
                         publishers: set[tuple[str, str, int | None]]) -> str:
    """``department``, unless a document already written is that department's of the same printed region and
    year (a city-level seed drawn for two counties of one city): then the next department, in the sorted
    list, that has not published there that year. No random draw, so every other document stays as it was.

    Two documents of one publisher and year would be one 预算单位's two editions: the same projects with two
    amounts, which the summaries checks rightly report."""
    region, year = _printed_region(template, target), template.fiscal_year
    start = departments.index(department)
    for candidate in departments[start:] + departments[:start]:
        if (region, candidate, year) not in publishers:
            return candidate
    raise ValueError(f"every department of {target.city.name} has published a {year} disclosure from "
                     f"{template.key}: add departments to {DATA_PATH.name} or generate fewer documents")


def _reissues(seed: int, number: int, templates: int, share: float) -> bool:
    """Whether document ``number`` re-issues an earlier one: drawn from its own hash (not from the corpus's
    random stream), so every other document is what it was without re-issues."""
    return number >= templates and _stable_int(seed, "reissue", number) % 10_000 < share * 10_000


def _write_manifest(path: Path, documents: list[SyntheticDocument], seed: int) -> None:
    lines = [f"# Synthetic corpus (seed {seed}, {len(documents)} disclosures)", "",
             "Generated by kg.bench.synthetic.generate_corpus; not real budget data.", "",
             "| file | seed template | region | department | year | amount × | 立项依据 swapped | re-issues |",
             "|---|---|---|---|---|---|---|---|"]
    lines += [f"| {d.path.name} | {d.template} | {d.region} ({d.region_code}) | {d.department} | {d.fiscal_year} "
              f"| {d.amount_factor} | {d.basis_swapped} | {d.reissue_of or ''} |" for d in documents]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
