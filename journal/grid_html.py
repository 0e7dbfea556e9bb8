"""The journal grid's repeated markup (one header cell per lesson, one edit cell per student),
built in Python: the grid is 25 students × 40–60 lessons, and the Django template engine costs
tens of microseconds per tag per cell, most of the page's time (docs/benchmarks.md). The rest
of the page, and every string the user reads, stays in journal/templates/journal/grid.html and
the catalogue (the msgids below are the template's). Every value is escaped here."""

from html import escape as _escape

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _

_MARKER = 987654321  # a lesson id no URL pattern confuses with anything else


def escape(value) -> str:
    """django.utils.html.escape without its lazy-string wrapper (it calls html.escape too)."""
    return _escape(str(value))


def _safe(html: str) -> SafeString:
    return mark_safe(html)  # noqa: S308 (every value was escaped by the caller)


def header_html(columns, *, can_edit: bool, grid_url: str, period_pk: int) -> SafeString:
    """The `<th>` of every lesson column (what the template's column loop rendered)."""
    lesson_url = reverse("journal:lesson", args=[_MARKER])
    subst_title, subst = escape(_("substitution")), escape(_("subst."))
    moved_from, cancelled = escape(_("moved from")), escape(_("cancelled"))
    moved, edit = escape(_("moved")), escape(_("edit"))
    edit_href = escape(f"{grid_url}?period={period_pk}&edit=")
    out = []
    for c in columns:
        classes = "journal-grid__lesson"
        if c.editable:
            classes += " is-editing"
        if c.status != "scheduled":
            classes += f" is-{escape(c.status)}"
        href = escape(lesson_url.replace(str(_MARKER), str(c.id)))
        parts = [
            f'<th scope="col" class="{classes}">',
            f'<a href="{href}" title="{escape(c.topic)}">{c.date:%d.%m}</a>',
        ]
        if c.work_type:
            weight = f" ×{c.weight}" if c.weight else ""
            parts.append(f'<span class="work-type">{escape(c.work_type)}{weight}</span>')
        if c.substitute:
            parts.append(
                f'<span class="badge" title="{subst_title}">{subst} {escape(c.substitute)}</span>'
            )
        if c.moved_from_date:
            parts.append(f'<span class="badge">{moved_from} {c.moved_from_date:%d.%m}</span>')
        if c.status == "cancelled":
            parts.append(f'<span class="badge badge--warn">{cancelled}</span>')
        elif c.status == "moved":
            parts.append(f'<span class="badge">{moved}</span>')
        if can_edit and not c.editable and c.status == "scheduled":
            parts.append(f'<a class="edit-link" href="{edit_href}{c.id}">{edit}</a>')
        if c.topic:
            parts.append(f'<span class="topic">{escape(Truncator(c.topic).chars(40))}</span>')
        parts.append("</th>")
        out.append("\n        ".join(parts))
    return _safe("\n      ".join(out))


def edit_cells_html(rows, *, edit_column, attendance_choices) -> None:
    """Set `row.edit_html`: the inputs of the edited column for each row (its `row.edit`)."""
    comment_title, comment = escape(_("Comment, change or delete a mark")), escape(_("comment"))
    mark_url = reverse("journal:mark", args=[edit_column.id, _MARKER])
    choices = [(escape(code), code, escape(label)) for code, label in attendance_choices]
    mark_of, attendance_of = _("Mark of %(name)s"), _("Attendance of %(name)s")
    for row in rows:
        e, name = row.edit, row.student["name"]
        sid = escape(e["id"])
        invalid = ' aria-invalid="true"' if e["errors"] else ""
        options = "".join(
            f'<option value="{value}"{" selected" if code == e["attendance"] else ""}>'
            f"{label}</option>"
            for value, code, label in choices
        )
        mark_label = escape(mark_of % {"name": name})
        att_label = escape(attendance_of % {"name": name})
        href = escape(mark_url.replace(str(_MARKER), str(e["id"])))
        row.edit_html = _safe(
            f'<td class="cell cell--edit{" has-error" if e["errors"] else ""}">\n'
            f'        <input type="text" form="column-form" name="mark-{sid}" '
            f'value="{escape(e["text"])}" maxlength="20" autocomplete="off" inputmode="text" '
            f'class="mark-input" aria-label="{mark_label}" data-testid="mark-{sid}"{invalid}>\n'
            f'        <select form="column-form" name="att-{sid}" class="att-select" '
            f'aria-label="{att_label}" data-testid="att-{sid}">\n'
            f"          {options}\n        </select>\n"
            f'        <input type="hidden" form="column-form" name="mv-{sid}" '
            f'value="{escape(e["versions"])}">\n'
            f'        <input type="hidden" form="column-form" name="av-{sid}" '
            f'value="{escape(e["attendance_version"])}">\n'
            f'        <a class="cell-link" href="{href}" title="{comment_title}">{comment}</a>\n'
            f"      </td>"
        )
