"""Factories for the test cast. Each builds a consistent row of one school."""

import datetime as dt

import factory
from django.utils import timezone

from accounts.models import Role, User
from consent.models import Consent, ConsentForm, Decision, Purpose
from journal import models as jm
from school import models as sm
from school.models import School


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    name = factory.Sequence(lambda n: f"Средняя общеобразовательная школа № {n + 1}")
    short_name = factory.Sequence(lambda n: f"СОШ № {n + 1}")
    director_name = "Петрова Анна Сергеевна"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    school = factory.SubFactory(SchoolFactory)
    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Иван"
    last_name = factory.Sequence(lambda n: f"Иванов{n}")
    role = Role.TEACHER
    password = factory.django.Password("secret-pass-123")


class YearFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = sm.AcademicYear

    school = factory.SubFactory(SchoolFactory)
    name = "2026/2027"
    starts_on = dt.date(2026, 9, 1)
    ends_on = dt.date(2027, 8, 31)


class PeriodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = sm.ReportingPeriod

    year = factory.SubFactory(YearFactory)
    school = factory.SelfAttribute("year.school")
    kind = sm.PeriodKind.QUARTER
    number = 2
    name = "2 четверть"
    starts_on = dt.date(2026, 11, 5)
    ends_on = dt.date(2026, 12, 28)
    level_min = 1
    level_max = 9


class TeacherFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = sm.Teacher

    school = factory.SubFactory(SchoolFactory)
    user = factory.SubFactory(
        UserFactory, school=factory.SelfAttribute("..school"), role=Role.TEACHER
    )
    last_name = factory.SelfAttribute("user.last_name")
    first_name = factory.SelfAttribute("user.first_name")


class ClassGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = sm.ClassGroup

    year = factory.SubFactory(YearFactory)
    school = factory.SelfAttribute("year.school")
    level = 7
    letter = factory.Sequence(lambda n: "АБВГДЕЖ"[n % 7])


class StudentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = sm.Student

    school = factory.SubFactory(SchoolFactory)
    last_name = factory.Sequence(lambda n: f"Смирнов{n}")
    first_name = "Пётр"
    patronymic = "Алексеевич"
    birth_date = dt.date(2013, 5, 17)


class EnrollmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = sm.Enrollment

    class_group = factory.SubFactory(ClassGroupFactory)
    school = factory.SelfAttribute("class_group.school")
    year = factory.SelfAttribute("class_group.year")
    student = factory.SubFactory(StudentFactory, school=factory.SelfAttribute("..school"))
    joined_on = factory.SelfAttribute("year.starts_on")


class GuardianFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = sm.Guardian

    school = factory.SubFactory(SchoolFactory)
    user = factory.SubFactory(
        UserFactory, school=factory.SelfAttribute("..school"), role=Role.GUARDIAN
    )
    last_name = factory.SelfAttribute("user.last_name")
    first_name = "Мария"
    patronymic = "Ивановна"


class GuardianStudentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = sm.GuardianStudent

    guardian = factory.SubFactory(GuardianFactory)
    school = factory.SelfAttribute("guardian.school")
    student = factory.SubFactory(StudentFactory, school=factory.SelfAttribute("..school"))
    relation = sm.Relation.MOTHER


class SubjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = sm.Subject
        django_get_or_create = ["school", "name"]

    school = factory.SubFactory(SchoolFactory)
    name = "Математика"


class WorkTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = jm.WorkType
        django_get_or_create = ["school", "name"]

    school = factory.SubFactory(SchoolFactory)
    name = "Ответ на уроке"
    weight = 1


class TeachingAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = sm.TeachingAssignment

    class_group = factory.SubFactory(ClassGroupFactory)
    school = factory.SelfAttribute("class_group.school")
    year = factory.SelfAttribute("class_group.year")
    teacher = factory.SubFactory(TeacherFactory, school=factory.SelfAttribute("..school"))
    subject = factory.SubFactory(SubjectFactory, school=factory.SelfAttribute("..school"))


class LessonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = jm.Lesson

    class_group = factory.SubFactory(ClassGroupFactory)
    school = factory.SelfAttribute("class_group.school")
    subject = factory.SubFactory(SubjectFactory, school=factory.SelfAttribute("..school"))
    teacher = factory.SubFactory(TeacherFactory, school=factory.SelfAttribute("..school"))
    date = dt.date(2026, 11, 20)
    lesson_number = factory.Sequence(lambda n: n % 7 + 1)
    work_type = factory.SubFactory(WorkTypeFactory, school=factory.SelfAttribute("..school"))


class MarkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = jm.Mark

    lesson = factory.SubFactory(LessonFactory)
    school = factory.SelfAttribute("lesson.school")
    student = factory.SubFactory(StudentFactory, school=factory.SelfAttribute("..school"))
    value = "5"
    work_type = factory.SelfAttribute("lesson.work_type")
    date = factory.SelfAttribute("lesson.date")
    subject = factory.SelfAttribute("lesson.subject")
    created_by = factory.SelfAttribute("lesson.teacher.user")


class FinalMarkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = jm.FinalMark

    period = factory.SubFactory(PeriodFactory)
    school = factory.SelfAttribute("period.school")
    student = factory.SubFactory(StudentFactory, school=factory.SelfAttribute("..school"))
    subject = factory.SubFactory(SubjectFactory, school=factory.SelfAttribute("..school"))
    value = "4"
    set_by = factory.SubFactory(UserFactory, school=factory.SelfAttribute("..school"))
    set_at = factory.LazyFunction(timezone.now)


class ConsentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consent

    guardian = factory.SubFactory(GuardianFactory)
    school = factory.SelfAttribute("guardian.school")
    student = factory.SubFactory(StudentFactory, school=factory.SelfAttribute("..school"))
    purpose = Purpose.DIARY
    decision = Decision.CONSENT
    form = ConsentForm.PAPER
    decided_on = dt.date(2026, 9, 1)
    recorded_by = factory.SubFactory(
        UserFactory, school=factory.SelfAttribute("..school"), role=Role.SCHOOL_ADMIN
    )
