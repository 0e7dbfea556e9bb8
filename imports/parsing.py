"""Reading an uploaded table: CSV (UTF-8 with or without a BOM, or Windows-1251; `;`, `,` or
a tab) or XLSX, into a header row and numbered data rows.

The encoding is told line by line: a file that is UTF-8 throughout is UTF-8; a file with
UTF-8 letters in it and a few lines that are not is UTF-8 with those lines broken; anything
else is Windows-1251 (the encoding Excel for Windows saves «CSV (разделители — точки с
запятой)» in). A broken line is reported by its number and left out, never guessed at.
Line numbers are the file's own: the header is line 1 (in XLSX, the sheet's row number).
"""

import csv
import datetime as dt
import io
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

XLSX_MAGIC = b"PK\x03\x04"
DELIMITERS = ";,\t"


class TableError(Exception):
    """The file cannot be read as a table at all (the message is for the admin)."""


@dataclass
class Table:
    headers: list[str]
    rows: list[tuple[int, list[str]]]  # (line number, cells)
    encoding: str = ""
    broken: list[int] = field(default_factory=list)  # lines with bytes of no known encoding


def read_table(content: bytes, *, max_rows: int | None = None) -> Table:
    """The table; with `max_rows`, reading stops one data line past it (the caller refuses
    the file without reading a huge workbook to its end)."""
    if content.startswith(XLSX_MAGIC):
        return _read_xlsx(content, max_rows)
    return _read_csv(content, max_rows)


# --- CSV ---------------------------------------------------------------------------------


def _utf8(line: bytes) -> str | None:
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        return None


def decode_lines(content: bytes) -> tuple[str, list[str], set[int]]:
    """The encoding, the decoded lines and the numbers (from 1) of the broken ones."""
    bom = content.startswith(b"\xef\xbb\xbf")
    if bom:
        content = content[3:]
    if b"\n" not in content:  # old Mac line endings: only carriage returns
        content = content.replace(b"\r", b"\n")
    raw = content.split(b"\n")
    as_utf8 = [_utf8(line) for line in raw]
    broken_utf8 = {n for n, text in enumerate(as_utf8, 1) if text is None}
    has_utf8_letters = any(text and not text.isascii() for text in as_utf8)
    if not broken_utf8 or bom or has_utf8_letters:
        lines = [
            text if text is not None else line.decode("utf-8", errors="replace")
            for text, line in zip(as_utf8, raw, strict=True)
        ]
        return "utf-8-sig" if bom else "utf-8", lines, broken_utf8
    lines, broken = [], set()
    for n, line in enumerate(raw, 1):
        try:
            lines.append(line.decode("cp1251"))
        except UnicodeDecodeError:
            lines.append(line.decode("cp1251", errors="replace"))
            broken.add(n)
    return "cp1251", lines, broken


def _delimiter(sample: str) -> str:
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        header = sample.splitlines()[0] if sample else ""
        return max(DELIMITERS, key=header.count)


def _read_csv(content: bytes, max_rows: int | None = None) -> Table:
    try:
        return _parse_csv(content, max_rows)
    except csv.Error as error:  # a runaway quote, a cell past the csv module's limit
        raise TableError(
            _("The file cannot be read as CSV: check its quotes and delimiters.")
        ) from error


def _parse_csv(content: bytes, max_rows: int | None) -> Table:
    encoding, lines, broken = decode_lines(content)
    text = "\n".join(line.rstrip("\r") for line in lines)
    if not text.strip():
        raise TableError(_("The file is empty."))
    first_lines = "\n".join(text.splitlines()[:20])
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(first_lines))
    headers, rows, broken_rows = None, [], []
    start = 1
    for cells in reader:
        end = reader.line_num
        span = set(range(start, end + 1))
        start = end + 1
        if span & broken:
            broken_rows.append(min(span & broken))
            continue
        if not any(c.strip() for c in cells):
            continue
        if headers is None:
            headers = [c.strip() for c in cells]
            continue
        rows.append((min(span), [c.strip() for c in cells]))
        if max_rows is not None and len(rows) > max_rows:
            break
    if headers is None:
        raise TableError(_("The file has no header row."))
    return Table(headers=headers, rows=rows, encoding=encoding, broken=sorted(broken_rows))


# --- XLSX --------------------------------------------------------------------------------


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _xlsx_rows(sheet, max_rows: int | None) -> tuple[list[str] | None, list]:
    headers, rows = None, []
    for number, values in enumerate(sheet.iter_rows(values_only=True), 1):
        cells = [_cell_text(v) for v in values]
        if not any(cells):
            continue
        if headers is None:
            headers = cells
            continue
        rows.append((number, cells))
        if max_rows is not None and len(rows) > max_rows:
            break
    return headers, rows


def _read_xlsx(content: bytes, max_rows: int | None = None) -> Table:
    import openpyxl  # only XLSX uploads need it

    try:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # a damaged or disguised file: openpyxl raises many kinds
        raise TableError(_("The file is not a readable XLSX workbook.")) from error
    try:
        headers, rows = _xlsx_rows(book.worksheets[0], max_rows)
    except Exception as error:  # the sheet's XML is read only now, row by row
        raise TableError(_("The file is not a readable XLSX workbook.")) from error
    finally:
        book.close()
    if headers is None:
        raise TableError(_("The file has no header row."))
    while headers and not headers[-1]:
        headers.pop()
    return Table(headers=headers, rows=rows, encoding="xlsx")
