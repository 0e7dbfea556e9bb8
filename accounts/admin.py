from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from . import rules
from .audit import record_access
from .models import User

# The school every scoped row points to (school.School; named, not imported: accounts is the
# bottom layer).
SCHOOL_MODEL = "school.School"


class SchoolScopedMixin:
    """Admin a school's administrator can use for their own school only.

    Rows are filtered by the admin's school; every foreign key offers only rows of that school;
    the school field offers just the admin's own. Superusers (the region's operator) see all.
    """

    school_field = "school"

    def has_module_permission(self, request):
        return request.user.is_superuser or rules.is_school_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request, *args):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_delete_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if not request.user.is_superuser:
            qs = qs.filter(**{self.school_field: request.user.school_id})
        return qs

    def _limit(self, request, model, queryset):
        if request.user.is_superuser:
            return queryset
        school_id = request.user.school_id
        if model._meta.label == SCHOOL_MODEL:
            return queryset.filter(pk=school_id)
        if any(f.name == "school" for f in model._meta.get_fields()):
            return queryset.filter(school_id=school_id)
        return queryset

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        model = db_field.related_model
        queryset = kwargs.get("queryset") or model._default_manager.all()
        kwargs["queryset"] = self._limit(request, model, queryset)
        if model._meta.label == SCHOOL_MODEL and not request.user.is_superuser:
            kwargs["initial"] = request.user.school_id
            kwargs["empty_label"] = None
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        model = db_field.related_model
        queryset = kwargs.get("queryset") or model._default_manager.all()
        kwargs["queryset"] = self._limit(request, model, queryset)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class SchoolScopedAdmin(SchoolScopedMixin, admin.ModelAdmin):
    list_per_page = 50


class SchoolScopedTabularInline(SchoolScopedMixin, admin.TabularInline):
    extra = 0


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


@admin.register(User)
class UserAdmin(SchoolScopedMixin, BaseUserAdmin):
    list_display = ["username", "last_name", "first_name", "role", "is_active", "last_login"]
    list_filter = ["role", "is_active"]
    search_fields = ["username", "last_name", "first_name", "email"]
    ordering = ["last_name", "first_name"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Person"), {"fields": ["last_name", "first_name", "patronymic", "email"]}),
        (_("School and role"), {"fields": ["school", "role", "is_active", "is_staff"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"fields": ["username", "password1", "password2"]}),
        (_("School and role"), {"fields": ["school", "role"]}),
    ]
    readonly_fields = ["last_login", "date_joined"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser and obj is not None:
            fieldsets = [*fieldsets, (_("Operator"), {"fields": ["is_superuser", "groups"]})]
        return fieldsets
