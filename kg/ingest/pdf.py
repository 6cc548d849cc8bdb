"""PDF ingest: a disclosure PDF read as positioned text, laid out the way ``pdftotext -layout`` lays it out.

Every character of the text layer comes with its box (PDFium, through pypdfium2: fast, and exact about
positions). Characters are grouped into printed lines and words. Each line is rendered as text, text set
apart starting at the character column of its x position (a column is a digit's width on that page), so the
text reader's space-aligned path (``kg.ingest.layout`` → ``kg.tables.grid``) reads tables out of a PDF as it
reads them out of a ``pdftotext -layout`` export, ruled or not, with each cell's exact printed extent. A blank
line separates pages; ``PdfText.pages`` keeps where each page starts so that a line can be given as a page.

Anything that cannot be read raises ``IngestError`` with a code (``not-a-pdf``, ``pdf-encrypted``,
``pdf-corrupt``, ``pdf-no-text``) and a message a user can act on, never a traceback. A page that cannot be
read, or holds only images, is a notice; the other pages are kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from statistics import median
from typing import Any

from kg.errors import IngestError
from kg.ingest.layout import Cell, split_cells
from kg.ingest.pdf_limits import PdfLimits
from kg.records import Notice

__all__ = ["PdfText", "pdf_to_text", "read_pdf"]

# The spec lets "%PDF-" sit anywhere in the first 1 KiB; readers look for "%%EOF" near the end.
_HEADER_WINDOW = 1024
_TRAILER_WINDOW = 2048

# Gaps between two characters of a line, in ems of the font size: a space between two words; text set
# further apart (another column, or a word spaced out in its cell) goes to the column of its x position.
_WORD_GAP_EM = 0.3
_CELL_GAP_EM = 0.6
_SAME_LINE = 0.5  # two characters whose vertical centres differ by less than this many ems share a line
_DUPLICATE = 1.0  # points: the same glyph drawn twice (fake bold, double-drawn CJK) within this is one glyph

# Word's GB2312 fonts map the document-number brackets 〔〕 to „‟ (U+201E/U+201F) in their ToUnicode
# table: "苏财预„2018‟13号" is printed as "苏财预〔2018〕13号". Bounded to a year so other uses survive.
_MISMAPPED_YEAR_BRACKETS = re.compile(r"„(\d{4})‟")


@dataclass
class PdfText:
    """A PDF read into layout text, with what the reader noticed on the way."""

    text: str
    page_count: int
    pages: list[int] = field(default_factory=list)  # 1-based line number where each page's text starts
    cells: list[list[Cell]] = field(default_factory=list)  # per line of ``text``: its cells, exact extents
    notices: list[Notice] = field(default_factory=list)
    unreadable_pages: list[int] = field(default_factory=list)  # 1-based page numbers


@dataclass
class _Char:
    text: str
    x0: float
    x1: float
    y: float  # vertical centre, top-down
    size: float
    space_after: bool = False


_NO_PAGE_EDGE = 14_400.0  # the largest page PDF allows (200 in), in points


def pdf_to_text(data: bytes, file: str) -> str:
    """The PDF's layout text. Raises IngestError when it cannot be read.

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
    """The PDF as layout text plus page starts and notices (unreadable pages, image-only pages).

    Notice lines are line numbers in ``text`` (where the page's text starts), as read_source numbers them.
    """
    _check_envelope(data, file)
    import pypdfium2 as pdfium  # imported only when a PDF is actually read

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise IngestError(file, "PDF is encrypted with a password; save an unprotected copy and retry",
                              code="pdf-encrypted") from None
        raise IngestError(file, f"PDF is corrupt and cannot be opened ({_describe(exc)})",
                          code="pdf-corrupt") from None
    notices: list[Notice] = []
    unreadable: list[int] = []
    page_chars: list[list[list[_Char]]] = []
    starts: list[int] = []
    image_only = 0
    next_line = 1
    limits = PdfLimits.from_environment()
    glyphs_so_far = 0
    try:
        count = len(document)
        if count == 0:
            raise IngestError(file, "PDF has no pages (corrupt or truncated); download it again",
                              code="pdf-corrupt")
        limits.check_pages(count, file)
        for index in range(count):
            number = index + 1
            starts.append(next_line)
            lines: list[list[_Char]] = []
            try:
                page = document[index]
                try:
                    textpage = page.get_textpage()
                    try:
                        glyphs = textpage.count_chars()
                        glyphs_so_far += max(glyphs, 0)
                        limits.check_glyphs(number, glyphs, glyphs_so_far, file)
                        lines, has_images = _page_lines(page, textpage, pdfium)
                    finally:
                        textpage.close()
                finally:
                    page.close()
            except IngestError:
                raise
            except Exception as exc:  # one bad page must not lose the others
                unreadable.append(number)
                notices.append(Notice(file, next_line, "pdf-page-unreadable",
                                      f"page {number} cannot be read ({_describe(exc)}); its content is missing",
                                      "error"))
            else:
                if not lines and has_images:
                    image_only += 1
                    notices.append(Notice(file, next_line, "pdf-page-no-text",
                                          f"page {number} holds only images (a scan?): its content is not read;"
                                          " OCR it", "warning"))
            page_chars.append(lines)
            next_line += len(lines) + 1  # the page's lines and the blank line after it
    finally:
        document.close()
    unit = _column_unit(page_chars)
    page_texts = [_render(lines, unit) for lines in page_chars]
    if not any(any(text.strip() for text, _ in lines) for lines in page_texts):
        if unreadable:
            raise IngestError(file, f"no page of the PDF can be read ({notices[0].message})", code="pdf-corrupt")
        scanned = f"; {image_only} page(s) hold only images, so it is a scan" if image_only else ""
        raise IngestError(file, f"PDF has no text layer{scanned}: run OCR first (e.g. `ocrmypdf in.pdf out.pdf`)"
                          " and give the OCR'd PDF", code="pdf-no-text")
    # each page's lines, then a blank line; brackets mapped wrongly keep their width, so positions stay right
    rows = [row for lines in page_texts for row in [*lines, ("", [])]]
    text = "".join(_MISMAPPED_YEAR_BRACKETS.sub(r"〔\1〕", t) + "\n" for t, _ in rows)
    cells = [[Cell(_MISMAPPED_YEAR_BRACKETS.sub(r"〔\1〕", c.text), c.x0, c.x1) for c in line] for _, line in rows]
    return PdfText(text=text, page_count=len(page_texts), pages=starts, cells=cells, notices=notices,
                   unreadable_pages=unreadable)


