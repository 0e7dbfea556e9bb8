"""The shapes of the write API's items (they make the OpenAPI schema too). References to other
records are the sending system's own ids, sent earlier (or earlier in the same batch)."""

import base64
import binascii

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from journal.models import MAX_MARKS_PER_LESSON, AttendanceCode, LessonStatus, MarkValue, RemarkKind
from school.models import PeriodKind, Relation, StudyGroupKind

ID = {"max_length": 100}
FINAL_CHOICE = ["5", "4", "3", "2", "pass", "fail", "na", "exempt"]


def Ref(**kwargs):  # noqa: N802 - reads as a field type
    return serializers.CharField(max_length=100, **kwargs)


def OptRef():  # noqa: N802
    return serializers.CharField(max_length=100, required=False, allow_null=True, allow_blank=True)


class Item(serializers.Serializer):
    id = serializers.CharField(**ID, help_text="The sending system's own id of the record.")
    sourcedId = serializers.UUIDField(  # noqa: N815 - the OneRoster name
        required=False,
        help_text="Our OneRoster sourcedId of a record we already hold: the item then takes "
        "that record over under the sender's id instead of creating one.",
    )


class YearItem(Item):
    name = serializers.CharField(max_length=20)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()


class PeriodItem(Item):
    year = Ref()
    kind = serializers.ChoiceField(choices=PeriodKind.choices)
    number = serializers.IntegerField(min_value=1, max_value=12, default=1)
    name = serializers.CharField(max_length=50)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    level_min = serializers.IntegerField(min_value=1, max_value=11, default=1)
    level_max = serializers.IntegerField(min_value=1, max_value=11, default=11)


class HolidayItem(Item):
    year = Ref()
    name = serializers.CharField(max_length=100)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    level_min = serializers.IntegerField(min_value=1, max_value=11, default=1)
    level_max = serializers.IntegerField(min_value=1, max_value=11, default=11)


class SubjectItem(Item):
    name = serializers.CharField(max_length=100)
    short_name = serializers.CharField(max_length=30, default="", allow_blank=True)
    is_graded = serializers.BooleanField(default=True)


class PersonItem(Item):
    last_name = serializers.CharField(max_length=150)
    first_name = serializers.CharField(max_length=150)
    patronymic = serializers.CharField(max_length=150, default="", allow_blank=True)


class TeacherItem(PersonItem):
    position = serializers.CharField(max_length=100, default="", allow_blank=True)


class ClassItem(Item):
    year = Ref()
    level = serializers.IntegerField(min_value=1, max_value=11)
    letter = serializers.CharField(max_length=3)
    class_teacher = OptRef()


class GroupItem(Item):
    year = Ref()
    kind = serializers.ChoiceField(choices=StudyGroupKind.choices, default=StudyGroupKind.SUBGROUP)
    name = serializers.CharField(max_length=100)
    subject = Ref()
    students = serializers.ListField(child=Ref(), required=False, max_length=500)
    # `class` is a Python keyword: the field is declared below.


GroupItem._declared_fields["class"] = OptRef()


class StudentItem(PersonItem):
    birth_date = serializers.DateField(required=False, allow_null=True)
    joined_on = serializers.DateField(required=False, allow_null=True)


StudentItem._declared_fields["class"] = OptRef()


class ChildLink(serializers.Serializer):
    student = Ref()
    relation = serializers.ChoiceField(choices=Relation.choices)


class GuardianItem(PersonItem):
    children = ChildLink(many=True, required=False)


class AssignmentItem(Item):
    year = Ref()
    teacher = Ref()
    subject = Ref()
    group = OptRef()


AssignmentItem._declared_fields["class"] = OptRef()


class TimetableItem(Item):
    year = Ref()
    group = OptRef()
    subject = Ref()
    teacher = Ref()
    weekday = serializers.IntegerField(min_value=1, max_value=6)
    lesson_number = serializers.IntegerField(min_value=1, max_value=12)
    room = serializers.CharField(max_length=20, default="", allow_blank=True)
    valid_from = serializers.DateField()
    valid_to = serializers.DateField(required=False, allow_null=True)


TimetableItem._declared_fields["class"] = OptRef()


class HomeworkFilePart(serializers.Serializer):
    """A file of the homework, its bytes in base64. Judged like an upload in the journal: the
    type by the name's extension, checked against `content_type` and against the content
    itself, and the size limit of uploads (the request's body cap applies first)."""

    id = serializers.CharField(**ID, help_text="The sending system's own id of the file.")
    name = serializers.CharField(max_length=255, help_text="The file's name, with its extension.")
    content_type = serializers.CharField(max_length=100, help_text="The file's MIME type.")
    content = serializers.CharField(help_text="The file's bytes, base64-encoded.")

    def validate_content(self, value):
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise serializers.ValidationError(_("Not valid base64.")) from exc


