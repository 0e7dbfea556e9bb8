"""The objects every URL pattern of the access matrix is opened with.

Everything belongs to the cast's 7 «А» and its families, so the cast's personas cover the
cases that matter: the right role (the subject teacher for the lesson, the guardian for
their child), the wrong role (a teacher on a family page), another class (`other_teacher`),
another family (`stranger`) and another school (`outsider`).
"""

import datetime as dt
from dataclasses import dataclass

from django.core.files.base import ContentFile

from consent.models import Consent, PdRequest
from diary.models import CalendarFeed
from journal.models import Homework, HomeworkFile, Mark, Remark
from school import models as sm


@dataclass
class World:
    cast: object
    link: object
    consent: object
    pd_request: object
    homework_file: object
    group: object
    feed_token: str
    entry: object
    mark: object
    remark: object


def build_world(cast) -> World:
    school = cast.school
    link = sm.GuardianStudent.objects.get(guardian__user=cast.guardian, student=cast.pupil)
    consent = Consent.objects.filter(guardian__user=cast.guardian, student=cast.pupil).first()
    consent.document.save("scan.pdf", ContentFile(b"%PDF-1.4 scan"), save=False)
    consent.save(update_fields=["document"])
    pd_request = PdRequest.objects.create(
        school=school,
        guardian=link.guardian,
        student=cast.pupil,
        received_on=cast.today,
        due_on=cast.today + dt.timedelta(days=10),
        registered_by=cast.school_admin,
    )
    homework = Homework.objects.create(
        school=school, lesson=cast.lesson, text="Задача 1", created_by=cast.subject_teacher
    )
    homework_file = HomeworkFile(
        school=school,
        homework=homework,
        original_name="task.txt",
        size=4,
        content_type="text/plain",
    )
    homework_file.file.save("task.txt", ContentFile(b"task"), save=False)
    homework_file.save()
    group = sm.StudyGroup.objects.create(
        school=school,
        year=cast.year,
        name="7 «А» математика, 1 группа",
        subject=cast.math,
        class_group=cast.class_7a,
    )
    sm.StudyGroupMembership.objects.create(school=school, group=group, student=cast.pupil)
    sm.TeachingAssignment.objects.create(
        school=school,
        year=cast.year,
        teacher=cast.subject_teacher.teacher,
        subject=cast.math,
        study_group=group,
    )
    feed = CalendarFeed.objects.create(school=school, user=cast.guardian, student=cast.pupil)
    entry = sm.TimetableEntry.objects.create(
        school=school,
        year=cast.year,
        class_group=cast.class_7a,
        subject=cast.math,
        teacher=cast.subject_teacher.teacher,
        weekday=1,
        lesson_number=1,
        valid_from=cast.year.starts_on,
    )
    mark = Mark.objects.create(
        school=school,
        lesson=cast.lesson,
        student=cast.pupil,
        value="4",
        work_type=cast.answer,
        date=cast.lesson.date,
        subject=cast.math,
        created_by=cast.subject_teacher,
    )
    remark = Remark.objects.create(
        school=school,
        student=cast.pupil,
        lesson=cast.lesson,
        subject=cast.math,
        kind="comment",
        text="Молодец",
        author=cast.subject_teacher,
    )
    return World(
        cast=cast,
        link=link,
        consent=consent,
        pd_request=pd_request,
        homework_file=homework_file,
        group=group,
        feed_token=feed.token,
        entry=entry,
        mark=mark,
        remark=remark,
    )
