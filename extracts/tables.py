"""The summary sheet and the statistics as plain tables (a title, a header, rows of text):
one shape that the print template and the spreadsheet exports (XLSX, CSV) both take, so the
paper, the spreadsheet and the page show the same numbers."""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from journal.models import AttendanceCode, FinalStatus


@dataclass
class Table:
    title: str
    header: list
    rows: list = field(default_factory=list)


def _none(value) -> str:
    return "—" if value is None else str(value).replace(".", ",")


def final_text(final) -> str:
    if final is None:
        return ""
    if final.status == FinalStatus.NOT_ASSESSED:
        return "н/а"
    if final.status == FinalStatus.EXEMPT:
        return "осв."
    if final.status == FinalStatus.DEFERRED:
        return _("deferred")
    return {"pass": "зач", "fail": "н/з"}.get(final.value, final.value)


def summary_sheet_table(sheet) -> Table:
    """Students × (subject, column): one header row naming both."""
    labels = [
        _("Year") if key == "year" else _("Exam") if key == "exam" else label
        for key, label in sheet.columns
    ]
    header = [_("Student")] + [
        f"{subject.short_name or subject.name}: {label}"
        for subject in sheet.subjects
        for label in labels
    ]
    table = Table(_("Summary sheet %(group)s") % {"group": sheet.class_group}, header)
    for student in sheet.students:
        row = [student.full_name]
        for subject in sheet.subjects:
            for key, _label in sheet.columns:
                row.append(final_text(sheet.cells.get((student.pk, subject.pk, key))))
        table.rows.append(row)
    return table


def statistics_tables(*, period, finals, lessons, work_types) -> list[Table]:
    results = Table(
        _("Results: %(period)s") % {"period": period.name},
        [
            _("Class"),
            _("Subject"),
            _("Students"),
            "5",
            "4",
            "3",
            "2",
            "н/а",
            _("Quality, %"),
            _("Success, %"),
            _("Average"),
            _("СОУ, %"),
            _("Deferred"),
            _("At risk"),
        ],
    )
    for r in finals:
        d = r.distribution
        results.rows.append(
            [
                str(r.class_group),
                str(r.subject),
                str(r.students),
                *(str(d.get(k, 0)) for k in ("5", "4", "3", "2", "na")),
                _none(r.quality),
                _none(r.success),
                _none(r.average),
                _none(r.sou),
                str(r.deferred),
                str(r.at_risk),
            ]
        )
    plan = Table(
        _("Plan fulfilment"),
        [
            _("Class or group"),
            _("Subject"),
            _("Planned to date"),
            _("Held"),
            _("Fulfilment, %"),
            _("Cancelled"),
            _("Moved"),
            _("Substituted"),
        ],
    )
    for r in lessons:
        c = r.counts
        plan.rows.append(
            [
                r.label,
                str(r.subject),
                _none(r.planned),
                str(c.held),
                _none(r.fulfilment),
                str(c.cancelled),
                str(c.moved),
                str(c.substituted),
            ]
        )
    marks = Table(_("Marks by work type"), [_("Work type"), _("Marks"), _("Average")])
    for _id, line in work_types:
        marks.rows.append([str(line.work_type), str(line.marks), _none(line.average)])
    return [results, plan, marks]


def journal_grid_table(scope, period, grid) -> Table:
    """The journal grid of one class (or group), subject and period: students × lessons (the
    marks of a cell, then its attendance code), the weighted average, the suggested final
    and the number of lessons missed (lateness is not a miss), as on the grid page."""
    header = [_("Student")]
    for column in grid.columns:
        label = f"{column.date:%d.%m.%Y}, {column.lesson_number}"
        if column.work_type:
            label += f" ({column.work_type})"
        header.append(label)
    header += [_("Weighted average"), _("Suggested final"), _("Missed")]
    title = _("Journal: %(subject)s, %(group)s, %(period)s") % {
        "subject": scope.subject.name,
        "group": scope.label,
        "period": period.name,
    }
    table = Table(title, header)
    for row in grid.rows:
        line = [row.student["full_name"]]
        missed = 0
        for cell in row.cells:
            line.append(" ".join(part for part in (cell.text, cell.attendance_short) if part))
            missed += bool(cell.attendance) and cell.attendance != AttendanceCode.LATE
        line += [_none(row.average.value), _none(row.suggested), str(missed)]
        table.rows.append(line)
    return table