def _describe(exc: BaseException) -> str:
    message = str(exc).strip() or type(exc).__name__
    return message[:200]


def _check_envelope(data: bytes, file: str) -> None:
    """Cheap byte-level checks that a PDF library would otherwise paper over (a truncated file as 0 pages)."""
    if not data.strip():
        raise IngestError(file, "file is empty", code="not-a-pdf")
    if b"%PDF-" not in data[:_HEADER_WINDOW]:
        raise IngestError(file, "not a PDF (no %PDF- header); give a .pdf or a .txt extraction",
                          code="not-a-pdf")
    if b"%%EOF" not in data[-_TRAILER_WINDOW:]:
        raise IngestError(file, f"PDF is truncated or corrupt: no %%EOF marker at the end ({len(data)} bytes);"
                          " download it again", code="pdf-corrupt")


# --- one page ------------------------------------------------------------------------------------------


def _page_lines(page: Any, textpage: Any, pdfium: Any) -> tuple[list[list[_Char]], bool]:
    """The page's lines of characters, and whether it holds images (a scan, when it has no text)."""
    raw = pdfium.raw
    box = page.get_mediabox()
    if box[2] - box[0] <= 0 or box[3] - box[1] <= 0:  # a malformed /MediaBox: keep every glyph, none is off it
        box = (0.0, 0.0, _NO_PAGE_EDGE, _NO_PAGE_EDGE)
    chars = _chars(textpage, raw, box, page.get_rotation())
    has_images = False
    if not chars:
        has_images = any(True for _ in page.get_objects(filter=[raw.FPDF_PAGEOBJ_IMAGE], max_depth=2))
        return [], has_images
    return _lines(chars), has_images


def _chars(textpage: Any, raw: Any, box: tuple[float, float, float, float], rotation: int) -> list[_Char]:
    """The page's characters with their boxes on the displayed page; ``box`` is the media box (user space)."""
    page_left, page_bottom, page_right, page_top = box
    width, height = page_right - page_left, page_top - page_bottom
    out: list[_Char] = []
    for index in range(textpage.count_chars()):
        if raw.FPDFText_IsGenerated(textpage.raw, index) == 1:
            continue  # a space or line break PDFium inferred: the layout below infers its own
        code = raw.FPDFText_GetUnicode(textpage.raw, index)
        if code < 32 or 0xD800 <= code <= 0xDFFF or code in (0xFFFE, 0xFFFF):
            continue
        char = chr(code)
        if char.isspace():
            if out:
                out[-1].space_after = True  # a space the PDF prints: a word ends here, however narrow
            continue
        left, bottom, right, top = textpage.get_charbox(index, loose=True)
        if not (page_left <= (left + right) / 2 <= page_right and page_bottom <= (bottom + top) / 2 <= page_top):
            continue  # drawn off the page (Word leaves such copies; no reader shows them)
        x0, x1, y0, y1 = _upright(left - page_left, bottom - page_bottom, right - page_left, top - page_bottom,
                                  width, height, rotation)
        size = y1 - y0
        if size <= 0 or x1 < x0:
            continue
        out.append(_Char(char, x0, x1, (y0 + y1) / 2, size))
    return out


