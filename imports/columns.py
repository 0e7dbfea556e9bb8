"""The fields of each kind of import and the headers schools write for them.

A header is matched after folding case, ё and everything but letters and digits («E-mail»,
«e-mail», «Эл. почта» and «Электронная почта» all name the e-mail). When a required field
finds no column, the admin maps the columns by hand (the mapping step)."""

import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .models import ImportKind


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    synonyms: tuple[str, ...]
    required: bool = False


def header_key(text: str) -> str:
    return re.sub(r"[^0-9a-zа-я]", "", (text or "").casefold().replace("ё", "е"))


EXTERNAL_ID = Column(
    "external_id",
    _("Id in the school's records"),
    ("id", "код", "идентификатор", "внешний id", "внешний код", "номер личного дела", "snils"),
)
LAST = Column("last_name", _("Last name"), ("фамилия", "фамилия ученика", "фамилия обучающегося"))
FIRST = Column("first_name", _("First name"), ("имя", "имя ученика", "имя обучающегося"))
PATRONYMIC = Column("patronymic", _("Patronymic"), ("отчество", "отчество ученика"))
FULL = Column(
    "full_name",
    _("Full name (in one column)"),
    ("фио", "фио ученика", "ученик", "обучающийся", "фио обучающегося", "учащийся"),
)
BIRTH = Column(
    "birth_date", _("Birth date"), ("дата рождения", "др", "д р", "день рождения", "рожд")
)
CLASS = Column("class_name", _("Class"), ("класс", "класс ученика"))
SUBJECT = Column("subject", _("Subject"), ("предмет", "учебный предмет", "дисциплина"))
TEACHER = Column("teacher", _("Teacher"), ("учитель", "педагог", "фио учителя", "преподаватель"))
GROUP = Column("group", _("Study group"), ("группа", "подгруппа", "название группы"))

COLUMNS: dict[str, tuple[Column, ...]] = {
    ImportKind.STUDENTS: (EXTERNAL_ID, LAST, FIRST, PATRONYMIC, FULL, BIRTH, CLASS),
    ImportKind.GUARDIANS: (
        Column(
            "guardian",
            _("Parent's full name"),
            ("родитель", "фио родителя", "законный представитель", "фио законного представителя"),
            required=True,
        ),
        Column("relation", _("Relation"), ("кем приходится", "степень родства", "родство")),
        Column("phone", _("Phone"), ("телефон", "тел", "мобильный телефон", "телефон родителя")),
        Column(
            "email",
            _("E-mail"),
            ("e-mail", "email", "эл почта", "электронная почта", "почта", "e-mail родителя"),
        ),
        Column("document_ref", _("Application reference"), ("заявление", "номер заявления")),
        LAST,
        FIRST,
        PATRONYMIC,
        FULL,
        BIRTH,
        CLASS,
        EXTERNAL_ID,
    ),
    ImportKind.TEACHERS: (
        EXTERNAL_ID,
        LAST,
        FIRST,
        PATRONYMIC,
        Column("full_name", _("Full name (in one column)"), ("фио", "учитель", "педагог")),
        Column("position", _("Position"), ("должность",)),
    ),
    ImportKind.SUBJECTS: (
        Column("name", _("Subject"), ("предмет", "название", "наименование"), required=True),
        Column("short_name", _("Short name"), ("сокращение", "краткое название", "кратко")),
    ),
    ImportKind.GROUPS: (
        Column("group", GROUP.label, GROUP.synonyms, required=True),
        Column("subject", SUBJECT.label, SUBJECT.synonyms, required=True),
        CLASS,
        FULL,
        BIRTH,
    ),
    ImportKind.ASSIGNMENTS: (
        Column("teacher", TEACHER.label, TEACHER.synonyms, required=True),
        Column("subject", SUBJECT.label, SUBJECT.synonyms, required=True),
        Column("class_or_group", _("Class or group"), ("класс группа", "класс", "группа")),
    ),
    ImportKind.TIMETABLE: (
        Column("weekday", _("Weekday"), ("день недели", "день"), required=True),
        Column("lesson_number", _("Lesson number"), ("номер урока", "урок", "no"), required=True),
        Column(
            "class_or_group",
            _("Class or group"),
            ("класс группа", "класс", "группа"),
            required=True,
        ),
        Column("subject", SUBJECT.label, SUBJECT.synonyms, required=True),
        Column("teacher", TEACHER.label, TEACHER.synonyms, required=True),
        Column("room", _("Room"), ("кабинет", "каб", "аудитория")),
    ),
}

# Fields of which at least one set must be mapped (names in one column or in three).
NAME_SETS = {
    ImportKind.STUDENTS: (("last_name", "first_name"), ("full_name",)),
    ImportKind.GUARDIANS: (("last_name", "first_name"), ("full_name",)),
    ImportKind.TEACHERS: (("last_name", "first_name"), ("full_name",)),
}


def columns_of(kind: str) -> tuple[Column, ...]:
    return COLUMNS[kind]


def guess_mapping(kind: str, headers: list[str]) -> dict[str, str]:
    """Column index (as a string) → field, for the headers the school wrote as we know them.
    Each field takes the first column that names it."""
    by_key = {}
    for column in columns_of(kind):
        for synonym in (column.name, *column.synonyms):
            by_key.setdefault(header_key(synonym), column.name)
    mapping, taken = {}, set()
    for index, header in enumerate(headers):
        name = by_key.get(header_key(header))
        if name and name not in taken:
            mapping[str(index)] = name
            taken.add(name)
    return mapping


def missing_fields(kind: str, mapping: dict[str, str]) -> list[str]:
    """The labels of what the mapping still lacks ([] when it can be checked)."""
    mapped = set(mapping.values())
    missing = [str(c.label) for c in columns_of(kind) if c.required and c.name not in mapped]
    sets = NAME_SETS.get(kind)
    if sets and not any(set(s) <= mapped for s in sets):
        missing.append(str(_("Last name and first name, or the full name")))
    return missing
