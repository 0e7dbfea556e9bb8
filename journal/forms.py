"""Forms of the journal. The grid's column is parsed by `parse_column` (one field per student,
named by the student's id); the other forms are ordinary Django forms."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from school.models import WEEKDAYS, BellSchedule, ClassGroup, Subject, Teacher, TimetableEntry
from school.widgets import DateInput

from .marks import attendance_typed, parse_cell
from .models import AttendanceCode, LessonPlan, RemarkKind, WorkType
from .services import CellInput, FinalEntry

MARK_HELP = gettext_lazy(
    "Marks: 5, 4, 3, 2, 1; «зач» (or «з») is a pass, «н/з» (or «незач») a fail. Two marks in "
    "one lesson: «5/4». An empty cell means no mark; clearing a cell deletes its mark. Type "
    "the mark without spaces: « 5 » is refused. «н», «б», «у» or «оп» typed in the cell is "
    "the pupil's attendance (absent, ill, excused, late), not a mark."
)

_FIELD = re.compile(r"^(mark|att|mv|av)-(\d{1,12})$")
_VERSIONS = re.compile(r"^(\d{1,2}:\d{1,9})(,\d{1,2}:\d{1,9})*$")


def parse_column(data, students: dict[int, str]) -> tuple[list[CellInput], dict[str, list[str]]]:
    """Read the cells of one lesson column from POST data.

    The student ids come from the submitted field names, not from the page's roster, so a
    tampered id reaches the service, which refuses it (404). `students` maps id → name for the
    messages. Returns the cells and the errors by field name (Russian, naming the student).
    """
    ids: set[int] = set()
    for key in data:
        match = _FIELD.match(key)
        if match:
            ids.add(int(match.group(2)))
    cells, errors = [], {}
    for sid in sorted(ids):
        label = students.get(sid, f"#{sid}")
        text = data.get(f"mark-{sid}", "")
        code = data.get(f"att-{sid}", "")
        typed = attendance_typed(text)
        if typed:  # «н» typed in the mark's cell: the attendance, and no mark
            text, code = "", typed
        try:
            values = tuple(parse_cell(text))
        except ValidationError as error:
            errors[f"mark-{sid}"] = [
                _("%(student)s: %(error)s") % {"student": label, "error": error.messages[0]}
            ]
            values = ()
        if code not in AttendanceCode.values and code != "":
            errors[f"att-{sid}"] = [_("%(student)s: unknown attendance code") % {"student": label}]
        versions_text = data.get(f"mv-{sid}", "")
        att_version_text = data.get(f"av-{sid}", "0") or "0"
        if (versions_text and not _VERSIONS.match(versions_text)) or not att_version_text.isdigit():
            errors[f"mark-{sid}"] = [
                _("%(student)s: the form is out of date, reload the page") % {"student": label}
            ]
            continue
        versions = {}
        for pair in filter(None, versions_text.split(",")):
            slot, version = pair.split(":")
            versions[int(slot)] = int(version)
        cells.append(
            CellInput(
                student_id=sid,
                marks=values,
                mark_versions=versions,
                attendance=code,
                attendance_version=int(att_version_text[:9]),
                label=label,
            )
        )
    return cells, errors


class MarkForm(forms.Form):
    """One mark with its comment (the mark page)."""

    slot = forms.IntegerField(min_value=1, max_value=3, widget=forms.HiddenInput)
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    value = forms.CharField(required=False, max_length=20, label=gettext_lazy("Mark"), strip=False)
    comment = forms.CharField(required=False, max_length=500, label=gettext_lazy("Comment"))
    reason = forms.CharField(
        required=False,
        max_length=500,
        label=gettext_lazy("Reason for the change"),
        help_text=gettext_lazy("Kept in the history; needed after the edit window."),
    )

    def clean_value(self):
        values = parse_cell(self.cleaned_data["value"])
        if len(values) != 1:
            raise ValidationError(_("Enter one mark: 5, 4, 3, 2, 1, «зач» or «н/з»."))
        return values[0]


class MarkDeleteForm(forms.Form):
    mark = forms.IntegerField(widget=forms.HiddenInput)
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    reason = forms.CharField(required=False, max_length=500, label=gettext_lazy("Reason"))


class ColumnMetaForm(forms.Form):
    """The column's own fields: its work type and, for a correction, the reason."""

    work_type = forms.ModelChoiceField(
        queryset=WorkType.objects.none(), required=False, label=gettext_lazy("Work type")
    )
    reason = forms.CharField(
        required=False,
        max_length=500,
        label=gettext_lazy("Reason for the correction"),
        help_text=gettext_lazy("Needed after the edit window (deputy head only)."),
    )

    def __init__(self, *args, school_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["work_type"].queryset = WorkType.objects.filter(school_id=school_id)


class LessonForm(forms.Form):
    topic = forms.CharField(required=False, max_length=500, label=gettext_lazy("Topic"))
    planned_topic = forms.ModelChoiceField(
        queryset=LessonPlan.objects.none(),
        required=False,
        label=gettext_lazy("Planned topic"),
        help_text=gettext_lazy("Choosing a planned topic fills in an empty topic."),
    )
    work_type = forms.ModelChoiceField(
        queryset=WorkType.objects.none(), required=False, label=gettext_lazy("Work type")
    )

    def __init__(self, *args, lesson, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["work_type"].queryset = WorkType.objects.filter(school_id=lesson.school_id)
        plan = LessonPlan.objects.filter(
            school_id=lesson.school_id,
            assignment__subject_id=lesson.subject_id,
            assignment__year_id=(lesson.class_group or lesson.study_group).year_id,
        )
        if lesson.study_group_id:
            plan = plan.filter(assignment__study_group_id=lesson.study_group_id)
        else:
            plan = plan.filter(
                assignment__class_group_id=lesson.class_group_id,
                assignment__study_group__isnull=True,
            )
        self.fields["planned_topic"].queryset = plan.select_related("assignment").order_by("number")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class HomeworkForm(forms.Form):
    text = forms.CharField(
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=gettext_lazy("Assignment"),
    )
    due_date = forms.DateField(
        required=False,
        label=gettext_lazy("Due date"),
        widget=DateInput(),
    )
    files = MultipleFileField(required=False, label=gettext_lazy("Files"))


class RemarkForm(forms.Form):
    student = forms.TypedChoiceField(coerce=int, label=gettext_lazy("Student"))
    kind = forms.ChoiceField(
        choices=RemarkKind.choices,
        label=gettext_lazy("Kind"),
        help_text=gettext_lazy(
            "A remark and a recommendation are seen by the pupil and the parents; a message "
            "to parents by the parents only."
        ),
    )
    text = forms.CharField(
        max_length=2000, widget=forms.Textarea(attrs={"rows": 3}), label=gettext_lazy("Text")
    )

    def __init__(self, *args, students: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        # Any id is accepted here; the service refuses a student outside the lesson (404).
        self.fields["student"].choices = [(s["id"], s["full_name"]) for s in students]
        self.fields["student"].valid_value = lambda value: str(value).isdigit()


class _SubstituteSelect(forms.Select):
    """The picker's select: busy teachers are shown, marked, and cannot be chosen."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.busy_ids: set[str] = set()

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if str(value) in self.busy_ids:
            option["attrs"]["disabled"] = True
        return option


class SubstituteForm(forms.Form):
    """The deputy head's substitute picker. With `candidates` (from
    `selectors.substitute_candidates`) the list is grouped: the free teachers of the lesson's
    subject, the other free teachers, then the busy ones, marked and not selectable. The
    service refuses a busy teacher all the same."""

    teacher = forms.ModelChoiceField(
        queryset=Teacher.objects.none(),
        required=False,
        label=gettext_lazy("Substitute teacher"),
        help_text=gettext_lazy(
            "The lesson's own teacher: no substitution. Teachers who give another lesson at "
            "the same time are listed last and cannot be chosen."
        ),
        widget=_SubstituteSelect,
        empty_label=gettext_lazy("— the lesson's own teacher —"),
    )

    def __init__(self, *args, school_id: int, candidates=None, subject: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["teacher"]
        field.queryset = Teacher.objects.filter(school_id=school_id)
        if candidates is not None:
            field.widget.choices = _grouped_candidates(candidates, subject)
            field.widget.busy_ids = {str(c.teacher_id) for c in candidates if not c.is_free}


def _grouped_candidates(candidates, subject: str) -> list:
    bands = {
        "subject": (_("Free, teach %(subject)s") % {"subject": subject}, []),
        "other": (_("Free, other teachers"), []),
        "busy": (_("Busy at this lesson"), []),
    }
    for c in candidates:
        if not c.is_free:
            label = _("%(name)s — busy: %(lesson)s") % {"name": c.name, "lesson": c.busy_with}
            bands["busy"][1].append((c.teacher_id, label))
        else:
            bands["subject" if c.teaches_subject else "other"][1].append((c.teacher_id, c.name))
    choices = [("", _("— the lesson's own teacher —"))]
    return choices + [(label, options) for label, options in bands.values() if options]


class FillingFilterForm(forms.Form):
    """Filling control's filters (GET): a class of the year, a teacher, a subject of the school.
    An id of another school is refused like any unknown one."""

    klass = forms.ModelChoiceField(
        queryset=ClassGroup.objects.none(),
        required=False,
        label=gettext_lazy("Class"),
        empty_label=gettext_lazy("all classes"),
    )
    teacher = forms.ModelChoiceField(
        queryset=Teacher.objects.none(),
        required=False,
        label=gettext_lazy("Teacher"),
        empty_label=gettext_lazy("all teachers"),
    )
    subject = forms.ModelChoiceField(
        queryset=Subject.objects.none(),
        required=False,
        label=gettext_lazy("Subject"),
        empty_label=gettext_lazy("all subjects"),
    )

    def __init__(self, *args, school_id: int, year=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["klass"].queryset = ClassGroup.objects.filter(
            school_id=school_id, year=year
        ).order_by("level", "letter")
        self.fields["teacher"].queryset = Teacher.objects.filter(school_id=school_id).order_by(
            "last_name", "first_name", "pk"
        )
        self.fields["subject"].queryset = Subject.objects.filter(school_id=school_id).order_by(
            "name"
        )

    def ids(self) -> dict[str, int | None]:
        """The valid filters as ids (an invalid one is left out, its error shown)."""
        self.is_valid()
        data = self.cleaned_data
        return {
            "class_id": data["klass"].pk if data.get("klass") else None,
            "teacher_id": data["teacher"].pk if data.get("teacher") else None,
            "subject_id": data["subject"].pk if data.get("subject") else None,
        }


class MoveForm(forms.Form):
    date = forms.DateField(label=gettext_lazy("New date"), widget=DateInput())
    lesson_number = forms.IntegerField(
        min_value=1, max_value=12, label=gettext_lazy("Lesson number")
    )


class TimetableEntryForm(forms.ModelForm):
    class Meta:
        model = TimetableEntry
        fields = [
            "class_group",
            "study_group",
            "subject",
            "teacher",
            "weekday",
            "lesson_number",
            "room",
            "valid_from",
            "valid_to",
        ]
        widgets = {
            "valid_from": DateInput(),
            "valid_to": DateInput(),
        }

    def __init__(self, *args, school, year, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.school = school
        self.instance.year = year
        self.fields["class_group"].queryset = year.class_groups.filter(school=school)
        self.fields["study_group"].queryset = year.study_groups.filter(school=school)
        self.fields["subject"].queryset = school.subject_set.all()
        self.fields["teacher"].queryset = Teacher.objects.filter(school=school)
        self.fields["weekday"].choices = WEEKDAYS
        self.fields["lesson_number"].min_value = 1


class BellForm(forms.ModelForm):
    class Meta:
        model = BellSchedule
        fields = ["lesson_number", "starts_at", "ends_at"]
        widgets = {
            "starts_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "ends_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }


class GenerateForm(forms.Form):
    starts_on = forms.DateField(label=gettext_lazy("From"), widget=DateInput())
    ends_on = forms.DateField(label=gettext_lazy("To"), widget=DateInput())

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            raise ValidationError(_("The end date must not be before the start date."))
        return data


# The finals form's choices: FINAL_CHOICES of journal.services.finals, and «—» for none.
FINALS_FORM_CHOICES = [
    ("", "—"),
    ("5", "5"),
    ("4", "4"),
    ("3", "3"),
    ("2", "2"),
    ("pass", gettext_lazy("pass")),
    ("fail", gettext_lazy("fail")),
    ("na", gettext_lazy("н/а")),
    ("exempt", gettext_lazy("осв.")),
]


def _suggested(row) -> str:
    suggestion = getattr(row, "suggestion", None)
    suggested = getattr(suggestion, "suggested", None) if suggestion is not None else None
    return str(suggested) if suggested else ""


def _accept_suggested(data, rows):
    """The POSTed finals with every pupil who has no final yet set to the suggested mark:
    "accept the suggested marks" for the whole list. Finals already set stay as posted."""
    data = data.copy()
    for row in rows:
        if row.final is None and _suggested(row):
            data[f"s{row.student.pk}"] = _suggested(row)
    return data


class FinalsForm(forms.Form):
    """One row per student: the final (`s<id>`), the reason (`r<id>`) and the version read
    (`v<id>`, hidden) so that a stale form is refused rather than silently overwriting."""

    def __init__(self, *args, rows, exam: bool = False, exam_name: str = "", **kwargs):
        if args and args[0] is not None and args[0].get("accept_suggested"):
            args = (_accept_suggested(args[0], rows), *args[1:])
        super().__init__(*args, **kwargs)
        self.rows = rows
        self.exam = exam
        if exam:
            self.fields["exam_name"] = forms.CharField(
                label=gettext_lazy("Exam"), max_length=100, initial=exam_name
            )
        for row in rows:
            sid = row.student.pk
            final = row.final
            # A pupil without a final starts at the suggested mark, where there is one.
            current = _suggested(row)
            if final is not None:
                current = final.value or {"not_assessed": "na", "exempt": "exempt"}.get(
                    final.status, ""
                )
            self.fields[f"s{sid}"] = forms.ChoiceField(
                label=row.student.short_name,
                choices=FINALS_FORM_CHOICES,
                required=False,
                initial=current,
            )
            self.fields[f"r{sid}"] = forms.CharField(
                label=gettext_lazy("Reason"), max_length=500, required=False
            )
            self.fields[f"v{sid}"] = forms.IntegerField(
                required=False,
                widget=forms.HiddenInput,
                initial=final.version if final else 0,
            )

    def error_summary(self) -> list[tuple[str, str, str]]:
        """(field id, pupil, message) of every row in error, for the summary at the top."""
        out = []
        for row in self.rows:
            name = f"s{row.student.pk}"
            for message in self.errors.get(name, []):
                out.append((self[name].id_for_label, row.student.short_name, message))
        return out

    def bound_rows(self):
        for row in self.rows:
            sid = row.student.pk
            yield row, self[f"s{sid}"], self[f"r{sid}"], self[f"v{sid}"]

    def entries(self) -> list[FinalEntry]:
        out = []
        for row in self.rows:
            sid = row.student.pk
            choice = self.cleaned_data.get(f"s{sid}")
            if choice:
                out.append(
                    FinalEntry(
                        student_id=sid,
                        choice=choice,
                        reason=self.cleaned_data.get(f"r{sid}") or "",
                        # No version means an old or tampered form: "saw no final" (0).
                        version=self.cleaned_data.get(f"v{sid}") or 0,
                    )
                )
        return out

    def add_service_errors(self, error) -> None:
        for key, messages in error.message_dict.items():
            name = f"s{key.split('-', 1)[1]}" if key.startswith("student-") else key
            for message in messages:
                self.add_error(name if name in self.fields else None, message)


class DeferForm(forms.Form):
    student = forms.TypedChoiceField(label=gettext_lazy("Student"), coerce=int)
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=300)
    document = forms.CharField(
        label=gettext_lazy("Supporting document"),
        max_length=200,
        help_text=gettext_lazy("For example: medical certificate No. 123 of 10.12"),
    )
    due_date = forms.DateField(label=gettext_lazy("Final to be set by"), widget=DateInput())

    def __init__(self, *args, students, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["student"].choices = [(s.pk, s.full_name) for s in students]


class ReasonForm(forms.Form):
    """The reason (and the paper it rests on) for a step that needs one: closing a period early
    or with finals missing, cancelling a lesson."""

    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CancelForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=300)
    document = forms.CharField(
        label=gettext_lazy("Document"),
        max_length=200,
        help_text=gettext_lazy(
            "The application or order the cancellation rests on: its number and date."
        ),
    )


class RemarkEditForm(forms.Form):
    kind = forms.ChoiceField(choices=RemarkKind.choices, label=gettext_lazy("Kind"))
    text = forms.CharField(
        max_length=2000, widget=forms.Textarea(attrs={"rows": 3}), label=gettext_lazy("Text")
    )
