"""Benchmark `finals_school`: suggested final marks for the whole school for one period.

`run(school)` times `journal.selectors.finals_suggest` over every graded class of the period and
counts its queries; `make bench` (bench.run) calls it at 1× and 10× density. The query count
must not grow with the data, and seconds_1x ≤ 2 on the reference 2-core machine.

`synthetic_school()` builds a plain school with bulk inserts for when no seeded school exists
(the shape of docs/benchmarks: ~1,000 students in 40 classes, ~90 marks each at 1×).
"""

import datetime as dt
import random
import time

from django.db import connection
from django.test.utils import CaptureQueriesContext

from journal.selectors import finals_suggest
from school.models import PeriodKind, ReportingPeriod


def busiest_period(school) -> ReportingPeriod:
    """The period the bench uses: the quarter covering the school's today (or the first one)."""
    periods = ReportingPeriod.objects.filter(school=school).exclude(kind=PeriodKind.YEAR)
    today = school.today()
    return (
        periods.filter(starts_on__lte=today, ends_on__gte=today).order_by("level_min").first()
        or periods.order_by("starts_on", "level_min").first()
    )


def run(school, period: ReportingPeriod | None = None) -> dict:
    """Suggested finals for the whole school and one period: queries, seconds, sizes."""
    period = period or busiest_period(school)
    finals_suggest(school=school, period=period)  # warm-up: connection, caches
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        suggestions = finals_suggest(school=school, period=period)
        seconds = time.perf_counter() - started
    return {
        "scenario": "finals_school",
        "period": period.name,
        "queries": len(queries),
        "seconds": round(seconds, 3),
        "students": len({student for student, _subject in suggestions}),
        "suggestions": len(suggestions),
        "marks": sum(s.count for s in suggestions.values()),
    }


def synthetic_school(
    *, classes: int = 40, students_per_class: int = 25, marks_per_student: int = 90, seed: int = 1
):
    """A school for the benchmark, built with bulk inserts: one year, one quarter covering
    today, `classes` classes of grades 2–9, 12 subjects, three work types and marks spread
    over the quarter. Returns the school."""
    from accounts.models import Role, User
    from journal import models as m
    from school import models as sm
    from school.models import School

    rng = random.Random(seed)
    school = School.objects.create(name="Синтетическая школа", short_name="Синтетическая")
    today = school.today()
    start = dt.date(today.year if today.month >= 9 else today.year - 1, 9, 1)
    year = sm.AcademicYear.objects.create(
        school=school,
        name=f"{start.year}/{start.year + 1}",
        starts_on=start,
        ends_on=start.replace(year=start.year + 1, month=8, day=31),
    )
    period = sm.ReportingPeriod.objects.create(
        school=school,
        year=year,
        kind=PeriodKind.QUARTER,
        number=1,
        name="Четверть",
        starts_on=today - dt.timedelta(days=60),
        ends_on=today + dt.timedelta(days=10),
        level_min=2,
        level_max=9,
    )
    user = User.objects.create(
        username=f"bench-teacher-{school.pk}", school=school, role=Role.TEACHER
    )
    teacher = sm.Teacher.objects.create(
        school=school, user=user, last_name="Учитель", first_name="Б"
    )
    subjects = sm.Subject.objects.bulk_create(
        [sm.Subject(school=school, name=f"Предмет {i}") for i in range(12)]
    )
    work_types = m.WorkType.objects.bulk_create(
        [m.WorkType(school=school, name=f"Работа {w}", weight=w) for w in (1, 2, 3)]
    )
    groups = sm.ClassGroup.objects.bulk_create(
        [
            sm.ClassGroup(school=school, year=year, level=2 + i % 8, letter="АБВГДЕЖИКЛ"[i // 8])
            for i in range(classes)
        ]
    )
    students = sm.Student.objects.bulk_create(
        [
            sm.Student(school=school, last_name=f"Ученик{i}", first_name="Имя")
            for i in range(classes * students_per_class)
        ]
    )
    sm.Enrollment.objects.bulk_create(
        [
            sm.Enrollment(
                school=school,
                student=s,
                class_group=groups[i // students_per_class],
                year=year,
                joined_on=start,
            )
            for i, s in enumerate(students)
        ]
    )
    days = [period.starts_on + dt.timedelta(days=d) for d in range(60)]
    per_class = max(60, -(-marks_per_student // 3))  # three mark slots per lesson
    lessons = m.Lesson.objects.bulk_create(
        [
            m.Lesson(
                school=school,
                class_group=g,
                subject=subjects[n % len(subjects)],
                teacher=teacher,
                date=days[n % len(days)],
                lesson_number=1 + (n // len(days)) % 7,
                work_type=work_types[0],
            )
            for g in groups
            for n in range(per_class)
        ],
        batch_size=5000,
    )
    by_class = {}
    for lesson in lessons:
        by_class.setdefault(lesson.class_group_id, []).append(lesson)
    marks = []
    for i, student in enumerate(students):
        own = by_class[groups[i // students_per_class].pk]
        for k in range(marks_per_student):
            lesson = own[k % len(own)]
            marks.append(
                m.Mark(
                    school=school,
                    lesson=lesson,
                    student=student,
                    slot=1 + k // len(own),
                    value=rng.choice("55443332"),
                    work_type=rng.choice(work_types),
                    date=lesson.date,
                    subject_id=lesson.subject_id,
                    created_by=user,
                )
            )
    m.Mark.objects.bulk_create(marks, batch_size=5000)
    return school
