"""The fixed cast every test speaks of (architecture rule 11).

One school with two classes (7 «А» and 5 «Б»), its staff and families, and a second school
whose people must never see the first one's data:

- `subject_teacher` teaches Mathematics in 7 «А»; `class_teacher` is 7 «А»'s homeroom teacher
  and teaches Russian there; `other_teacher` teaches Mathematics in 5 «Б» only;
- `deputy_head`, `director`, `school_admin` of the school;
- `student` (with an account) in 7 «А», whose parent is `guardian` (consent to the web diary);
- `guardian_of_two`: two children, one in 7 «А» and one in 5 «Б», consent for both;
- `guardian_without_consent`: a child in 7 «А», no consent recorded;
- `stranger`: a parent in the same school of an unrelated child in 5 «Б», with consent;
- `outsider`: a school administrator of another school.
"""

import datetime as dt
import zoneinfo
from dataclasses import dataclass

import pytest
import time_machine

from accounts.models import Role
from consent.models import Purpose
from school import models as sm
from tests import factories as f
from tests import signin


def academic_year_bounds(today: dt.date) -> tuple[dt.date, dt.date]:
    start_year = today.year if today.month >= 9 else today.year - 1
    return dt.date(start_year, 9, 1), dt.date(start_year + 1, 8, 31)


@dataclass
class Cast:
    school: object
    year: object
    period: object
    year_period: object
    class_7a: object
    class_5b: object
    math: object
    russian: object
    answer: object
    control: object
    subject_teacher: object
    class_teacher: object
    other_teacher: object
    deputy_head: object
    director: object
    school_admin: object
    student: object
    guardian: object
    guardian_of_two: object
    guardian_without_consent: object
    stranger: object
    outsider: object
    pupil: object
    sibling_7a: object
    sibling_5b: object
    pupil_no_consent: object
    stranger_child: object
    lesson: object
    today: dt.date


def _family(school, year_class, guardian_user_kwargs, children, consent=True):
    guardian = f.GuardianFactory(school=school, **guardian_user_kwargs)
    for child in children:
        f.GuardianStudentFactory(school=school, guardian=guardian, student=child)
        if consent:
            f.ConsentFactory(school=school, guardian=guardian, student=child, purpose=Purpose.DIARY)
    return guardian


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgresql` need real concurrent transactions; SQLite cannot give them.
    CI runs on PostgreSQL, where they always run."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)")
    for item in items:
        if "postgresql" in item.keywords:
            item.add_marker(skip)


MOSCOW = zoneinfo.ZoneInfo("Europe/Moscow")

# "Now" for every test: a Wednesday in the second quarter, mid-morning in Moscow. Tests never
# read the machine's clock: the suite passes whatever date the machine shows (`make
# test-dates` runs it under libfaketime at several dates). A test that needs another moment
# travels there itself with the `clock` fixture (`clock.move_to(...)`).
FROZEN_NOW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=MOSCOW)


@pytest.fixture(autouse=True)
def clock():
    """The frozen clock every test runs under (see FROZEN_NOW). It ticks from that instant,
    so timeouts and durations behave; dates are fixed for the test's length."""
    with time_machine.travel(FROZEN_NOW, tick=True) as traveller:
        yield traveller


@pytest.fixture
def today(clock) -> dt.date:
    """The frozen "today" in Moscow, where the cast's school is."""
    return dt.datetime.now(MOSCOW).date()


