"""Tables as spreadsheets: XLSX (openpyxl) and CSV for Russian Excel (UTF-8 with a BOM, `;`).

A cell a spreadsheet would read as a formula (starting with = + - @, a tab or a carriage
return) is prefixed with an apostrophe: a name or a comment typed as `=HYPERLINK(…)` stays
text (formula injection)."""

import csv
import io

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def to_csv(tables) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    for index, table in enumerate(tables):
        if index:
            writer.writerow([])
        writer.writerow([safe_cell(table.title)])
        writer.writerow([safe_cell(c) for c in table.header])
        for row in table.rows:
            writer.writerow([safe_cell(c) for c in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(tables) -> bytes:
    from openpyxl import Workbook  # imported when a workbook is made, not with the URL conf
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    for index, table in enumerate(tables, 1):
        # Sheet titles: at most 31 characters, none of []:*?/\
        title = "".join(ch for ch in table.title if ch not in "[]:*?/\\")[:28] or "Лист"
        sheet = book.create_sheet(f"{index}. {title}"[:31])
        sheet.append([safe_cell(c) for c in table.header])
        for row in table.rows:
            # Every cell as text: openpyxl writes a string starting with "=" as a formula.
            sheet.append([safe_cell(c) for c in row])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
