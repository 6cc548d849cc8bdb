"""PDF ingest: turn a disclosure PDF into text shaped like the seed .txt files.

Shape of the output (what kg.ingest normalises next):
- one line per table row, cells separated by TAB; a merged cell gives empty cells, a cell whose text wraps
  inside the cell is joined into one cell (never a newline inside a cell);
- narrative lines as lines, a paragraph that wraps at the right margin joined back into one line;
- a blank line between pages and between a table and the text around it.

Tables are found from their ruling lines (pdfplumber ``find_tables``). Text outside ruled tables keeps its
columns by alignment: a wide horizontal gap becomes a TAB, so unruled tables and tables of contents still come
out as TAB-separated rows.

Anything that cannot be read raises ``IngestError`` with a code (``not-a-pdf``, ``pdf-encrypted``,
``pdf-corrupt``, ``pdf-no-text``) and a message a user can act on, never a traceback.
"""

from __future__ import annotations

import io
import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from kg.errors import IngestError
from kg.records import Notice

__all__ = ["PdfText", "pdf_to_text", "read_pdf"]

Char = dict[str, Any]  # a pdfplumber char object: text, x0, x1, top, bottom, size, …

# The spec lets "%PDF-" sit anywhere in the first 1 KiB; readers look for "%%EOF" near the end.
_HEADER_WINDOW = 1024
_TRAILER_WINDOW = 2048

# Gaps are measured in ems (multiples of the font size) so the rules hold for 9 pt tables and 18 pt titles.
_WIDE_GAP_EM = 2.0  # a column gap: becomes a TAB (or a new line for label：value fields)
_WORD_GAP_EM = 0.2  # between two Latin letters/digits without a space glyph: a word space
_LINE_TOLERANCE = 3.0  # points: chars whose tops differ by less sit on one line

# Word's "autospace" puts a quarter-em gap between CJK and Latin text ("2018 年"); it is layout, not a space.
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")
_ASCII_WORD = re.compile(r"[0-9A-Za-z]")
_LABEL_END = ("：", ":")
# A line opening with a list marker starts a new item even when the line above ran to the margin (TOC entries,
# "十、…" headings). "3.5%" is not a marker: the dot must not be followed by a digit.
_ITEM_MARKER = re.compile(
    r"^(?:[一二三四五六七八九十]{1,3}、|[（(][一二三四五六七八九十\d]{1,3}[）)]"
    r"|\d{1,2}[.、．](?!\d)|第[一二三四五六七八九十]{1,3}部分)"
)

# Word's GB2312 fonts map the document-number brackets 〔〕 to „‟ (U+201E/U+201F) in their ToUnicode
# table: "苏财预„2018‟13号" is printed as "苏财预〔2018〕13号". Bounded to a year so other uses survive.
_MISMAPPED_YEAR_BRACKETS = re.compile(r"„(\d{4})‟")


@dataclass
class PdfText:
    """A PDF read into seed-shaped text, with what the reader noticed on the way."""

    text: str
    page_count: int
    table_count: int = 0
    notices: list[Notice] = field(default_factory=list)
    unreadable_pages: list[int] = field(default_factory=list)  # 1-based page numbers


@dataclass
class _Line:
    """One printed line: its column segments (split at wide gaps) and where it sits."""

    segments: list[str]
    x0: float
    x1: float
    top: float
    bottom: float
    size: float


def pdf_to_text(data: bytes, file: str) -> str:
    """The PDF's text in the seed .txt shape (see module doc). Raises IngestError when it cannot be read.

    Strict: a page that cannot be read raises (code ``pdf-corrupt``, line = page number) rather than vanish,
    since this contract has no way to report it. ``read_pdf`` keeps the other pages and returns notices.
    """
    result = read_pdf(data, file)
    if result.unreadable_pages:
        first = next(n for n in result.notices if n.code == "pdf-page-unreadable")
        raise IngestError(file, f"{first.message} ({len(result.unreadable_pages)} unreadable page(s))",
                          line=result.unreadable_pages[0], code="pdf-corrupt")
    return result.text


