"""The Django admin for the journal's records, scoped to the admin's school. Lessons, marks,
attendance, homework, remarks, finals and their history are read-only here: they change only
through the journal's services (which check the teacher, the period and keep history)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.admin import (
    AccessLoggedAdmin,
    ReadOnlyAdminMixin,
    SchoolScopedAdmin,
    SchoolScopedTabularInline,
)

from . import models as m


@admin.register(m.LessonPlan)
class LessonPlanAdmin(SchoolScopedAdmin):
    list_display = ["assignment", "number", "topic"]
    search_fields = ["topic"]


@admin.register(m.WorkType)
class WorkTypeAdmin(SchoolScopedAdmin):
    list_display = ["name", "short_name", "weight", "is_control"]


@admin.register(m.Lesson)
class LessonAdmin(ReadOnlyAdminMixin, SchoolScopedAdmin):
    list_display = [
        "date",
        "lesson_number",
        "subject",
        "class_group",
        "study_group",
        "teacher",
        "status",
    ]
    list_filter = ["status", "subject"]
    date_hierarchy = "date"
    search_fields = ["topic", "teacher__last_name"]
    raw_id_fields = ["moved_from", "timetable_entry", "planned_topic"]
    autocomplete_fields = ["teacher", "substitute_teacher"]


class ReadOnlyRecordAdmin(ReadOnlyAdminMixin, AccessLoggedAdmin):
    """Marks, attendance and finals are legal records (1.4): they change only through the
    journal's services, which keep history and a reason. The admin shows them read-only."""


@admin.register(m.Mark)
class MarkAdmin(ReadOnlyRecordAdmin):
    list_display = ["date", "student", "subject", "value", "work_type", "created_by"]
    list_filter = ["value", "subject"]
    date_hierarchy = "date"
    search_fields = ["student__last_name"]
    list_select_related = ["student", "subject", "work_type", "created_by"]


@admin.register(m.Attendance)
class AttendanceAdmin(ReadOnlyRecordAdmin):
    list_display = ["date", "student", "code", "lesson"]
    list_filter = ["code"]
    date_hierarchy = "date"
    search_fields = ["student__last_name"]
    list_select_related = [
        "student",
        "lesson__subject",
        "lesson__class_group",
        "lesson__study_group",
    ]


@admin.register(m.FinalMark)
class FinalMarkAdmin(ReadOnlyRecordAdmin):
    list_display = [
        "student",
        "subject",
        "period",
        "kind",
        "status",
        "value",
        "set_at",
        "published_at",
    ]
    list_filter = ["kind", "status", "subject"]
    search_fields = ["student__last_name"]
    list_select_related = ["student", "subject", "period"]


@admin.register(m.MarkChange)
class MarkChangeAdmin(ReadOnlyRecordAdmin):
    list_display = ["changed_at", "entity", "action", "student", "changed_by", "reason"]
    list_filter = ["entity", "action"]
    search_fields = ["student__last_name", "reason"]
    list_select_related = ["student", "changed_by"]


class HomeworkFileInline(ReadOnlyAdminMixin, SchoolScopedTabularInline):
    model = m.HomeworkFile
    fields = ["school", "file", "original_name", "size", "content_type"]


@admin.register(m.Homework)
class HomeworkAdmin(ReadOnlyAdminMixin, SchoolScopedAdmin):
    list_display = ["lesson", "due_date", "text"]
    search_fields = ["text"]
    raw_id_fields = ["lesson"]
    inlines = [HomeworkFileInline]


@admin.register(m.Remark)
class RemarkAdmin(ReadOnlyAdminMixin, AccessLoggedAdmin):
    """Read-only: a remark is written by its author in the journal, never in another's name."""

    list_display = ["created_at", "student", "kind", "author"]
    list_filter = ["kind"]
    search_fields = ["student__last_name", "text"]
    raw_id_fields = ["lesson", "student"]


admin.site.empty_value_display = _("—")
