"""A week of the cast's 7 «А» as the diary shows it: bells, lessons (a substitution, a moved
and a cancelled one, a group lesson), marks, homework with a file, absences and remarks."""

import datetime as dt
from dataclasses import dataclass

import pytest
from django.core.files.base import ContentFile

from journal import models as jm
from school import models as sm
from tests import factories as f


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


@dataclass
class Week:
    monday: dt.date
    lessons: list
    mark: object
    control_mark: object
    homework: object
    file: object
    group: object
    group_lesson: object
    other_group_lesson: object
    cancelled: object
    moved: object
    replacement: object
    remark: object


def add_marks(cast, student, *, per_lesson_days: int, start: dt.date, weight_cycle=True):
    """Scale the data: a math lesson and a mark on each of `per_lesson_days` school days
    before `start` (used for the 1× / 10× query-count tests)."""
    day = start
    made = 0
    while made < per_lesson_days:
        day -= dt.timedelta(days=1)
        if day.weekday() > 4:
            continue
        lesson = f.LessonFactory(
            school=cast.school,
            class_group=cast.class_7a,
            subject=cast.math,
            teacher=cast.subject_teacher.teacher,
            date=day,
            lesson_number=1 + made % 6,
            work_type=cast.control if weight_cycle and made % 3 == 0 else cast.answer,
        )
        f.MarkFactory(lesson=lesson, student=student, value=str(2 + made % 4))
        made += 1


@pytest.fixture
def week(cast, tmp_path, settings) -> Week:
    settings.MEDIA_ROOT = tmp_path
    school = cast.school
    monday = monday_of(cast.today)
    for number, (start, end) in enumerate(
        [("08:30", "09:15"), ("09:25", "10:10"), ("10:20", "11:05"), ("11:25", "12:10")], 1
    ):
        sm.BellSchedule.objects.create(
            school=school,
            lesson_number=number,
            starts_at=dt.time.fromisoformat(start),
            ends_at=dt.time.fromisoformat(end),
        )
    teacher = cast.subject_teacher.teacher
    russian_teacher = cast.class_teacher.teacher
    english = f.SubjectFactory(school=school, name="Английский язык")

    def lesson(day, number, subject=cast.math, **kwargs):
        kwargs.setdefault("teacher", teacher)
        kwargs.setdefault("class_group", cast.class_7a)
        return f.LessonFactory(
            school=school,
            subject=subject,
            date=monday + dt.timedelta(days=day),
            lesson_number=number,
            work_type=kwargs.pop("work_type", cast.answer),
            **kwargs,
        )

    # Monday: math with a mark and homework, Russian with a substitute.
    math_monday = lesson(0, 1, topic="Линейные уравнения")
    russian_monday = lesson(0, 2, cast.russian, teacher=russian_teacher, substitute_teacher=teacher)
    # Tuesday: a control work; a cancelled lesson.
    control = lesson(1, 1, work_type=cast.control, topic="Контрольная по теме «Уравнения»")
    cancelled = lesson(1, 2, cast.russian, teacher=russian_teacher, status="cancelled")
    # Wednesday: a lesson moved to Thursday.
    moved = lesson(2, 3, status="moved")
    replacement = lesson(3, 4, moved_from=moved)
    # English in two subgroups: the pupil is in group 1 only.
    group = sm.StudyGroup.objects.create(
        school=school, year=cast.year, name="7А англ. 1", subject=english, class_group=cast.class_7a
    )
    other_group = sm.StudyGroup.objects.create(
        school=school, year=cast.year, name="7А англ. 2", subject=english, class_group=cast.class_7a
    )
    sm.StudyGroupMembership.objects.create(school=school, group=group, student=cast.pupil)
    group_lesson = lesson(2, 1, english, study_group=group, topic="Present Simple")
    other_group_lesson = lesson(2, 2, english, study_group=other_group, topic="Чужая тема группы")

    mark = f.MarkFactory(
        lesson=math_monday, student=cast.pupil, value="4", comment="Хороший ответ у доски"
    )
    control_mark = f.MarkFactory(lesson=control, student=cast.pupil, value="5")
    f.MarkFactory(lesson=math_monday, student=cast.sibling_7a, value="2", comment="Чужая отметка")
    jm.Attendance.objects.create(
        school=school,
        lesson=russian_monday,
        student=cast.pupil,
        code="ill",
        date=russian_monday.date,
        created_by=cast.class_teacher,
    )
    homework = jm.Homework.objects.create(
        school=school,
        lesson=math_monday,
        text="№ 125, 126 <script>alert(1)</script>",
        due_date=control.date,
        created_by=cast.subject_teacher,
    )
    hw_file = jm.HomeworkFile(
        school=school,
        homework=homework,
        original_name="задание.pdf",
        size=12,
        content_type="application/pdf",
    )
    hw_file.file.save("task.pdf", ContentFile(b"%PDF-1.4 tiny"), save=False)
    hw_file.save()
    remark = jm.Remark.objects.create(
        school=school,
        student=cast.pupil,
        lesson=math_monday,
        subject=cast.math,
        kind="comment",
        text="Забыл тетрадь <img src=x onerror=alert(1)>",
        author=cast.subject_teacher,
    )
    return Week(
        monday=monday,
        lessons=[math_monday, russian_monday, control, cancelled, moved, replacement],
        mark=mark,
        control_mark=control_mark,
        homework=homework,
        file=hw_file,
        group=group,
        group_lesson=group_lesson,
        other_group_lesson=other_group_lesson,
        cancelled=cancelled,
        moved=moved,
        replacement=replacement,
        remark=remark,
    )