def read_pdf(data: bytes, file: str) -> PdfText:
    """The PDF as seed-shaped text plus page/table counts and notices (unreadable pages, image-only pages).

    Notice lines are line numbers in ``text`` (where the page's text would start), as read_source numbers them.
    """
    _check_envelope(data, file)
    import pdfplumber  # heavy: imported only when a PDF is actually read
    from pdfminer.pdfdocument import PDFPasswordIncorrect

    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except Exception as exc:  # pdfminer raises many unrelated types for broken files
        cause = exc.__cause__ or exc.__context__ or exc
        if isinstance(cause, PDFPasswordIncorrect) or isinstance(exc, PDFPasswordIncorrect):
            raise IngestError(file, "PDF is encrypted with a password; save an unprotected copy and retry",
                              code="pdf-encrypted") from None
        raise IngestError(file, f"PDF is corrupt and cannot be opened ({_describe(exc)})",
                          code="pdf-corrupt") from None
    notices: list[Notice] = []
    unreadable_pages: list[int] = []
    page_texts: list[str] = []
    table_count = 0
    image_only_pages = 0
    next_line = 1  # where the current page's text starts in the output
    with pdf:
        pages = _pages(pdf, file)
        for page in pages:
            number = page.page_number
            notice: Notice | None = None
            lines: list[str] = []
            try:
                lines, tables_here, has_text = _page_lines(page)
            except Exception as exc:  # one bad page must not lose the others
                unreadable_pages.append(number)
                notice = Notice(file, next_line, "pdf-page-unreadable",
                                f"page {number} cannot be read ({_describe(exc)}); its content is missing",
                                "error")
            else:
                table_count += tables_here
                if not has_text and page.images:
                    image_only_pages += 1
                    notice = Notice(file, next_line, "pdf-page-no-text",
                                    f"page {number} holds only images (a scan?): its content is not read; OCR it",
                                    "warning")
            if notice is not None:
                notices.append(notice)
            page_texts.append("\n".join(lines))
            next_line += len(lines) + 1  # the page's lines and the blank line after it
    if not any(text.strip() for text in page_texts):
        if unreadable_pages:
            raise IngestError(file, f"no page of the PDF can be read ({notices[0].message})", code="pdf-corrupt")
        scanned = f"; {image_only_pages} page(s) hold only images, so it is a scan" if image_only_pages else ""
        raise IngestError(file, f"PDF has no text layer{scanned}: run OCR first (e.g. `ocrmypdf in.pdf out.pdf`)"
                          " and give the OCR'd PDF", code="pdf-no-text")
    text = "\n\n".join(page_texts)
    text = _MISMAPPED_YEAR_BRACKETS.sub(r"〔\1〕", text)
    return PdfText(text=text + "\n", page_count=len(pages), table_count=table_count, notices=notices,
                   unreadable_pages=unreadable_pages)


def _describe(exc: BaseException) -> str:
    message = str(exc).strip() or type(exc).__name__
    return message[:200]


def _check_envelope(data: bytes, file: str) -> None:
    """Cheap byte-level checks that pdfminer would otherwise paper over (it opens a truncated file as 0 pages)."""
    if not data.strip():
        raise IngestError(file, "file is empty", code="not-a-pdf")
    if b"%PDF-" not in data[:_HEADER_WINDOW]:
        raise IngestError(file, "not a PDF (no %PDF- header); give a .pdf or a .txt extraction",
                          code="not-a-pdf")
    if b"%%EOF" not in data[-_TRAILER_WINDOW:]:
        raise IngestError(file, f"PDF is truncated or corrupt: no %%EOF marker at the end ({len(data)} bytes);"
                          " download it again", code="pdf-corrupt")


def _pages(pdf: Any, file: str) -> list[Any]:
    from pdfminer.pdfdocument import PDFPasswordIncorrect

    try:
        pages = list(pdf.pages)
    except PDFPasswordIncorrect:
        raise IngestError(file, "PDF is encrypted with a password; save an unprotected copy and retry",
                          code="pdf-encrypted") from None
    except Exception as exc:
        raise IngestError(file, f"PDF page tree is corrupt ({_describe(exc)})", code="pdf-corrupt") from None
    if not pages:
        raise IngestError(file, "PDF has no pages (corrupt or truncated); download it again", code="pdf-corrupt")
    return pages


