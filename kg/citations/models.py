"""Plain records of the citation stage: one cited document as printed in one 立项依据 cell."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

IssuerLevel = Literal["central", "province", "city", "county"]


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
    kind: str  # a 文种 (通知, 批复, …) or law / regulation / plan / standard / contract / design / other
    nested: list[str] = field(default_factory=list)  # titles cited inside the title (关于印发《…》的通知)
    how: str = ""  # how it was recognised: "quoted", "unquoted", "number-only", "standard-code", …
    doubts: list[str] = field(default_factory=list)  # reasons to check it by hand (number-without-code, …)
