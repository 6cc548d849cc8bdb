"""One PolicyDocument per real document, across projects, departments and years.

Key: the normalised 发文字号 when there is one, else the normalised title stripped of its issuer (so that
``自然资源部《关于…的通知》`` and ``《自然资源部关于…的通知》`` meet). A title-only citation joins a numbered
document whose title agrees; two different titles under one number are reported, never merged silently.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from kg.citations.models import Citation
from kg.records import Notice

_ABOUT = re.compile(r"关于")


# Two titles under one number closer than this are one title printed two ways (全国 / 全民所有): not a conflict.
_SAME_TITLE_RATIO = 0.8


def titles_agree(a: str, b: str) -> bool:
    """True when two titles printed under one number name the same document (one contains the other, or they
    differ by a few characters); False when they name different documents (成立职工养老保险站 / 成立铝土矿经销站)."""
    ka, kb = title_key(a), title_key(b)
    return ka in kb or kb in ka or SequenceMatcher(None, ka, kb).ratio() >= _SAME_TITLE_RATIO


def title_key(title: str) -> str:
    """The part of a normalised title from its 关于 on (the issuer before it is printed in many ways)."""
    match = _ABOUT.search(title)
    key = title[match.start():] if match and match.start() <= 60 else title
    return re.sub(r"[()（）,，、.。:：;；\-—]", "", key)


@dataclass
class PolicyDocument:
    id: str  # stable: derived from the key
    key: str
    doc_number: str | None
    title: str | None
    issuer: str | None
    issuer_level: str | None
    kind: str
    titles_seen: set[str] = field(default_factory=set)
    cited_by: list[tuple[str, str]] = field(default_factory=list)  # (project id, citation text)
    printed_numbers: set[str] = field(default_factory=set)  # every form the number was printed in
    completed: bool = False  # the number was completed from the issuer's 代字, never printed whole
    conflicting_titles: set[str] = field(default_factory=set)  # title keys that disagree with the number's title
    # every citation's vote for what the document is called: settled by DocumentRegistry.settle
    title_votes: Counter[str] = field(default_factory=Counter)
    kind_votes: Counter[str] = field(default_factory=Counter)
    issuer_votes: Counter[tuple[str, str | None]] = field(default_factory=Counter)


@dataclass
class DocumentRegistry:
    """Collects citations from many cells; ``add`` answers the PolicyDocument each one cites."""

    documents: dict[str, PolicyDocument] = field(default_factory=dict)
    notices: list[Notice] = field(default_factory=list)
    _by_title: dict[str, str] = field(default_factory=dict)

    @staticmethod
    def _id(key: str) -> str:
        return "doc-" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]

    def add(self, citation: Citation, project: str, file: str = "", line: int | None = None,
            ) -> PolicyDocument | None:
        """The document ``citation`` cites (None for an unresolved one: a partial citation names no document).

        A title that disagrees with the title already known under the same number marks the citation
        ``conflicting`` (both kept, one document by its number) and gives a notice."""
        if citation.status == "unresolved":
            return None
        tkey = title_key(citation.title) if citation.title else None
        number = citation.key_number
        if number:
            key = "no:" + number
        elif tkey and tkey in self._by_title:
            key = self._by_title[tkey]
        elif tkey:
            key = "title:" + tkey
        else:
            key = "text:" + citation.text
        document = self.documents.get(key)
        if document is None:
            # a title seen before without a number now arrives with one: fold the title-only record in
            old = self.documents.pop("title:" + tkey, None) if tkey and number else None
            document = PolicyDocument(self._id(key), key, number, citation.title, citation.issuer,
                                      citation.issuer_level, citation.kind,
                                      completed=citation.doc_number is None and number is not None)
            if old is not None:
                document.cited_by.extend(old.cited_by)
                document.titles_seen |= old.titles_seen
                document.printed_numbers |= old.printed_numbers
                document.title_votes += old.title_votes
                document.kind_votes += old.kind_votes
                document.issuer_votes += old.issuer_votes
            self.documents[key] = document
        elif citation.title and document.title and tkey and tkey != title_key(document.title) \
                and tkey not in {title_key(t) for t in document.titles_seen}:
            if number and not titles_agree(citation.title, document.title):
                document.conflicting_titles.add(tkey)
                citation.status = "conflicting"
                citation.conflict = f"{number} is cited as {document.title!r} elsewhere"
            self.notices.append(Notice(file, line, "citation-title-conflict",
                                       f"{number}: title {citation.title!r} differs from "
                                       f"{document.title!r}; kept as one document by its number"))
        if citation.doc_number:
            document.completed = False  # printed whole somewhere
        if citation.printed_number:
            document.printed_numbers.add(citation.printed_number)
        if citation.title:
            document.titles_seen.add(citation.title)
            document.title_votes[citation.title] += 1
            if document.title is None:
                document.title = citation.title
        if citation.kind:
            document.kind_votes[citation.kind] += 1
        if citation.issuer:
            document.issuer_votes[citation.issuer, citation.issuer_level] += 1
        if document.issuer is None:
            document.issuer, document.issuer_level = citation.issuer, citation.issuer_level
        if tkey:
            self._by_title.setdefault(tkey, key)
        document.cited_by.append((project, citation.text))
        return document

    def settle(self) -> None:
        """Choose each document's title, kind and issuer by a rule over all its citations, not by the first
        one seen: the most cited; on a tie the longest title (the most complete printing), a kind other
        than 其他, then code-point order. So the order of the inputs changes nothing, and one disclosure
        printing a citation badly does not rename (or re-kind) a document that good ones cite too. Titles
        under the document's number that disagree with the chosen one are its conflicting titles."""
        for document in self.documents.values():
            if document.title_votes:
                document.title = min(document.title_votes,
                                     key=lambda title: (-document.title_votes[title], -len(title), title))
            if document.kind_votes:
                document.kind = min(document.kind_votes,
                                    key=lambda kind: (-document.kind_votes[kind], kind == "其他", kind))
            if document.issuer_votes:
                document.issuer, document.issuer_level = min(
                    document.issuer_votes, key=lambda issuer: (-document.issuer_votes[issuer], issuer[0],
                                                               issuer[1] or ""))
            if document.doc_number and document.title:
                document.conflicting_titles = {title_key(title) for title in document.titles_seen
                                               if not titles_agree(title, document.title)}