# --- one page ------------------------------------------------------------------------------------------


def _is_ink(obj: dict[str, Any]) -> bool:
    """False for white background fills: Excel prints them under the title band and pdfplumber would take
    their edges for ruling lines, swallowing the title into one giant cell."""
    if obj.get("object_type") != "rect" or obj.get("stroke"):
        return True
    colour = obj.get("non_stroking_color")
    if colour is None:
        return True
    values = colour if isinstance(colour, list | tuple) else (colour,)
    try:
        return not (values and all(float(v) == 1.0 for v in values))
    except (TypeError, ValueError):  # pattern fills are names, not numbers: keep them
        return True


def _page_lines(page: Any) -> tuple[list[str], int, bool]:
    """The page's output lines (tables and text in reading order), its table count, and whether it had text."""
    inked = page.filter(_is_ink)
    chars = [c for c in inked.chars if c["text"].strip() or c["text"] == " "]
    if not any(c["text"].strip() for c in chars):
        return [], 0, False
    tables = sorted((t for t in inked.find_tables() if len(t.rows) > 0), key=lambda t: t.bbox[1])
    # blocks: (top, lines, is_table); text outside every table goes to the free-text block(s)
    blocks: list[tuple[float, list[str], bool]] = []
    free: list[Char] = []
    table_chars: list[list[Char]] = [[] for _ in tables]
    for char in chars:
        index = _table_of(char, tables)
        if index is None:
            free.append(char)
        else:
            table_chars[index].append(char)
    for table, inside in zip(tables, table_chars, strict=True):
        rows = _table_rows(table, inside)
        if rows:
            blocks.append((table.bbox[1], rows, True))
    free_lines = _reflow(_group_lines(free))
    # split free text at the tables' tops so that text between two tables stays between them
    table_tops = sorted(top for top, _, is_table in blocks if is_table)
    chunks: dict[int, list[_Line]] = {}
    for line in free_lines:
        chunks.setdefault(bisect_right(table_tops, line.top), []).append(line)
    for chunk in chunks.values():
        blocks.append((chunk[0].top, [text for line in chunk for text in _render(line)], False))
    blocks.sort(key=lambda block: block[0])
    out: list[str] = []
    previous_was_table: bool | None = None
    for _, lines, is_table in blocks:
        if out and (is_table or previous_was_table):
            out.append("")
        out.extend(lines)
        previous_was_table = is_table
    return out, len([b for b in blocks if b[2]]), True


def _table_of(char: Char, tables: Sequence[Any]) -> int | None:
    x = (char["x0"] + char["x1"]) / 2
    y = (char["top"] + char["bottom"]) / 2
    for index, table in enumerate(tables):
        x0, top, x1, bottom = table.bbox
        if x0 <= x <= x1 and top <= y <= bottom:
            return index
    return None


def _table_rows(table: Any, chars: list[Char]) -> list[str]:
    """TAB-joined rows. Each char goes to the cell holding its centre; a merged cell gives empty cells."""
    rows = table.rows
    row_tops = [row.bbox[1] for row in rows]
    cell_chars: list[list[list[Char]]] = [[[] for _ in row.cells] for row in rows]
    for char in chars:
        x = (char["x0"] + char["x1"]) / 2
        y = (char["top"] + char["bottom"]) / 2
        row_index = bisect_right(row_tops, y) - 1
        if row_index < 0:
            continue
        # a merged cell spanning rows is listed on its first row only: look upwards for it
        for candidate in range(row_index, -1, -1):
            hit = _cell_at(rows[candidate].cells, x, y)
            if hit is not None:
                cell_chars[candidate][hit].append(char)
                break
    out: list[str] = []
    for cells in cell_chars:
        texts = [_cell_text(c) for c in cells]
        if any(texts):  # a row with no text carries nothing and would read as a block break
            out.append("\t".join(texts))
    return out


def _cell_at(cells: Sequence[tuple[float, float, float, float] | None], x: float, y: float) -> int | None:
    for index, bbox in enumerate(cells):
        if bbox is not None and bbox[0] <= x <= bbox[2] and bbox[1] <= y <= bbox[3]:
            return index
    return None


