"""Who the load acts as: run by `bench.load` under the load settings, prints one JSON object.

    DJANGO_SETTINGS_MODULE=ednevnik.settings.load python -m bench.load_plan SCHOOL_ID G T

For G guardians of the school (each with a child whose diary is open) and T lessons that
teachers may still fill in (one whole-class lesson per teacher, the latest that took place),
a signed-in session each — made as `login()` makes it, so the load does not spend its first
seconds hashing passwords — and a CSRF secret, with the URLs they open.
"""

import json
import secrets
import sys


def main(argv: list[str]) -> None:
    import django

    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.urls import reverse

    from accounts.models import Role, User
    from consent.rules import may_open_diary_of
    from diary import selectors as diary_selectors
    from journal.models import LessonStatus
    from journal.selectors import editable_lessons
    from school.models import School, TeachingAssignment

    school_id, guardians_wanted, lessons_wanted = (int(a) for a in argv[:3])
    school = School.objects.get(pk=school_id)
    today = school.today()
    monday = diary_selectors.week_start_of(today)

    def session_for(user: User) -> str:
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        return session.session_key

    guardians = []
    users = User.objects.filter(school=school, role=Role.GUARDIAN, is_active=True).order_by("pk")
    for user in users.iterator():
        children = [
            c for c in diary_selectors.diary_children(user) if may_open_diary_of(user, c.pk)
        ]
        if not children:
            continue
        child = children[0]
        guardians.append(
            {
                "username": user.username,
                "session": session_for(user),
                "csrf": secrets.token_urlsafe(24)[:32].replace("-", "a").replace("_", "b"),
                "week": reverse("diary:week", args=[child.pk, monday]),
                "marks": reverse("diary:marks", args=[child.pk]),
            }
        )
        if len(guardians) >= guardians_wanted:
            break

    teachers = []
    assignments = (
        TeachingAssignment.objects.filter(
            school=school, class_group__isnull=False, study_group__isnull=True
        )
        .select_related("teacher__user")
        .order_by("teacher_id", "subject_id", "class_group_id")
    )
    seen_teachers = set()
    for a in assignments:
        user = a.teacher.user
        if user is None or a.teacher_id in seen_teachers or not user.is_active:
            continue
        lesson = (
            editable_lessons(user)
            .filter(
                class_group_id=a.class_group_id,
                subject_id=a.subject_id,
                study_group__isnull=True,
                status=LessonStatus.SCHEDULED,
                date__lte=today,
            )
            .order_by("-date", "-lesson_number")
            .first()
        )
        if lesson is None:
            continue
        seen_teachers.add(a.teacher_id)
        teachers.append(
            {
                "username": user.username,
                "session": session_for(user),
                "csrf": secrets.token_urlsafe(24)[:32].replace("-", "a").replace("_", "b"),
                "grid": reverse("journal:grid_class", args=[a.class_group_id, a.subject_id]),
                "lesson": lesson.pk,
            }
        )
        if len(teachers) >= lessons_wanted:
            break
    json.dump(
        {
            "school_id": school_id,
            "today": today.isoformat(),
            "guardians": guardians,
            "teachers": teachers,
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main(sys.argv[1:])
