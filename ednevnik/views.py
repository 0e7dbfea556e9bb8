"""The role's home page: the one page that composes every app, so it lives in the project's
wiring rather than in any app (accounts, at the bottom, imports none of them)."""

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import HttpResponsePermanentRedirect
from django.shortcuts import render
from django.templatetags.static import static
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts import rules
from accounts.models import Role
from diary import selectors as diary_selectors
from diary import services as diary_services
from journal import selectors as journal_selectors
from school.models import ClassGroup, StudyGroup
from school.rules import homeroom_classes
from school.selectors import classes_of, current_year, school_overview

TEMPLATES = {
    Role.SCHOOL_ADMIN: "home/admin.html",
    Role.DIRECTOR: "home/leader.html",
    Role.DEPUTY_HEAD: "home/leader.html",
    Role.TEACHER: "home/teacher.html",
    Role.GUARDIAN: "home/family.html",
    Role.STUDENT: "home/family.html",
}


@require_GET
def favicon(_request):
    """Browsers ask for /favicon.ico whatever the page says: send them to the SVG icon."""
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))


def _family_news(user, children, enrollments, today, year) -> dict:
    """Per child whose diary is open to this parent: what is new since the previous visit
    (diary.services.home_visits_record keeps the visits) and the homework for the next
    school day."""
    open_children = [child for child in children if child.diary_open]
    guardian_id = next((child.viewer_guardian_id for child in open_children), None)
    if guardian_id is None:
        return {}
    since = diary_services.home_visits_record(
        guardian_id=guardian_id,
        school_id=user.school_id,
        student_ids=[child.pk for child in open_children],
        now=timezone.now(),
    )
    due_on = diary_selectors.next_school_day(today)
    news = diary_selectors.family_news(
        user,
        open_children,
        classes={pk: e.class_group_id for pk, e in enrollments.items()},
        since=since,
        due_on=due_on,
        year_id=year.pk,
    )
    for item in news:
        item.student.news = item  # the same objects the template lists
    return {"due_on": due_on}


@require_GET
@login_required
def home(request):
    """What this person needs first when they sign in."""
    user = request.user
    school = user.school
    context = {"school": school, "today": school.today() if school else None}
    if school is None:
        return render(request, "home/none.html", context)
    year = current_year(school)
    context["year"] = year
    if rules.is_teacher(user):
        context["lessons_today"] = journal_selectors.teacher_lessons_on(user, context["today"])
        context["assignments"] = journal_selectors.teacher_assignments(user, year) if year else []
        # The class teacher's own class: its journal, its groups, the diary acknowledgements
        # and the summary sheet (two queries whatever the number of classes or groups).
        context["homeroom"] = (
            ClassGroup.objects.filter(homeroom_classes(user), school=school, year=year)
            .prefetch_related(
                Prefetch("study_groups", queryset=StudyGroup.objects.order_by("name"))
            )
            .order_by("level", "letter")
            if year
            else []
        )
    if rules.is_school_leader(user) or rules.is_school_admin(user):
        context.update(school_overview(school, year))
    if rules.is_family_member(user):
        children = diary_selectors.home_children(user)
        enrollments = classes_of(children, year) if year else {}
        context["children"] = [(child, enrollments.get(child.pk)) for child in children]
        if rules.is_guardian(user) and year:
            context["news"] = _family_news(user, children, enrollments, context["today"], year)
    return render(request, TEMPLATES.get(user.role, "home/none.html"), context)