def _cell_text(chars: list[Char]) -> str:
    """All lines of a cell as one string: wrapped text is joined, never split by a newline or TAB."""
    parts = [" ".join(line.segments) for line in _group_lines(chars)]
    return _join_wrapped(part for part in parts if part)


def _join_wrapped(parts: Iterable[str]) -> str:
    """Join wrapped pieces: nothing between CJK (a line break is no word break), a space between words."""
    text = ""
    for part in parts:
        if text and not (_CJK.match(text[-1]) or _CJK.match(part[0]) or text[-1] in "-/（(" or part[0] in ")）"):
            text += " "
        text += part
    return text


# --- lines ---------------------------------------------------------------------------------------------


def _group_lines(chars: list[Char]) -> list[_Line]:
    """Chars → printed lines, top to bottom; within a line, segments separated at wide (column) gaps."""
    if not chars:
        return []
    ordered = sorted(chars, key=lambda c: (c["top"], c["x0"]))
    groups: list[list[Char]] = [[ordered[0]]]
    line_top = ordered[0]["top"]
    for char in ordered[1:]:
        if char["top"] - line_top <= _LINE_TOLERANCE:
            groups[-1].append(char)
        else:
            groups.append([char])
            line_top = char["top"]
    lines = [_make_line(sorted(group, key=lambda c: c["x0"])) for group in groups]
    return [line for line in lines if line.segments]


def _make_line(chars: list[Char]) -> _Line:
    size = max(float(c.get("size") or 0) for c in chars) or 10.0
    segments: list[str] = []
    current = ""
    previous: Char | None = None
    for char in chars:
        text = char["text"]
        if previous is not None:
            gap = char["x0"] - previous["x1"]
            if gap > _WIDE_GAP_EM * size:
                segments.append(current)
                current = ""
            elif (gap > _WORD_GAP_EM * size and text != " " and not current.endswith(" ")
                  and _ASCII_WORD.match(previous["text"]) and _ASCII_WORD.match(text)):
                current += " "
        if previous is not None and abs(char["x0"] - previous["x0"]) < 0.01 and text == previous["text"]:
            continue  # fake bold: the same glyph printed twice at the same place
        current += text
        previous = char
    segments.append(current)
    cleaned = [re.sub(r" {2,}", " ", s).strip() for s in segments]
    return _Line(segments=[s for s in cleaned if s], x0=chars[0]["x0"], x1=max(c["x1"] for c in chars),
                 top=min(c["top"] for c in chars), bottom=max(c["bottom"] for c in chars), size=size)


def _reflow(lines: list[_Line]) -> list[_Line]:
    """Join a paragraph's lines: a line reaching the right margin continues on the next, unindented line."""
    if len(lines) < 2:
        return lines
    left = min(line.x0 for line in lines)
    right = max(line.x1 for line in lines)
    out = [lines[0]]
    for line in lines[1:]:
        last = out[-1]
        continues = (
            len(last.segments) == 1 and len(line.segments) == 1
            and abs(last.size - line.size) < 0.5
            and last.x1 >= right - 1.5 * last.size  # ran to the right margin (justified or nearly so)
            and line.x0 <= left + 0.5 * line.size  # and the next line is not indented (no new paragraph)
            and line.top - last.bottom < 1.2 * line.size  # and follows directly (no block gap)
            and not _ITEM_MARKER.match(line.segments[0])
        )
        if continues:
            last.segments = [_join_wrapped([last.segments[0], line.segments[0]])]
            last.x1, last.bottom = line.x1, line.bottom
        else:
            out.append(line)
    return out


def _render(line: _Line) -> list[str]:
    """A free-text line as output lines: columns TAB-separated; "部门：  X   单位：万元" as one line per field."""
    segments: list[str] = []
    for segment in line.segments:
        if segments and segments[-1].endswith(_LABEL_END):
            # "部门：" printed in one column, its value in the next
            segments[-1] += (" " if segments[-1].endswith(":") else "") + segment
        else:
            segments.append(segment)
    if len(segments) > 1 and all(_is_field(s) for s in segments):
        return segments
    return ["\t".join(segments)]


def _is_field(segment: str) -> bool:
    label, colon, value = segment.replace(":", "：").partition("：")
    return bool(colon and label and value and len(label) <= 12)
