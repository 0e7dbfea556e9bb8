from urllib.parse import urlencode

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from journal import selectors as journal_selectors
from school.models import ClassGroup, Guardian, Student, StudyGroup

from . import rules
from .forms import LoginForm
from .models import Role
from .twofactor_views import twofactor_redirect


class LoginView(auth_views.LoginView):
    """The one login of the site and of the admin (the admin's login page sends here).
    Throttled by django-axes; a user who owes a second factor goes on to give it."""

    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_success_url(self):
        url = super().get_success_url()
        return twofactor_redirect(self.request, url) or url


def admin_login(request):
    """The admin's login page is the site's: the same form, throttle and second factor. A
    signed-in user the admin refused is not sent round in a circle: they are told no."""
    if request.user.is_authenticated:
        raise PermissionDenied
    target = request.GET.get("next") or reverse("admin:index")
    return redirect(f"{reverse('accounts:login')}?{urlencode({'next': target})}")


class LogoutView(auth_views.LogoutView):
    """POST only (Django's default): a link cannot sign anyone out."""


@require_GET
@login_required
def home(request):
    """The role's home page: what this person needs first when they sign in."""
    user = request.user
    school = user.school
    context = {"school": school, "today": school.today() if school else None}
    if school is None:
        return render(request, "accounts/home_none.html", context)
    year = journal_selectors.current_year(school)
    context["year"] = year
    if rules.is_teacher(user):
        context["lessons_today"] = journal_selectors.teacher_lessons_on(user, context["today"])
        context["assignments"] = journal_selectors.teacher_assignments(user, year) if year else []
        # The class teacher's own class: its journal, its groups, the diary acknowledgements
        # and the summary sheet (two queries whatever the number of classes or groups).
        context["homeroom"] = (
            ClassGroup.objects.filter(school=school, year=year, class_teacher__user=user)
            .prefetch_related(
                Prefetch("study_groups", queryset=StudyGroup.objects.order_by("name"))
            )
            .order_by("level", "letter")
            if year
            else []
        )
    if rules.is_school_leader(user) or rules.is_school_admin(user):
        context["counts"] = {
            "students": Student.objects.filter(school=school).count(),
            "guardians": Guardian.objects.filter(school=school).count(),
            "classes": ClassGroup.objects.filter(school=school, year=year).count() if year else 0,
        }
        context["classes"] = (
            ClassGroup.objects.filter(school=school, year=year)
            .select_related("class_teacher")
            .annotate(size=Count("enrollments", filter=Q(enrollments__left_on__isnull=True)))
            if year
            else []
        )
    if rules.is_family_member(user):
        children = list(journal_selectors.children_of(user))
        enrollments = journal_selectors.active_enrollments(children, year) if year else {}
        context["children"] = [(child, enrollments.get(child.pk)) for child in children]
    template = {
        Role.SCHOOL_ADMIN: "accounts/home_admin.html",
        Role.DIRECTOR: "accounts/home_leader.html",
        Role.DEPUTY_HEAD: "accounts/home_leader.html",
        Role.TEACHER: "accounts/home_teacher.html",
        Role.GUARDIAN: "accounts/home_family.html",
        Role.STUDENT: "accounts/home_family.html",
    }.get(user.role, "accounts/home_none.html")
    return render(request, template, context)
