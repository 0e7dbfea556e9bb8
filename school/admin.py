"""The Django admin for the school and its structure, scoped to the admin's school."""

from django.contrib import admin
from typing_extensions import override

from accounts.admin import AccessLoggedAdmin, SchoolScopedAdmin, SchoolScopedTabularInline
from accounts.rules import is_school_admin

from . import models as m


@admin.register(m.School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ["short_name", "name", "time_zone"]
    search_fields = ["name", "short_name", "inn"]

    @override
    def has_module_permission(self, request):
        return request.user.is_superuser or is_school_admin(request.user)

    @override
    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    @override
    def has_change_permission(self, request, obj=None):
        return self.has_module_permission(request)

    @override
    def has_add_permission(self, request):
        return request.user.is_superuser

    @override
    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs if request.user.is_superuser else qs.filter(pk=request.user.school_id)


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