class HomeworkPart(serializers.Serializer):
    text = serializers.CharField(max_length=5000)
    due_date = serializers.DateField(required=False, allow_null=True)
    files = HomeworkFilePart(
        many=True,
        required=False,
        max_length=10,
        help_text="Files to attach; a file already sent (by its id) is left as it is, and a "
        "file left out is not removed (homework_files/delete/ removes one).",
    )


class LessonItem(Item):
    group = OptRef()
    subject = Ref(required=False)
    teacher = Ref(required=False)
    date = serializers.DateField()
    lesson_number = serializers.IntegerField(min_value=1, max_value=12)
    room = serializers.CharField(max_length=20, default="", allow_blank=True)
    topic = serializers.CharField(max_length=500, default="", allow_blank=True)
    work_type = serializers.CharField(
        max_length=100,
        required=False,
        allow_null=True,
        allow_blank=True,
        help_text="The name of one of the school's work types.",
    )
    substitute_teacher = OptRef()
    status = serializers.ChoiceField(
        choices=[LessonStatus.SCHEDULED, LessonStatus.CANCELLED], default=LessonStatus.SCHEDULED
    )
    moved_from = OptRef()
    homework = HomeworkPart(required=False, allow_null=True)

    def validate(self, attrs):
        if not attrs.get("moved_from") and not (attrs.get("subject") and attrs.get("teacher")):
            raise serializers.ValidationError(
                {"subject": ["A new lesson names its subject and teacher (or moved_from)."]}
            )
        return attrs


LessonItem._declared_fields["class"] = OptRef()


class MarkItem(Item):
    lesson = Ref()
    student = Ref()
    slot = serializers.IntegerField(min_value=1, max_value=MAX_MARKS_PER_LESSON, default=1)
    value = serializers.ChoiceField(choices=MarkValue.choices)
    comment = serializers.CharField(max_length=500, default="", allow_blank=True)
    reason = serializers.CharField(max_length=500, default="", allow_blank=True)


class AttendanceItem(Item):
    lesson = Ref()
    student = Ref()
    code = serializers.ChoiceField(choices=AttendanceCode.choices)
    reason = serializers.CharField(max_length=500, default="", allow_blank=True)


class RemarkItem(Item):
    lesson = Ref()
    student = Ref()
    kind = serializers.ChoiceField(choices=RemarkKind.choices)
    text = serializers.CharField(max_length=2000)


class FinalItem(Item):
    student = Ref()
    subject = Ref()
    period = Ref()
    choice = serializers.ChoiceField(choices=FINAL_CHOICE)
    reason = serializers.CharField(max_length=500, default="", allow_blank=True)
    exam = serializers.BooleanField(default=False)
    exam_name = serializers.CharField(max_length=100, default="", allow_blank=True)


class DeferralItem(Item):
    student = Ref()
    subject = Ref()
    period = Ref()
    reason = serializers.CharField(max_length=300)
    document = serializers.CharField(max_length=200)
    due_date = serializers.DateField()


class DeleteItem(Item):
    reason = serializers.CharField(max_length=500, default="", allow_blank=True)


class StudentLeaveItem(Item):
    left_on = serializers.DateField(help_text="The pupil's last day.")


class TimetableEndItem(Item):
    last_day = serializers.DateField()


# --- Envelopes -------------------------------------------------------------------------------

MAX_ITEMS = 500


_BATCHES: dict[str, type] = {}


def batch_of(item_class, name: str | None = None):
    """`{"items": [...]}`: one to MAX_ITEMS items of one entity, all or nothing."""
    name = name or f"{item_class.__name__.removesuffix('Item')}Batch"
    if name in _BATCHES:
        return _BATCHES[name]
    _BATCHES[name] = type(
        name,
        (serializers.Serializer,),
        {"items": item_class(many=True, min_length=1, max_length=MAX_ITEMS)},
    )
    return _BATCHES[name]


class ItemResult(serializers.Serializer):
    index = serializers.IntegerField()
    id = serializers.CharField()
    action = serializers.ChoiceField(choices=["created", "updated", "unchanged"])


class BatchResult(serializers.Serializer):
    results = ItemResult(many=True)
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()


class ItemError(serializers.Serializer):
    index = serializers.IntegerField()
    id = serializers.CharField(allow_null=True)
    field = serializers.CharField(allow_null=True)
    message = serializers.CharField()


class BatchRefused(serializers.Serializer):
    detail = serializers.CharField()
    errors = ItemError(many=True)
