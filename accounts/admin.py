from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from . import rules
from .models import School, User


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
        if model is School:
            return queryset.filter(pk=school_id)
        if any(f.name == "school" for f in model._meta.get_fields()):
            return queryset.filter(school_id=school_id)
        return queryset

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        model = db_field.related_model
        queryset = kwargs.get("queryset") or model._default_manager.all()
        kwargs["queryset"] = self._limit(request, model, queryset)
        if model is School and not request.user.is_superuser:
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


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ["short_name", "name", "time_zone"]
    search_fields = ["name", "short_name", "inn"]

    def has_module_permission(self, request):
        return request.user.is_superuser or rules.is_school_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs if request.user.is_superuser else qs.filter(pk=request.user.school_id)


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
