"""Reading what schools upload: encodings, delimiters, headers, cell values."""

import datetime as dt
import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError

from imports import columns, values
from imports.models import ImportKind
from imports.parsing import TableError, read_table

HEADER = "Фамилия;Имя;Отчество;Дата рождения;Класс"


def test_cp1251_with_semicolons_and_a_russian_header():
    text = f"{HEADER}\r\nЁлкина;Дарья;Сергеевна;01.09.2015;3А\r\n"
    table = read_table(text.encode("cp1251"))
    assert table.encoding == "cp1251"
    assert table.headers == ["Фамилия", "Имя", "Отчество", "Дата рождения", "Класс"]
    assert table.rows == [(2, ["Ёлкина", "Дарья", "Сергеевна", "01.09.2015", "3А"])]


def test_utf8_with_a_bom_and_commas():
    text = "Фамилия,Имя,Дата рождения\nИванов-Петров,Игорь,2015-09-01\n"
    table = read_table(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert table.encoding == "utf-8-sig"
    assert table.headers[0] == "Фамилия"  # no BOM left in the first header
    assert table.rows == [(2, ["Иванов-Петров", "Игорь", "2015-09-01"])]


def test_a_utf8_line_with_broken_bytes_is_reported_by_its_number():
    good = "Фамилия;Имя\nИванов;Игорь\n".encode()
    content = good + b"\xd0\x9f\xff\xfe;X\n" + "Петров;Пётр\n".encode()
    table = read_table(content)
    assert table.encoding == "utf-8"
    assert table.broken == [3]
    assert [n for n, _cells in table.rows] == [2, 4]


def test_quoted_cells_with_the_delimiter_inside():
    text = 'Предмет;Сокращение\n"Физика; астрономия";Физ\n'
    table = read_table(text.encode())
    assert table.rows == [(2, ["Физика; астрономия", "Физ"])]


def test_xlsx_first_sheet_with_dates_as_dates():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Фамилия", "Имя", "Дата рождения", "Класс"])
    sheet.append(["Сидорова", "Мария", dt.datetime(2014, 3, 8), "4Б"])
    sheet.append([None, None, None, None])
    sheet.append(["Орлов", "Олег", "1.9.2015", 4])
    buffer = io.BytesIO()
    book.save(buffer)
    table = read_table(buffer.getvalue())
    assert table.encoding == "xlsx"
    assert table.rows == [
        (2, ["Сидорова", "Мария", "2014-03-08", "4Б"]),
        (4, ["Орлов", "Олег", "1.9.2015", "4"]),
    ]


def test_an_empty_file_or_a_fake_workbook_is_refused():
    with pytest.raises(TableError):
        read_table(b"")
    with pytest.raises(TableError):
        read_table(b"PK\x03\x04 not a workbook")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("01.09.2015", dt.date(2015, 9, 1)),
        ("1.9.2015", dt.date(2015, 9, 1)),
        ("2015-09-01", dt.date(2015, 9, 1)),
        ("01/09/2015", dt.date(2015, 9, 1)),
        ("01.09.15", dt.date(2015, 9, 1)),
        ("", None),
    ],
)
def test_dates_as_schools_write_them(text, expected):
    assert values.parse_date(text) == expected


@pytest.mark.parametrize("text", ["31.02.2015", "сентябрь", "2015/13/01"])
def test_bad_dates_get_a_russian_message(text):
    with pytest.raises(ValidationError) as error:
        values.parse_date(text)
    assert any("дат" in m or "date" in m for m in error.value.messages)


@pytest.mark.parametrize(
    "text, expected",
    [("7А", (7, "А")), ("7 «б»", (7, "Б")), ("11-В", (11, "В")), ("10 а", (10, "А"))],
)
def test_classes(text, expected):
    assert values.parse_class(text) == expected


def test_names_keep_yo_and_double_surnames():
    assert values.split_full_name("Ёжикова-Петрова  Анна Сергеевна") == (
        "Ёжикова-Петрова",
        "Анна",
        "Сергеевна",
    )
    assert values.name_key("Ёжикова") == values.name_key("ежикова")


def test_headers_with_synonyms_map_themselves():
    headers = ["ФИО родителя", "Тел.", "Эл. почта", "Кем приходится", "Фамилия", "Имя", "Класс"]
    mapping = columns.guess_mapping(ImportKind.GUARDIANS, headers)
    assert mapping == {
        "0": "guardian",
        "1": "phone",
        "2": "email",
        "3": "relation",
        "4": "last_name",
        "5": "first_name",
        "6": "class_name",
    }
    assert columns.missing_fields(ImportKind.GUARDIANS, mapping) == []


def test_unknown_headers_leave_fields_to_map():
    mapping = columns.guess_mapping(ImportKind.STUDENTS, ["Surname", "Name", "Класс"])
    assert mapping == {"2": "class_name"}
    assert columns.missing_fields(ImportKind.STUDENTS, mapping)


def test_a_csv_with_only_carriage_returns_is_read_line_by_line():
    content = "Фамилия;Имя\rИванов;Иван\rПетрова;Анна\r".encode("cp1251")
    table = read_table(content)
    assert table.headers == ["Фамилия", "Имя"]
    assert table.rows == [(2, ["Иванов", "Иван"]), (3, ["Петрова", "Анна"])]


def test_a_csv_the_csv_reader_refuses_is_a_table_error_in_russian():
    with pytest.raises(TableError, match="CSV"):
        read_table(b"a;b\n" + b"x" * 200_000 + b";y\n")


def test_a_workbook_with_a_damaged_sheet_is_a_table_error():
    import zipfile

    book = openpyxl.Workbook()
    book.active.append(["Фамилия", "Имя"])
    book.active.append(["Иванов", "Иван"])
    buffer = io.BytesIO()
    book.save(buffer)
    damaged = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source,
        zipfile.ZipFile(damaged, "w") as target,
    ):
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]
            target.writestr(item, data)
    with pytest.raises(TableError, match="XLSX"):
        read_table(damaged.getvalue())


def test_reading_stops_one_line_past_the_limit():
    book = openpyxl.Workbook()
    book.active.append(["Фамилия", "Имя"])
    for n in range(50):
        book.active.append(["Иванов", f"Иван{n}"])
    buffer = io.BytesIO()
    book.save(buffer)
    assert len(read_table(buffer.getvalue(), max_rows=10).rows) == 11
    lines = "\n".join(["Фамилия;Имя"] + [f"Иванов;Иван{n}" for n in range(50)])
    assert len(read_table(lines.encode(), max_rows=10).rows) == 11
    assert len(read_table(lines.encode()).rows) == 50