def _upright(left: float, bottom: float, right: float, top: float, width: float, height: float,
             rotation: int) -> tuple[float, float, float, float]:
    """A box in PDF user space as it stands on the displayed page: (x0, x1, top, bottom), y downwards."""
    if rotation == 90:
        return bottom, top, left, right
    if rotation == 180:
        return width - right, width - left, bottom, top
    if rotation == 270:
        return height - top, height - bottom, width - right, width - left
    return left, right, height - top, height - bottom


def _lines(chars: list[_Char]) -> list[list[_Char]]:
    """Characters grouped into printed lines, top to bottom, each left to right, duplicates dropped."""
    chars.sort(key=lambda c: c.y)
    lines: list[list[_Char]] = []
    for char in chars:
        if lines and abs(char.y - lines[-1][0].y) < _SAME_LINE * max(char.size, lines[-1][0].size):
            lines[-1].append(char)
        else:
            lines.append([char])
    lines = _punctuation_raised(lines)
    out: list[list[_Char]] = []
    for line in lines:
        line.sort(key=lambda c: c.x0)
        kept: list[_Char] = []
        for char in line:
            if any(k.text == char.text and abs(k.x0 - char.x0) < _DUPLICATE and abs(k.y - char.y) < _DUPLICATE
                   for k in kept[-3:]):
                continue
            kept.append(char)
        out.append(kept)
    return out


_LOW_PUNCTUATION = frozenset("、，。；：,.")


def _punctuation_raised(lines: list[list[_Char]]) -> list[list[_Char]]:
    """A line of punctuation alone ("、" under "一" of "一、一般公共预算财政拨款"): some fonts box 、 in the lower
    half of the em, far enough down to make a line of its own. Each mark goes back to the line above when it
    stands right after one of that line's characters, within an em below it."""
    out: list[list[_Char]] = []
    for line in lines:
        above = out[-1] if out else None
        if above is not None and all(c.text in _LOW_PUNCTUATION for c in line) and all(
                any(0 <= c.y - a.y <= max(a.size, c.size) and abs(c.x0 - a.x1) <= 0.5 * a.size for a in above)
                for c in line):
            for c in line:
                c.y = above[0].y
            above.extend(line)
            continue
        out.append(line)
    return out


def _column_unit(pages: list[list[list[_Char]]]) -> float:
    """Points per character column, one for the whole document: a table continued on the next page stands at
    the same points there, and must stand at the same columns — a page measured by its own digits (a 政府采购
    table's small print alone on a page, the tables before it on the last) would print it wider or narrower.
    The width of the document's digits (the median of all; half the characters' size when it prints none)."""
    digits = [c.x1 - c.x0 for lines in pages for line in lines for c in line if c.text.isdigit()]
    if digits:
        return max(median(digits), 1.0)
    sizes = [c.size for lines in pages for line in lines for c in line]
    return max(median(sizes) / 2, 1.0) if sizes else 1.0


def _render(lines: list[list[_Char]], unit: float) -> list[tuple[str, list[Cell]]]:
    """Lines as text in the manner of ``pdftotext -layout``: words a normal space apart one space apart, text
    set further apart at the character column of its x position (``unit`` points per column). With each line
    its cells as the text reader cuts them, but with their exact printed extents (in the same columns): a
    label in a larger font than the amounts under it is as wide as it is printed, not as its characters
    count."""
    rendered: list[tuple[str, list[Cell]]] = []
    for line in lines:
        text = ""
        owners: list[_Char | None] = []
        previous: _Char | None = None
        for char in line:
            if previous is None:
                padding = round(char.x0 / unit)
            else:
                gap = (char.x0 - previous.x1) / max(char.size, previous.size)
                if gap >= _CELL_GAP_EM:  # another column, or text set apart: at its own column
                    padding = max(2, round(char.x0 / unit) - len(text))  # a column gap stays one
                elif previous.space_after or gap >= _WORD_GAP_EM:  # a space between words
                    padding = 1
                else:
                    padding = 0
            text += " " * padding + char.text
            owners += [None] * padding + [char] * len(char.text)
            previous = char
        cells: list[Cell] = []
        for cell in split_cells(text):
            start = int(cell.x0)
            printed = [c for c in owners[start:start + len(cell.text)] if c is not None]
            x0, x1 = min(c.x0 for c in printed) / unit, max(c.x1 for c in printed) / unit
            cells.append(Cell(cell.text, x0, x1))
        rendered.append((text.rstrip(), cells))
    return rendered
