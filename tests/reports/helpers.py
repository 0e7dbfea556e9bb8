"""Helpers for the finals and statistics tests."""

import datetime as dt

from tests import factories as f


def give_marks(cast, student, marks, subject=None, klass=None, teacher=None):
    """give_marks(cast, student, [("5", cast.answer), ("3", cast.control)]): one lesson per
    mark (in 7 «А», maths, by the subject teacher unless told), dated inside the period."""
    subject = subject or cast.math
    klass = klass or cast.class_7a
    teacher = teacher or cast.subject_teacher.teacher
    day = cast.period.starts_on
    for i, (value, work_type) in enumerate(marks):
        lesson = f.LessonFactory(
            school=cast.school,
            class_group=klass,
            subject=subject,
            teacher=teacher,
            date=day + dt.timedelta(days=i % 20),
            work_type=work_type,
        )
        f.MarkFactory(
            school=cast.school, lesson=lesson, student=student, value=value, work_type=work_type
        )
