"""Plain records of the citation stage: one cited document as printed in one 立项依据 cell."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from kg.citations.classify import is_policy_title, kind_label

IssuerLevel = Literal["central", "province", "city", "county", "township"]
# How the printed number is formed: a GB/T 9704 发文字号 (document), one printed with an organ's name where the
# 机关代字 belongs (organ-name), one with no 代字 at all (no-code), a 令号 (order), a meeting's session
# (minutes: 〔2024〕4次), a technical standard's code (standard), a registration number (registration), a 公告's
# number (announcement: 国家税务总局公告2018年第31号, or 2023年第1号公告 without its organ).
NumberForm = Literal["document", "organ-name", "no-code", "order", "minutes", "standard", "registration",
                     "announcement"]
# How a link between a project and a document was made: by the number, by the title, by both (agreeing),
# conflicting (number and title disagree: both kept, flagged), or unresolved (no document could be identified:
# a number without 代字 standing alone, a clipped fragment).
LinkStatus = Literal["number", "title", "both", "conflicting", "unresolved"]


@dataclass(frozen=True)
class RegionContext:
    """Where the citing disclosure sits, so that a county's short 机关代字 (泽, 沁, 兴) resolves to that county."""

    province: str | None = None  # 山西省
    city: str | None = None  # 晋城市
    county: str | None = None  # 泽州县

    def names(self) -> tuple[str, ...]:
        return tuple(name for name in (self.province, self.city, self.county) if name)


@dataclass
class Citation:
    """One document cited in a cell. ``start``/``end`` are offsets into the cell as given (``cell[start:end]``)."""

    text: str  # as printed
    start: int
    end: int
    title: str | None  # normalised, without the outer 《》
    doc_number: str | None  # GB/T 9704 form 机关代字〔年份〕序号号, or a standard's code
    doc_number_printed: str | None
    issuer: str | None
    issuer_level: IssuerLevel | None
    kind: str  # a 文种 key of kg/data/document_kinds.toml (通知, 批复, 规定, 法律, 规划, 合同, 会议, 批示, 其他 …)
    nested: list[str] = field(default_factory=list)  # titles cited inside the title (关于印发《…》的通知)
    how: str = ""  # how it was recognised: "quoted", "unquoted", "number-only", "standard-code", …
    doubts: list[str] = field(default_factory=list)  # reasons to check it by hand (number-without-code, …)
    # The printed number as data, whether or not it is a GB/T 9704 发文字号: its form, year and serial.
    number_form: NumberForm | None = None
    number_year: int | None = None
    number_serial: int | None = None  # the 序号, the 令's 第N号, or the minutes' session (〔2024〕4次)
    completed_number: str | None = None  # 〔2020〕84号 completed from the issuer's 代字 (kg/data/issuers.csv)
    status: LinkStatus = "unresolved"
    conflict: str | None = None  # why number and title disagree (status "conflicting")
    incomplete: bool = False  # cut short by a clipped cell: kept as printed, never a document of its own

    @property
    def printed_number(self) -> str | None:
        """The number exactly as printed in the cell (brackets, spaces and all)."""
        return self.doc_number_printed

    @property
    def kind_en(self) -> str:
        return kind_label(self.kind)

    @property
    def is_policy_document(self) -> bool:
        """False for a basis that is not a policy document (a contract, a meeting, a 批示, a roster)."""
        return is_policy_title(self.title, self.kind)

    @property
    def number_normalised(self) -> str | None:
        """The printed number in GB/T 9704 brackets whatever its form: the 发文字号 when it is one, else
        〔2020〕84号 (no 代字, or an organ's name in its place) or 〔2024〕4次 (a minutes' session); a 令 or 公告
        printed without its organ as completed from the issuer (国家发展改革委令第7号), else 令第7号 or
        公告2023年第1号."""
        if self.doc_number:
            return self.doc_number
        if self.number_form in ("announcement", "order") and self.completed_number:
            return self.completed_number  # 第7号令 after 国家发展改革委《…》: 国家发展改革委令第7号
        if self.number_form == "order" and self.number_serial is not None:
            return f"令第{self.number_serial}号"  # printed without its organ
        if self.number_year is None or self.number_serial is None:
            return None
        if self.number_form in ("no-code", "organ-name"):
            return f"〔{self.number_year}〕{self.number_serial}号"
        if self.number_form == "minutes":
            return f"〔{self.number_year}〕{self.number_serial}次"
        if self.number_form == "announcement":  # printed without its organ
            return f"公告{self.number_year}年第{self.number_serial}号"
        return None

    @property
    def key_number(self) -> str | None:
        """The number that identifies the document: printed and complete, else completed from the issuer."""
        return self.doc_number or self.completed_number