@pytest.fixture(autouse=True)
def empty_cache():
    """Rate limits count in the cache: every test starts with none spent."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def russian_by_default():
    """Every test starts in the default language (Russian): a request in English elsewhere
    leaves its language active in the thread, which must not leak into the next test."""
    from django.utils import translation

    with translation.override("ru"):
        yield


@pytest.fixture
def cast(db) -> Cast:
    school = f.SchoolFactory(name="МБОУ «Средняя школа № 7»", short_name="Школа № 7")
    today = school.today()
    starts_on, ends_on = academic_year_bounds(today)
    year = f.YearFactory(
        school=school, name=f"{starts_on.year}/{ends_on.year}", starts_on=starts_on, ends_on=ends_on
    )
    period = f.PeriodFactory(
        school=school,
        year=year,
        name="Текущая четверть",
        starts_on=max(starts_on, today - dt.timedelta(days=40)),
        ends_on=min(ends_on, today + dt.timedelta(days=20)),
    )
    year_period = f.PeriodFactory(
        school=school,
        year=year,
        kind=sm.PeriodKind.YEAR,
        number=1,
        name="Год",
        starts_on=starts_on,
        ends_on=ends_on,
        level_max=11,
    )
    class_7a = f.ClassGroupFactory(school=school, year=year, level=7, letter="А")
    class_5b = f.ClassGroupFactory(school=school, year=year, level=5, letter="Б")
    math = f.SubjectFactory(school=school, name="Математика")
    russian = f.SubjectFactory(school=school, name="Русский язык")
    answer = f.WorkTypeFactory(school=school, name="Ответ на уроке", weight=1)
    control = f.WorkTypeFactory(school=school, name="Контрольная работа", weight=3, is_control=True)

    def teacher(username, role=Role.TEACHER):
        user = f.UserFactory(school=school, username=username, role=role)
        return f.TeacherFactory(school=school, user=user).user

    subject_teacher = teacher("subject_teacher")
    class_teacher = teacher("class_teacher")
    other_teacher = teacher("other_teacher")
    class_7a.class_teacher = class_teacher.teacher
    class_7a.save(update_fields=["class_teacher"])
    for user, subject, klass in [
        (subject_teacher, math, class_7a),
        (class_teacher, russian, class_7a),
        (other_teacher, math, class_5b),
    ]:
        f.TeachingAssignmentFactory(
            school=school, year=year, teacher=user.teacher, subject=subject, class_group=klass
        )
    deputy_head = f.UserFactory(school=school, username="deputy_head", role=Role.DEPUTY_HEAD)
    director = f.UserFactory(school=school, username="director", role=Role.DIRECTOR)
    school_admin = f.UserFactory(
        school=school, username="school_admin", role=Role.SCHOOL_ADMIN, is_staff=True
    )

    def pupil_in(klass, **kwargs):
        return f.EnrollmentFactory(
            school=school,
            class_group=klass,
            year=year,
            student=f.StudentFactory(school=school, **kwargs),
        ).student

    student_user = f.UserFactory(
        school=school, username="student", role=Role.STUDENT, first_name="Пётр"
    )
    pupil = pupil_in(class_7a, user=student_user, first_name="Пётр")
    sibling_7a = pupil_in(class_7a, first_name="Анна")
    sibling_5b = pupil_in(class_5b, first_name="Илья")
    pupil_no_consent = pupil_in(class_7a, first_name="Олег")
    stranger_child = pupil_in(class_5b, first_name="Лев")

    guardian = _family(school, year, {"user__username": "guardian"}, [pupil])
    guardian_of_two = _family(
        school, year, {"user__username": "guardian_of_two"}, [sibling_7a, sibling_5b]
    )
    guardian_without_consent = _family(
        school,
        year,
        {"user__username": "guardian_without_consent"},
        [pupil_no_consent],
        consent=False,
    )
    stranger = _family(school, year, {"user__username": "stranger"}, [stranger_child])

    outsider = f.UserFactory(username="outsider", role=Role.SCHOOL_ADMIN, is_staff=True)
    lesson = f.LessonFactory(
        school=school,
        class_group=class_7a,
        subject=math,
        teacher=subject_teacher.teacher,
        date=today,
        lesson_number=2,
        work_type=answer,
    )
    return Cast(
        school=school,
        year=year,
        period=period,
        year_period=year_period,
        class_7a=class_7a,
        class_5b=class_5b,
        math=math,
        russian=russian,
        answer=answer,
        control=control,
        subject_teacher=subject_teacher,
        class_teacher=class_teacher,
        other_teacher=other_teacher,
        deputy_head=deputy_head,
        director=director,
        school_admin=school_admin,
        student=student_user,
        guardian=guardian.user,
        guardian_of_two=guardian_of_two.user,
        guardian_without_consent=guardian_without_consent.user,
        stranger=stranger.user,
        outsider=outsider,
        pupil=pupil,
        sibling_7a=sibling_7a,
        sibling_5b=sibling_5b,
        pupil_no_consent=pupil_no_consent,
        stranger_child=stranger_child,
        lesson=lesson,
        today=today,
    )


@pytest.fixture
def as_user(client):
    """Sign the test client in as one of the cast: `as_user(cast.guardian).get(url)`."""

    def sign_in(user):
        return signin.sign_in(client, user)

    return sign_in
