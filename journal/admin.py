"""The Django admin for the school's structure and records, scoped to the admin's school."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.admin import SchoolScopedAdmin, SchoolScopedTabularInline
from accounts.audit import record_access

from . import models as m


class AccessLoggedAdmin(SchoolScopedAdmin):
    """Admin pages of students' records log who looked at them (1.7; accounts/audit.py): the
    list logs the students on the page shown, a record's page its student."""

    student_attr = "student_id"

    def _log_access(self, request, objects) -> None:
        record_access(
            request.user,
            (getattr(obj, self.student_attr) for obj in objects),
            _("School data: %(records)s") % {"records": self.model._meta.verbose_name_plural},
        )

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        if changelist is not None:
            # The page's rows, evaluated once here and reused by the template.
            self._log_access(request, changelist.result_list)
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        original = (getattr(response, "context_data", None) or {}).get("original")
        if original is not None:
            self._log_access(request, [original])
        return response


@admin.register(m.AcademicYear)
class AcademicYearAdmin(SchoolScopedAdmin):
    list_display = ["name", "starts_on", "ends_on"]


@admin.register(m.ReportingPeriod)
class ReportingPeriodAdmin(SchoolScopedAdmin):
    list_display = [
        "name",
        "kind",
        "number",
        "starts_on",
        "ends_on",
        "level_min",
        "level_max",
        "closed_at",
    ]
    list_filter = ["year", "kind"]
    readonly_fields = ["closed_at", "closed_by"]


@admin.register(m.Holiday)
class HolidayAdmin(SchoolScopedAdmin):
    list_display = ["name", "starts_on", "ends_on", "level_min", "level_max"]
    list_filter = ["year"]


class EnrollmentInline(SchoolScopedTabularInline):
    model = m.Enrollment
    fields = ["school", "class_group", "year", "joined_on", "left_on"]


class GuardianLinkInline(SchoolScopedTabularInline):
    model = m.GuardianStudent
    fields = ["school", "guardian", "student", "relation"]
    autocomplete_fields = ["guardian", "student"]


@admin.register(m.Student)
class StudentAdmin(AccessLoggedAdmin):
    student_attr = "pk"
    list_display = ["last_name", "first_name", "patronymic", "birth_date"]
    search_fields = ["last_name", "first_name", "patronymic"]
    list_filter = ["enrollments__class_group__level"]
    inlines = [EnrollmentInline, GuardianLinkInline]
    raw_id_fields = ["user"]


@admin.register(m.Guardian)
class GuardianAdmin(SchoolScopedAdmin):
    list_display = ["last_name", "first_name", "patronymic", "user"]
    search_fields = ["last_name", "first_name", "patronymic"]
    inlines = [GuardianLinkInline]
    raw_id_fields = ["user"]


@admin.register(m.Teacher)
class TeacherAdmin(SchoolScopedAdmin):
    list_display = ["last_name", "first_name", "patronymic", "position"]
    search_fields = ["last_name", "first_name", "patronymic"]
    raw_id_fields = ["user"]


@admin.register(m.ClassGroup)
class ClassGroupAdmin(SchoolScopedAdmin):
    list_display = ["__str__", "year", "class_teacher"]
    list_filter = ["year", "level"]
    search_fields = ["letter"]
    autocomplete_fields = ["class_teacher"]


class MembershipInline(SchoolScopedTabularInline):
    model = m.StudyGroupMembership
    fields = ["school", "student"]
    autocomplete_fields = ["student"]


@admin.register(m.StudyGroup)
class StudyGroupAdmin(SchoolScopedAdmin):
    list_display = ["name", "kind", "subject", "class_group", "year"]
    list_filter = ["year", "kind", "subject"]
    search_fields = ["name"]
    inlines = [MembershipInline]


@admin.register(m.Subject)
class SubjectAdmin(SchoolScopedAdmin):
    list_display = ["name", "short_name", "is_graded"]
    search_fields = ["name"]


@admin.register(m.CurriculumPlan)
class CurriculumPlanAdmin(SchoolScopedAdmin):
    list_display = ["level", "subject", "hours_per_week", "year"]
    list_filter = ["year", "level"]


@admin.register(m.TeachingAssignment)
class TeachingAssignmentAdmin(SchoolScopedAdmin):
    list_display = ["teacher", "subject", "class_group", "study_group", "year"]
    list_filter = ["year", "subject"]
    search_fields = ["teacher__last_name", "subject__name"]
    autocomplete_fields = ["teacher"]


@admin.register(m.LessonPlan)
class LessonPlanAdmin(SchoolScopedAdmin):
    list_display = ["assignment", "number", "topic"]
    search_fields = ["topic"]


@admin.register(m.WorkType)
class WorkTypeAdmin(SchoolScopedAdmin):
    list_display = ["name", "short_name", "weight", "is_control"]


@admin.register(m.BellSchedule)
class BellScheduleAdmin(SchoolScopedAdmin):
    list_display = ["lesson_number", "starts_at", "ends_at"]


@admin.register(m.TimetableEntry)
class TimetableEntryAdmin(SchoolScopedAdmin):
    list_display = [
        "weekday",
        "lesson_number",
        "class_group",
        "study_group",
        "subject",
        "teacher",
        "room",
    ]
    list_filter = ["year", "weekday", "class_group__level"]
    autocomplete_fields = ["teacher"]


@admin.register(m.Lesson)
class LessonAdmin(SchoolScopedAdmin):
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


class ReadOnlyRecordAdmin(AccessLoggedAdmin):
    """Marks, attendance and finals are legal records (1.4): they change only through the
    journal's services, which keep history and a reason. The admin shows them read-only."""

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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


class HomeworkFileInline(SchoolScopedTabularInline):
    model = m.HomeworkFile
    fields = ["school", "file", "original_name", "size", "content_type"]


@admin.register(m.Homework)
class HomeworkAdmin(SchoolScopedAdmin):
    list_display = ["lesson", "due_date", "text"]
    search_fields = ["text"]
    raw_id_fields = ["lesson"]
    inlines = [HomeworkFileInline]


@admin.register(m.Remark)
class RemarkAdmin(AccessLoggedAdmin):
    list_display = ["created_at", "student", "kind", "author"]
    list_filter = ["kind"]
    search_fields = ["student__last_name", "text"]
    raw_id_fields = ["lesson", "student"]


admin.site.empty_value_display = _("—")
