from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from typing_extensions import override

from . import rules, twofactor
from .audit import record_access
from .models import Role, SecurityEventKind, User
from .security import security_event_record
from .sessions import sessions_end_for

# The school every scoped row points to (school.School; named, not imported: accounts is the
# bottom layer).
SCHOOL_MODEL = "school.School"


class SchoolScopedMixin:
    """Admin a school's administrator can use for their own school only.

    Rows are filtered by the admin's school; every foreign key offers only rows of that school;
    the school field offers just the admin's own. Superusers (the region's operator) see all.
    """

    school_field = "school"

    @override
    def has_module_permission(self, request):
        return request.user.is_superuser or rules.is_school_admin(request.user)

    @override
    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    @override
    def has_add_permission(self, request, *args):
        return self.has_module_permission(request)

    @override
    def has_change_permission(self, request, obj=None):
        return self.has_module_permission(request)

    @override
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


class ReadOnlyAdminMixin:
    """Rows the admin may look at, never add, change or delete: they change only through the
    app's own pages and services, which validate, keep history and record who did it."""

    @override
    def has_add_permission(self, request, *args):
        return False

    @override
    def has_change_permission(self, request, obj=None):
        return False

    @override
    def has_delete_permission(self, request, obj=None):
        return False


class AccessLoggedAdmin(SchoolScopedAdmin):
    """Admin pages of students' records log who looked at them (1.7; accounts/audit.py): the
    list logs the students on the page shown, a record's page its student."""

    student_attr = "student_id"

    def students_of(self, objects) -> list:
        """The students whose data these rows show (by default each row's `student_attr`)."""
        return [getattr(obj, self.student_attr) for obj in objects]

    def _log_access(self, request, objects) -> None:
        record_access(
            request.user,
            self.students_of(list(objects)),
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


# Roles a school's administrator may give: below their own. The school administrator and the
# director are appointed by the region's operator (a superuser) only.
ROLES_A_SCHOOL_ADMIN_GRANTS = (Role.DEPUTY_HEAD, Role.TEACHER, Role.GUARDIAN, Role.STUDENT)


def may_manage_credentials(actor, target) -> bool:
    """May `actor` change `target`'s account (password, role, activity, second factor)?

    The operator (superuser) may change anyone's. A school's administrator: accounts of their
    own school that are neither a superuser nor another administrator (their own account only
    in what it does not escalate: see UserAdmin)."""
    if actor.is_superuser:
        return True
    if not rules.is_school_admin(actor) or target is None:
        return False
    if target.pk == actor.pk:
        return True
    return (
        target.school_id == actor.school_id
        and not target.is_superuser
        and not target.is_staff
        and target.role != Role.SCHOOL_ADMIN
    )


@admin.register(User)
class UserAdmin(SchoolScopedMixin, BaseUserAdmin):
    """Accounts of the school. A school's administrator never sees the operator's accounts,
    never changes another administrator's, gives only roles below their own, and never sets
    is_staff or is_superuser (staff status follows from the role)."""

    list_display = ["username", "last_name", "first_name", "role", "is_active", "last_login"]
    list_filter = ["role", "is_active"]
    search_fields = ["username", "last_name", "first_name", "email"]
    ordering = ["last_name", "first_name"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Person"), {"fields": ["last_name", "first_name", "patronymic", "email"]}),
        (_("School and role"), {"fields": ["school", "role", "is_active"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"fields": ["username", "password1", "password2"]}),
        (_("School and role"), {"fields": ["school", "role"]}),
    ]
    readonly_fields = ["last_login", "date_joined"]
    actions = ["reset_two_factor"]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if not request.user.is_superuser:
            qs = qs.filter(is_superuser=False)
        return qs

    @override
    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or may_manage_credentials(request.user, obj)

    @override
    def has_delete_permission(self, request, obj=None):
        if not super().has_delete_permission(request, obj):
            return False
        return obj is None or (
            obj.pk != request.user.pk and may_manage_credentials(request.user, obj)
        )

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser and obj is not None:
            fieldsets = [
                *fieldsets,
                (_("Operator"), {"fields": ["is_staff", "is_superuser", "groups"]}),
            ]
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser and obj is not None and obj.pk == request.user.pk:
            # One's own account: no change of one's role, school or activity here.
            fields += ["school", "role", "is_active"]
        return fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if not request.user.is_superuser and "role" in form.base_fields:
            allowed = set(ROLES_A_SCHOOL_ADMIN_GRANTS)
            if obj is not None and obj.role:
                allowed.add(obj.role)  # an existing director stays one
            field = form.base_fields["role"]
            field.choices = [
                (value, label) for value, label in field.choices if value in allowed or value == ""
            ]
        return form

    def save_model(self, request, obj, form, change):
        if not request.user.is_superuser:
            obj.school_id = request.user.school_id
            obj.is_superuser = False
            if not change:
                obj.is_staff = False
            if (
                obj.role
                and obj.role not in ROLES_A_SCHOOL_ADMIN_GRANTS
                and (not change or obj.role != form.initial.get("role"))
            ):
                raise PermissionDenied
        super().save_model(request, obj, form, change)

    def user_change_password(self, request, id, form_url=""):
        # Django checks has_change_permission(user) there as well; this says it outright.
        target = self.get_object(request, id)
        if target is not None and not may_manage_credentials(request.user, target):
            raise PermissionDenied
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and target is not None and response.status_code == 302:
            # The password changed: every session of the account ends (but the one making
            # the change, when it is one's own).
            keep = request.session.session_key if target.pk == request.user.pk else None
            sessions_end_for(target.pk, keep=keep)
            security_event_record(
                kind=SecurityEventKind.PASSWORD_CHANGED,
                request=request,
                user=target,
                actor=request.user,
                detail="set in the admin",
            )
        return response

    @admin.action(description=_("Reset two-factor sign-in (a lost phone)"))
    def reset_two_factor(self, request, queryset):
        done = 0
        for target in queryset:
            if target.pk == request.user.pk or not may_manage_credentials(request.user, target):
                raise PermissionDenied
            twofactor.reset(actor=request.user, target=target, request=request)
            done += 1
        self.message_user(
            request,
            ngettext(
                "Two-factor sign-in reset for %(count)d account: it enrols again at its next "
                "sign-in.",
                "Two-factor sign-in reset for %(count)d accounts: they enrol again at their next "
                "sign-in.",
                done,
            )
            % {"count": done},
        )
