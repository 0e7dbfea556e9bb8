"""The personal-data export as the family reads it (152-FZ art. 14): what the school holds
about one parent and one child, grouped by the purpose of the registry (consent.pdregistry),
with the legal basis of each purpose and the retention of each kind of record.

Rows come from every registered model, one query each; a field is shown by its Russian name
and formatted as people write it (dates, yes/no, phones, choices by their labels). What only
the software needs is left out: ids, the school, versions, hashes, account flags, delivery
internals. A foreign key is shown by what names it (a subject by its name, a class as 7 «А», a
staff member by their name); the parent and the child themselves are named once, on top.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field

from django.db import models
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from school.models import Guardian, Student

from . import pdregistry

# Fields the software needs and the family does not: never exported.
HIDDEN_FIELDS = frozenset(
    {
        "id",
        "school",
        "version",
        "updated_at",
        "password",
        "is_superuser",
        "is_staff",
        "last_login",
        "dedupe_key",
        "payload",
        "html",
        "provider_id",
        "provider_status",
        "validity_seconds",
        "error_code",
        "attempts",
        "claimed_at",
        "not_before",
        "object_id",
        "entity",
        "student_ref",
        "digest",
        "model_label",
        "document",
        "code_hash",
        "token_hash",
        "generated_file",
        "fallback_of",
        "message",
        "slot",
    }
)

# How a foreign key is named in the export: the lookups under it, joined by `_join_parts`.
# A key to anything else (the child, the parent, the school, internal rows) is left out.
SHOWN_AS = {
    "school.Subject": ("name",),
    "journal.WorkType": ("name",),
    "school.ClassGroup": ("level", "letter"),
    "school.AcademicYear": ("name",),
    "school.ReportingPeriod": ("name",),
    "school.StudyGroup": ("name",),
    "journal.Lesson": ("date", "subject__name"),
    "accounts.User": ("last_name", "first_name"),
}

RUSSIAN_PHONE = re.compile(r"^\+7(\d{3})(\d{3})(\d{2})(\d{2})$")


@dataclass
class Column:
    label: str
    lookups: tuple[str, ...]
    field: models.Field
    class_label: bool = False  # a class: level and letter, 7 «А»


@dataclass
class ExportSection:
    """One kind of record (one registered model) with its rows as text."""

    title: str
    retention: str
    columns: list[str]
    rows: list[list[str]]

    def records(self) -> list[dict[str, str]]:
        return [
            {label: value for label, value in zip(self.columns, row, strict=True) if value}
            for row in self.rows
        ]


@dataclass
class ExportPurpose:
    title: str
    legal_basis: str
    sections: list[ExportSection] = field(default_factory=list)


@dataclass
class PdExport:
    operator: str
    guardian: str
    student: str
    student_birth_date: str
    generated_at: dt.datetime
    generated_text: str  # in the school's time zone
    purposes: list[ExportPurpose]


def build(*, guardian_id: int, student_id: int) -> PdExport:
    """Everything held about this guardian and this child, and nothing about anyone else:
    two queries for the people, then one per registered model."""
    guardian = Guardian.objects.select_related("school").get(pk=guardian_id)
    student = Student.objects.get(pk=student_id)
    # Times as the school's clock shows them (School.time_zone), whatever the server's zone.
    with timezone.override(guardian.school.tz):
        return _build(guardian, student)


def _build(guardian: Guardian, student: Student) -> PdExport:
    purposes: dict[pdregistry.PdPurpose, ExportPurpose] = {}
    for entry in pdregistry.entries():
        section = _section(entry, guardian_id=guardian.pk, student_id=student.pk)
        if section is None:
            continue
        if entry.purpose not in purposes:
            text = pdregistry.PURPOSES[entry.purpose]
            purposes[entry.purpose] = ExportPurpose(str(text.title), str(text.legal_basis))
        purposes[entry.purpose].sections.append(section)
    order = list(pdregistry.PdPurpose)
    return PdExport(
        operator=guardian.school.name,
        guardian=guardian.full_name,
        student=student.full_name,
        student_birth_date=format_value(student.birth_date),
        generated_at=timezone.now(),
        generated_text=format_value(timezone.now()),
        purposes=[purposes[p] for p in sorted(purposes, key=order.index)],
    )


def _columns(entry: pdregistry.PdEntry) -> list[Column]:
    columns = []
    for model_field in entry.model._meta.concrete_fields:
        name = model_field.name
        if name in HIDDEN_FIELDS or name in entry.exclude or model_field.attname in entry.exclude:
            continue
        label = capfirst(str(model_field.verbose_name))
        if model_field.is_relation:
            shown = SHOWN_AS.get(model_field.related_model._meta.label)
            if shown is None:
                continue
            lookups = tuple(f"{name}__{part}" for part in shown)
            is_class = model_field.related_model._meta.label == "school.ClassGroup"
            columns.append(Column(label, lookups, model_field, class_label=is_class))
        else:
            columns.append(Column(label, (name,), model_field))
    return columns


def _section(entry, *, guardian_id: int, student_id: int) -> ExportSection | None:
    columns = _columns(entry)
    lookups = [lookup for column in columns for lookup in column.lookups]
    found = entry.rows(guardian_id=guardian_id, student_id=student_id).order_by("pk")
    raw = list(found.values(*lookups))
    if not raw:
        return None
    rows = [[_cell(column, row) for column in columns] for row in raw]
    # A column empty in every row says nothing: left out.
    kept = [i for i in range(len(columns)) if any(row[i] for row in rows)]
    return ExportSection(
        title=capfirst(str(entry.model._meta.verbose_name_plural)),
        retention=str(pdregistry.RETENTION_TEXT[entry.retention]),
        columns=[columns[i].label for i in kept],
        rows=[[row[i] for i in kept] for row in rows],
    )


def _cell(column: Column, row: dict) -> str:
    values = [row[lookup] for lookup in column.lookups]
    if column.class_label:
        level, letter = values
        return f"{level} «{letter}»" if level is not None else ""
    if len(values) > 1:
        return " ".join(format_value(v) for v in values if v not in (None, ""))
    value = values[0]
    choices = dict(column.field.flatchoices) if column.field.choices else None
    if choices and value in choices:
        return str(choices[value])
    return format_value(value)


def format_value(value) -> str:
    """A value as people write it: 01.09.2015, 25.11.2026 10:00 in the school's zone, да/нет,
    +7 912 345-67-89."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%d.%m.%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, dict):
        return "; ".join(format_value(v) for v in value.values() if v not in (None, ""))
    if isinstance(value, list):
        return "; ".join(format_value(v) for v in value)
    text = str(value)
    phone = RUSSIAN_PHONE.match(text)
    if phone:
        return "+7 {} {}-{}-{}".format(*phone.groups())
    return text


def as_json(export: PdExport) -> str:
    """The export for a computer, with the same readable keys the document has, nested by
    purpose, then by kind of record."""
    document = {
        _("Operator"): export.operator,
        _("Parent (legal representative)"): export.guardian,
        _("Pupil"): export.student,
        _("Pupil's date of birth"): export.student_birth_date,
        _("Generated"): export.generated_text,
        _("Purposes of processing"): [
            {
                _("Purpose"): purpose.title,
                _("Legal basis"): purpose.legal_basis,
                _("Data"): [
                    {
                        _("Kind of record"): section.title,
                        _("Retention"): section.retention,
                        _("Records"): section.records(),
                    }
                    for section in purpose.sections
                ],
            }
            for purpose in export.purposes
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2)
