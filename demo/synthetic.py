"""The synthetic school: a deterministic, realistic Russian school for demos and benchmarks.

`SchoolBuilder(...).build()` creates one new school with a year of timetable and lessons, and
marks, absences, homework, remarks, final marks and consents up to today. The same seed gives
the same school on any database: every random choice comes from one `random.Random(seed)` and
is made in a fixed order over plain Python lists (never over database ids, whose values differ
between runs).

Speed comes from two rules: every table is built in memory and written with `bulk_create`
(one INSERT per batch; ids come back on SQLite 3.35+ and PostgreSQL, so later rows can point
at earlier ones), and there is no query per row anywhere. The whole build is one transaction.
"""

import bisect
import contextlib
import datetime as dt
import math
import random
import time
import zoneinfo
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from consent.models import (
    Consent,
    ConsentForm,
    ContactKind,
    ContactPoint,
    ContactSource,
    Decision,
    Purpose,
)
from diary.models import WeekAcknowledgement
from journal import models as jm
from school import models as sm
from school.models import School

from . import reference as ref

BATCH = 2000
# The one password of every generated account: a demo school, never a real one.
DEMO_PASSWORD = "ednevnik-demo"
LETTERS = "АБВГДЕЖЗИКЛМНОПРСТУФ"  # enough for 5000 students (20 classes a level)
MOSCOW = zoneinfo.ZoneInfo("Europe/Moscow")
# Students per class, teachers per student and siblings per student of a typical school.
CLASS_SIZE = 25
TEACHERS_PER_STUDENT = 0.09
SIBLING_SHARE = 0.05
MAX_LOAD = 24  # weekly hours of a teacher: 18 is one rate (ставка), many teach more
# Expected marks per present student in a lesson of each kind, at density 1. Calibrated so
# that the default school has about 90 thousand marks at the end of November.
MARKS_ORAL = 0.29
MARKS_CONTROL = 0.95
MARKS_DICTATION = 2.0  # grammar and spelling: two marks in one lesson
ABSENCE_SINGLE = 0.014  # a single missed or late lesson, per student-lesson
ILLNESS_START = 0.009  # chance a healthy student falls ill on a school day
HOMEWORK_AHEAD_DAYS = 14


@dataclass
class Person:
    last_name: str
    first_name: str
    patronymic: str
    female: bool

    @property
    def full_name(self) -> str:
        return f"{self.last_name} {self.first_name} {self.patronymic}"

    def names(self) -> dict:
        return {
            "last_name": self.last_name,
            "first_name": self.first_name,
            "patronymic": self.patronymic,
        }


@dataclass
class ClassPlan:
    level: int
    letter: str
    size: int
    students: list = field(default_factory=list)  # student indices, alphabetical once built
    specialists: dict = field(default_factory=dict)  # speciality -> [teacher] or [t1, t2]
    primary_teacher: int | None = None
    class_teacher: int | None = None
    groups: dict = field(default_factory=dict)  # subject name -> [group index, group index]
    capacity: dict = field(default_factory=dict)  # weekday -> lessons that day
    obj: sm.ClassGroup | None = None

    @property
    def label(self) -> str:
        return f"{self.level} «{self.letter}»"


@dataclass
class TeacherPlan:
    person: Person
    position: str
    speciality: int | None
    room: str
    load: int = 0
    username: str | None = None  # a demo login, or None for a generated one
    role: str = Role.TEACHER
    user: User | None = None
    obj: sm.Teacher | None = None


@dataclass
class StudentPlan:
    person: Person
    class_index: int
    birth_date: dt.date
    ability: float
    groups: set = field(default_factory=set)
    username: str | None = None
    has_account: bool = False
    user: User | None = None
    obj: sm.Student | None = None


@dataclass
class GuardianPlan:
    person: Person
    username: str | None = None
    user: User | None = None
    obj: sm.Guardian | None = None


@dataclass
class LessonInfo:
    """A lesson row with what the builder knows about it (its class, subgroup, course number)."""

    obj: jm.Lesson
    index: int
    class_index: int
    group: int | None  # index into the builder's groups, None for the whole class
    subject: str
    teacher: int
    number: int  # the n-th lesson of this subject for this class or subgroup


@contextlib.contextmanager
def explicit_timestamps(*models):
    """Let bulk_create keep the created_at/updated_at we set instead of "now".

    A mark of 3 September must look entered on 3 September, or every "what is new since
    yesterday" feature (the parents' digest) would see a whole term of marks as new. Django's
    auto_now fields overwrite any value on insert, so they are switched off for this process
    while the school is built, and switched back on afterwards.
    """
    fields = [
        f
        for m in models
        for f in m._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def largest_remainder(total: int, weights: list[float], minimum: int = 0) -> list[int]:
    """Split `total` into integers proportional to `weights`, each at least `minimum`."""
    rest = total - minimum * len(weights)
    shares = [rest * w / sum(weights) for w in weights]
    counts = [int(s) for s in shares]
    by_remainder = sorted(range(len(weights)), key=lambda i: (counts[i] - shares[i], i))
    for i in by_remainder[: rest - sum(counts)]:
        counts[i] += 1
    return [c + minimum for c in counts]


class SchoolBuilder:
    def __init__(
        self,
        *,
        students=1000,
        density=1.0,
        seed=1,
        school_name=None,
        password=DEMO_PASSWORD,
        today=None,
    ):
        if students < 60:
            raise ValueError("A school needs at least 60 students (11 levels, groups split).")
        if students > 5000:
            raise ValueError("At most 5000 students (letters run out).")
        if density <= 0:
            raise ValueError("Density must be positive.")
        self.n_students, self.density, self.seed = students, density, seed
        self.school_name, self.password = school_name, password
        self.rng = random.Random(seed)
        self.tz = MOSCOW
        real_now = timezone.now().astimezone(MOSCOW)
        self.today = today or real_now.date()
        # A given --today stands for that morning, so "now" stays consistent with it.
        self.now = (
            real_now
            if self.today == real_now.date()
            else dt.datetime.combine(self.today, dt.time(7, 0), tzinfo=MOSCOW)
        )
        self.stats = Counter()

    def at(self, day: dt.date, time: dt.time, minutes: int = 0) -> dt.datetime:
        return dt.datetime.combine(day, time, tzinfo=self.tz) + dt.timedelta(minutes=minutes)

    # --- The whole build ---------------------------------------------------------------------

    def build(self) -> dict:
        """Plan in memory, then write everything in one transaction. Returns the summary, with
        the seconds each step took (to see what a bigger school would cost)."""
        self.timings = {}
        for step in (self.plan_classes, self.plan_staff, self.plan_families):
            self.timed(step)
        with (
            transaction.atomic(),
            explicit_timestamps(
                jm.Lesson,
                jm.Mark,
                jm.Attendance,
                jm.Homework,
                jm.Remark,
                Consent,
                WeekAcknowledgement,
                ContactPoint,
            ),
        ):
            for step in (
                self.create_school,
                self.create_users,
                self.create_calendar,
                self.create_reference,
                self.create_people,
                self.create_classes,
                self.create_groups,
                self.create_assignments,
                self.create_timetable,
                self.create_lessons,
                self.create_attendance,
                self.create_marks,
                self.create_homework,
                self.create_remarks,
                self.create_finals,
                self.create_consents,
                self.create_acknowledgements,
                self.create_contacts,
            ):
                self.timed(step)
        return self.summary()

    def timed(self, step):
        started = time.monotonic()
        step()
        self.timings[step.__name__] = round(time.monotonic() - started, 2)

    # --- Planning: classes, staff, families (pure Python, no queries) --------------------------

    def plan_classes(self):
        """About 25 students a class; senior levels 10–11 have half as many classes."""
        n_classes = max(11, round(self.n_students / CLASS_SIZE))
        weights = [1.0 if level <= 9 else 0.5 for level in range(1, 12)]
        per_level = largest_remainder(n_classes, weights, minimum=1)
        sizes = largest_remainder(self.n_students, [1.0] * n_classes)
        self.classes = []
        for level, count in zip(range(1, 12), per_level, strict=True):
            for k in range(count):
                self.classes.append(ClassPlan(level, LETTERS[k], sizes[len(self.classes)]))
        # The demo family: one child in the first 7th class, one in the last 4th class.
        self.demo_class = next(i for i, c in enumerate(self.classes) if c.level == 7)
        self.demo_sibling_class = max(i for i, c in enumerate(self.classes) if c.level == 4)
        self.no_consent_class = next(i for i, c in enumerate(self.classes) if c.level == 8)

    def is_split(self, c: ClassPlan, subject: str) -> bool:
        return subject in ref.SPLIT_SUBJECTS and c.level >= ref.SPLIT_FROM_LEVEL

    def speciality_of(self, c: ClassPlan, subject: str) -> int | None:
        """The specialist speciality teaching `subject` in `c`, or None for the class's own
        primary teacher."""
        if c.level <= 4 and subject not in ref.PRIMARY_SPECIALIST_SUBJECTS:
            return None
        return next(i for i, (_p, subjects) in enumerate(ref.SPECIALITIES) if subject in subjects)

    def random_person(self, female: bool, surname=None) -> Person:
        rng = self.rng
        surname = surname or rng.choice(ref.SURNAMES)
        father = rng.choice(ref.MALE_NAMES)
        if female:
            return Person(surname[1], rng.choice(ref.FEMALE_ADULT_NAMES), father[2], True)
        return Person(surname[0], rng.choice(ref.MALE_NAMES)[0], father[1], False)

    def plan_staff(self):
        """Primary teachers (one per class of levels 1–4) and specialists by speciality, their
        number proportional to the speciality's weekly hours."""
        rng = self.rng
        hours = Counter()
        for c in self.classes:
            for subject, h in ref.CURRICULUM[c.level].items():
                spec = self.speciality_of(c, subject)
                if spec is not None:
                    hours[spec] += h * (2 if self.is_split(c, subject) else 1)
        specs = sorted(hours)
        # Two teachers for a split subject (its subgroups meet at the same hour), and nobody
        # above a full load, which matters in a small school.
        minimum = {
            s: max(
                2 if ref.SPECIALITIES[s][1][0] in ref.SPLIT_SUBJECTS else 1,
                math.ceil(hours[s] / MAX_LOAD),
            )
            for s in specs
        }
        primary = [i for i, c in enumerate(self.classes) if c.level <= 4]
        total = max(
            round(self.n_students * TEACHERS_PER_STUDENT), len(primary) + sum(minimum.values())
        )
        count = dict(minimum)
        for _ in range(total - len(primary) - sum(count.values())):
            # The next teacher goes where each teacher now has the most hours.
            busiest = max(specs, key=lambda s: (hours[s] / count[s], -s))
            count[busiest] += 1
        self.teachers = []
        for ci in primary:
            person = self.random_person(female=rng.random() < 0.95)
            self.classes[ci].primary_teacher = len(self.teachers)
            self.teachers.append(
                TeacherPlan(person, ref.PRIMARY_POSITION, None, str(101 + len(self.teachers)))
            )
        for s in specs:
            for _ in range(count[s]):
                person = self.random_person(female=rng.random() < 0.8)
                room = (
                    "Спортзал"
                    if ref.SPECIALITIES[s][1] == (ref.PE,)
                    else str(201 + len(self.teachers))
                )
                self.teachers.append(TeacherPlan(person, ref.SPECIALITIES[s][0], s, room))
        self.distribute_specialists()
        self.choose_class_teachers()

    def distribute_specialists(self):
        """Give each class's speciality (each subgroup, for split subjects) to the speciality's
        least-loaded teacher; the two subgroups of a class get two different teachers."""
        by_spec = defaultdict(list)
        for t, tp in enumerate(self.teachers):
            if tp.speciality is not None:
                by_spec[tp.speciality].append(t)
        for c in self.classes:
            if c.primary_teacher is not None:
                own = sum(
                    h
                    for s, h in ref.CURRICULUM[c.level].items()
                    if self.speciality_of(c, s) is None
                )
                self.teachers[c.primary_teacher].load += own
            spec_hours = Counter()
            for subject, h in ref.CURRICULUM[c.level].items():
                spec = self.speciality_of(c, subject)
                if spec is not None:
                    spec_hours[spec] += h
            for spec, h in spec_hours.items():
                split = self.is_split(c, ref.SPECIALITIES[spec][1][0])
                chosen = []
                for _g in range(2 if split else 1):
                    pool = [t for t in by_spec[spec] if t not in chosen]
                    t = min(pool, key=lambda t: (self.teachers[t].load, t))
                    self.teachers[t].load += h
                    chosen.append(t)
                c.specialists[spec] = chosen

    def choose_class_teachers(self):
        """Primary classes: their own teacher. Others: the teacher with most hours in the class
        who has no class yet. The demo roles are fixed here too."""
        history = next(i for i, (_p, s) in enumerate(ref.SPECIALITIES) if "История" in s)
        maths = next(i for i, (_p, s) in enumerate(ref.SPECIALITIES) if ref.MATHS in s)
        demo = self.classes[self.demo_class]
        self.zavuch = demo.specialists[history][0]
        self.uchitel = demo.specialists[maths][0]
        # The deputy head and the demo subject teacher have no class of their own.
        taken = {self.zavuch, self.uchitel}
        for c in self.classes:
            if c.primary_teacher is not None:
                c.class_teacher = c.primary_teacher
                continue
            hours = Counter()
            for spec, teachers in c.specialists.items():
                for t in teachers:
                    hours[t] += sum(
                        ref.CURRICULUM[c.level].get(s, 0) for s in ref.SPECIALITIES[spec][1]
                    )
            free = [t for t in hours if t not in taken] or [
                t for t in range(len(self.teachers)) if t not in taken
            ]
            c.class_teacher = max(free, key=lambda t: (hours[t], -t))
            taken.add(c.class_teacher)
        self.klassruk = demo.class_teacher
        for t, username, role, person in (
            (
                self.zavuch,
                "zavuch",
                Role.DEPUTY_HEAD,
                Person("Белова", "Татьяна", "Ивановна", True),
            ),
            (
                self.klassruk,
                "klassruk",
                Role.TEACHER,
                Person("Морозова", "Наталья", "Алексеевна", True),
            ),
            (self.uchitel, "uchitel", Role.TEACHER, Person("Лебедев", "Павел", "Андреевич", False)),
        ):
            tp = self.teachers[t]
            tp.username, tp.role, tp.person = username, role, person

    def plan_families(self):
        """Deal the class seats, shuffled, to families. About one family in twenty has two
        children at two different levels, so those parents follow two classes."""
        rng = self.rng
        seats = [ci for ci, c in enumerate(self.classes) for _ in range(c.size)]
        rng.shuffle(seats)
        families = [[self.demo_class, self.demo_sibling_class], [self.no_consent_class]]
        for ci in (self.demo_class, self.demo_sibling_class, self.no_consent_class):
            seats.remove(ci)
        for _ in range(round(self.n_students * SIBLING_SHARE) - 1):
            first = seats.pop()
            level = self.classes[first].level
            j = next(
                (j for j in range(len(seats) - 1, -1, -1) if self.classes[seats[j]].level != level),
                None,
            )
            families.append([first] if j is None else [first, seats.pop(j)])
        families.extend([ci] for ci in seats)
        self.students, self.guardians, self.links = [], [], []
        for f, class_indices in enumerate(families):
            self.add_family(f, class_indices)
        for c in self.classes:
            c.students.sort(
                key=lambda s: (
                    self.students[s].person.last_name,
                    self.students[s].person.first_name,
                    s,
                )
            )

    def add_family(self, f: int, class_indices: list[int]):
        """A mother and a father (both guardians) and their children, who share the surname
        in its gendered form and take the father's name as patronymic."""
        rng = self.rng
        surname = rng.choice(ref.SURNAMES)
        father_name = rng.choice(ref.MALE_NAMES)
        mother = self.random_person(True, surname)
        father = Person(surname[0], father_name[0], rng.choice(ref.MALE_NAMES)[1], False)
        kids = []
        for _ci in class_indices:
            girl = rng.random() < 0.5
            names = [
                n
                for n in (ref.GIRL_NAMES if girl else ref.BOY_NAMES)
                if n not in {k.first_name for k in kids}
            ]
            kids.append(
                Person(surname[girl], rng.choice(names), father_name[2 if girl else 1], girl)
            )
        if f == 0:  # the demo family: roditel and uchenik
            mother = Person("Соколова", "Елена", "Сергеевна", True)
            father = Person("Соколов", "Андрей", "Викторович", False)
            kids = [
                Person("Соколов", "Артём", "Андреевич", False),
                Person("Соколова", "Алёна", "Андреевна", True),
            ]
        elif f == 1:  # roditel-bez-soglasiya
            mother = Person("Кузнецова", "Ольга", "Петровна", True)
            father = Person("Кузнецов", "Дмитрий", "Игоревич", False)
            kids = [Person("Кузнецов", "Фёдор", "Дмитриевич", False)]
        for person, relation in ((mother, sm.Relation.MOTHER), (father, sm.Relation.FATHER)):
            for k in range(len(kids)):
                self.links.append((len(self.guardians), len(self.students) + k, relation))
            self.guardians.append(GuardianPlan(person))
        for person, ci in zip(kids, class_indices, strict=True):
            self.add_student(person, ci)
        if f == 0:
            self.guardians[-2].username = "roditel"
            self.students[-2].username = "uchenik"
        elif f == 1:
            self.guardians[-2].username = "roditel-bez-soglasiya"

    def add_student(self, person: Person, ci: int):
        """Born in the school year that fits the level: a first-grader is 7 on 1 September.
        Students from level 5 have their own accounts."""
        c = self.classes[ci]
        y = self.school_year_start().year
        earliest = dt.date(y - c.level - 7, 9, 1)
        birth = earliest + dt.timedelta(days=self.rng.randrange(365))
        ability = max(-2.5, min(2.5, self.rng.gauss(0, 1)))
        c.students.append(len(self.students))
        self.students.append(StudentPlan(person, ci, birth, ability, has_account=c.level >= 5))

    def school_year_start(self) -> dt.date:
        """1 September of the academic year that contains today (in Moscow)."""
        y = self.today.year if self.today.month >= 9 else self.today.year - 1
        return dt.date(y, 9, 1)

    # --- Writing: the school, its accounts and its calendar ------------------------------------

    def create_school(self):
        rng = self.rng
        number = rng.randint(2, 250)
        self.admin = Person("Орлова", "Марина", "Викторовна", True)
        self.director = Person("Волков", "Сергей", "Николаевич", False)
        name = self.school_name or (
            "Муниципальное бюджетное общеобразовательное учреждение "
            f"«Средняя общеобразовательная школа № {number}»"
        )
        self.school = School.objects.create(
            name=name,
            short_name=self.school_name[:100] if self.school_name else f"МБОУ СОШ № {number}",
            address=rng.choice(ref.SCHOOL_ADDRESSES),
            inn="".join(str(rng.randrange(10)) for _ in range(10)),
            director_name=self.director.full_name,
            time_zone=MOSCOW.key,
        )

    def create_users(self):
        """Every account in one bulk insert with one password hash: hashing a password with
        Argon2 takes a tenth of a second, so hashing 2,500 of them would take minutes."""
        code = f"s{self.school.pk}"
        wanted = [
            ("admin", self.admin, Role.SCHOOL_ADMIN),
            ("director", self.director, Role.DIRECTOR),
        ]
        wanted += [
            (t.username or f"{code}-teacher-{i + 1:03}", t.person, t.role)
            for i, t in enumerate(self.teachers)
        ]
        wanted += [
            (g.username or f"{code}-parent-{i + 1:04}", g.person, Role.GUARDIAN)
            for i, g in enumerate(self.guardians)
        ]
        wanted += [
            (s.username or f"{code}-student-{i + 1:04}", s.person, Role.STUDENT)
            for i, s in enumerate(self.students)
            if s.has_account
        ]
        plain = [u for u, _p, _r in wanted if not u.startswith(f"{code}-")]
        taken = set(User.objects.filter(username__in=plain).values_list("username", flat=True))
        taken |= set(
            User.objects.filter(username__startswith=f"{code}-").values_list("username", flat=True)
        )
        password = make_password(self.password)
        users = [
            User(
                username=f"{u}-{self.school.pk}" if u in taken else u,
                password=password,
                school=self.school,
                role=role,
                is_staff=role == Role.SCHOOL_ADMIN,
                **person.names(),
            )
            for u, person, role in wanted
        ]
        User.objects.bulk_create(users, batch_size=BATCH)
        self.admin_user = users[0]
        owners = self.teachers + self.guardians + [s for s in self.students if s.has_account]
        for owner, user in zip(owners, users[2:], strict=True):
            owner.user = user
        self.logins = {
            "admin": users[0].username,
            "director": users[1].username,
            "deputy_head": self.teachers[self.zavuch].user.username,
            "class_teacher": self.teachers[self.klassruk].user.username,
            "subject_teacher": self.teachers[self.uchitel].user.username,
            "guardian": self.guardians[0].user.username,
            "guardian_without_consent": self.guardians[2].user.username,
            "student": self.students[0].user.username,
        }

    def create_calendar(self):
        """The academic year containing today, its quarters (levels 1–9), half-years (10–11),
        the year, and the holidays. Periods already over are closed by the deputy head."""
        start = self.school_year_start()
        y = start.year
        self.year_start = start

        def day(spec):
            offset, month, d = spec
            return dt.date(y + offset, month, d)

        school = self.school
        self.year = sm.AcademicYear.objects.create(
            school=school, name=f"{y}/{y + 1}", starts_on=start, ends_on=dt.date(y + 1, 8, 31)
        )
        self.last_day = day(ref.QUARTERS[-1][1])
        spans = [
            (sm.PeriodKind.QUARTER, n, f"{n} четверть", day(a), day(b), 1, 9)
            for n, (a, b) in enumerate(ref.QUARTERS, 1)
        ]
        spans += [
            (sm.PeriodKind.HALF_YEAR, n, f"{n} полугодие", day(a), day(b), 10, 11)
            for n, (a, b) in enumerate(ref.HALF_YEARS, 1)
        ]
        spans.append((sm.PeriodKind.YEAR, 1, "Учебный год", start, self.last_day, 1, 11))
        self.periods = []
        for kind, number, name, starts, ends, lo, hi in spans:
            closed_on = ends + dt.timedelta(days=5)
            closed = self.at(closed_on, dt.time(17, 0)) if closed_on < self.today else None
            self.periods.append(
                sm.ReportingPeriod(
                    school=school,
                    year=self.year,
                    kind=kind,
                    number=number,
                    name=name,
                    starts_on=starts,
                    ends_on=ends,
                    level_min=lo,
                    level_max=hi,
                    closed_at=closed,
                    closed_by=self.teachers[self.zavuch].user if closed else None,
                )
            )
        sm.ReportingPeriod.objects.bulk_create(self.periods)
        holidays = [
            sm.Holiday(school=school, year=self.year, name=name, starts_on=day(a), ends_on=day(b))
            for name, a, b in ref.HOLIDAYS
        ]
        feb = dt.date(y + 1, 2, 16)
        monday = feb - dt.timedelta(days=feb.weekday())
        holidays.append(
            sm.Holiday(
                school=school,
                year=self.year,
                name=ref.FIRST_GRADE_HOLIDAY,
                starts_on=monday,
                ends_on=monday + dt.timedelta(days=6),
                level_min=1,
                level_max=1,
            )
        )
        sm.Holiday.objects.bulk_create(holidays)
        self.school_days = {level: self.days_of(level, holidays) for level in range(1, 12)}

    def days_of(self, level: int, holidays) -> list[dt.date]:
        """Weekdays from 1 September to the end of the last quarter, minus the holidays that
        apply to the level."""
        days = []
        d = self.year_start
        while d <= self.last_day:
            if d.isoweekday() <= 5 and not any(
                h.level_min <= level <= h.level_max and h.starts_on <= d <= h.ends_on
                for h in holidays
            ):
                days.append(d)
            d += dt.timedelta(days=1)
        return days

    def create_reference(self):
        """Bells, work types with their weights, subjects, and the curriculum (hours a week)."""
        school, year = self.school, self.year
        self.bells = ref.BELLS
        sm.BellSchedule.objects.bulk_create(
            [
                sm.BellSchedule(school=school, lesson_number=n, starts_at=a, ends_at=b)
                for n, (a, b) in enumerate(ref.BELLS, 1)
            ]
        )
        self.work_types = {
            name: jm.WorkType(
                school=school, name=name, short_name=short, weight=weight, is_control=control
            )
            for name, short, weight, control in ref.WORK_TYPES
        }
        jm.WorkType.objects.bulk_create(self.work_types.values())
        self.weights = {name: wt.weight for name, wt in self.work_types.items()}
        self.subjects = {
            name: sm.Subject(school=school, name=name, short_name=short, is_graded=graded)
            for name, short, graded in ref.SUBJECTS
        }
        sm.Subject.objects.bulk_create(self.subjects.values())
        sm.CurriculumPlan.objects.bulk_create(
            [
                sm.CurriculumPlan(
                    school=school,
                    year=year,
                    level=level,
                    subject=self.subjects[s],
                    hours_per_week=Decimal(hours),
                )
                for level, plan in ref.CURRICULUM.items()
                for s, hours in plan.items()
            ]
        )

    # --- Writing: people, classes, groups, assignments ----------------------------------------

    def create_people(self):
        school = self.school
        for t in self.teachers:
            t.obj = sm.Teacher(school=school, user=t.user, position=t.position, **t.person.names())
        sm.Teacher.objects.bulk_create([t.obj for t in self.teachers], batch_size=BATCH)
        for s in self.students:
            s.obj = sm.Student(
                school=school, user=s.user, birth_date=s.birth_date, **s.person.names()
            )
        sm.Student.objects.bulk_create([s.obj for s in self.students], batch_size=BATCH)
        for g in self.guardians:
            g.obj = sm.Guardian(school=school, user=g.user, **g.person.names())
        sm.Guardian.objects.bulk_create([g.obj for g in self.guardians], batch_size=BATCH)
        sm.GuardianStudent.objects.bulk_create(
            [
                sm.GuardianStudent(
                    school=school,
                    guardian=self.guardians[g].obj,
                    student=self.students[s].obj,
                    relation=relation,
                )
                for g, s, relation in self.links
            ],
            batch_size=BATCH,
        )

    def create_classes(self):
        school, year = self.school, self.year
        for c in self.classes:
            c.obj = sm.ClassGroup(
                school=school,
                year=year,
                level=c.level,
                letter=c.letter,
                class_teacher=self.teachers[c.class_teacher].obj,
            )
        sm.ClassGroup.objects.bulk_create([c.obj for c in self.classes])
        sm.Enrollment.objects.bulk_create(
            [
                sm.Enrollment(
                    school=school,
                    year=year,
                    student=self.students[s].obj,
                    class_group=c.obj,
                    joined_on=self.year_start,
                )
                for c in self.classes
                for s in c.students
            ],
            batch_size=BATCH,
        )

    def create_groups(self):
        """English and informatics from level 5 are taught in two subgroups: the first half of
        the class list and the second, as schools usually split them."""
        self.groups = []  # (StudyGroup, members)
        for c in self.classes:
            for subject in ref.SPLIT_SUBJECTS:
                if not self.is_split(c, subject) or subject not in ref.CURRICULUM[c.level]:
                    continue
                half = (len(c.students) + 1) // 2
                c.groups[subject] = []
                for g, members in enumerate((c.students[:half], c.students[half:]), 1):
                    group = sm.StudyGroup(
                        school=self.school,
                        year=self.year,
                        kind=sm.StudyGroupKind.SUBGROUP,
                        name=f"{c.level}{c.letter} {subject}, {g} гр.",
                        subject=self.subjects[subject],
                        class_group=c.obj,
                    )
                    c.groups[subject].append(len(self.groups))
                    for s in members:
                        self.students[s].groups.add(len(self.groups))
                    self.groups.append((group, members))
        sm.StudyGroup.objects.bulk_create([g for g, _m in self.groups], batch_size=BATCH)
        sm.StudyGroupMembership.objects.bulk_create(
            [
                sm.StudyGroupMembership(school=self.school, group=g, student=self.students[s].obj)
                for g, members in self.groups
                for s in members
            ],
            batch_size=BATCH,
        )

    def create_assignments(self):
        """Who teaches what where. A subgroup's assignment names both the subgroup and its
        class, as the timetable and lessons of the subgroup do."""
        self.taught_by = {}  # (class index, subject) -> [(group index or None, teacher index)]
        rows = []
        for ci, c in enumerate(self.classes):
            for subject in ref.CURRICULUM[c.level]:
                spec = self.speciality_of(c, subject)
                teachers = [c.primary_teacher] if spec is None else c.specialists[spec]
                groups = c.groups.get(subject, [None])
                who = list(zip(groups, teachers, strict=True))
                self.taught_by[(ci, subject)] = who
                rows += [
                    sm.TeachingAssignment(
                        school=self.school,
                        year=self.year,
                        teacher=self.teachers[t].obj,
                        subject=self.subjects[subject],
                        class_group=c.obj,
                        study_group=None if g is None else self.groups[g][0],
                    )
                    for g, t in who
                ]
        sm.TeachingAssignment.objects.bulk_create(rows, batch_size=BATCH)

    # --- Writing: the timetable and a year of lessons -----------------------------------------

    def create_timetable(self):
        """A five-day week per class from the curriculum hours, lessons from the first bell on
        without gaps. The two subgroups of a split subject share a slot, each with its teacher.
        A teacher is never in two places at once unless no attempt could avoid it (counted)."""
        self.busy = defaultdict(set)  # teacher -> {(weekday, lesson number)}
        self.timetable = []  # (TimetableEntry, class index, group index or None, subject, teacher)
        for ci, c in enumerate(self.classes):
            items = [
                (subject, self.taught_by[(ci, subject)])
                for subject, hours in ref.CURRICULUM[c.level].items()
                for _ in range(hours)
            ]
            total = len(items)
            c.capacity = {wd: total // 5 + (wd <= total % 5) for wd in range(1, 6)}
            # A greedy week sometimes corners itself; a few reshuffles nearly always find one
            # without clashes, and the best attempt is kept either way.
            best = None
            for _attempt in range(30):
                week, clashes = self.place_week(c, items)
                if best is None or clashes < best[1]:
                    best = (week, clashes)
                if not clashes:
                    break
            self.stats["timetable_clashes"] += best[1]
            for subject, who, place in best[0]:
                for g, t in who:
                    self.busy[t].add(place)
                    self.timetable.append(
                        (
                            sm.TimetableEntry(
                                school=self.school,
                                year=self.year,
                                class_group=c.obj,
                                study_group=None if g is None else self.groups[g][0],
                                subject=self.subjects[subject],
                                teacher=self.teachers[t].obj,
                                weekday=place[0],
                                lesson_number=place[1],
                                room=self.teachers[t].room,
                                valid_from=self.year_start,
                            ),
                            ci,
                            g,
                            subject,
                            t,
                        )
                    )
        sm.TimetableEntry.objects.bulk_create([e for e, *_rest in self.timetable], batch_size=BATCH)

    def place_week(self, c: ClassPlan, items: list) -> tuple[list, int]:
        """One greedy attempt: the most constrained lessons first, each into a free slot where
        all its teachers are free, preferring a day without that subject yet."""
        rng = self.rng
        free = [(wd, n) for wd in range(1, 6) for n in range(1, c.capacity[wd] + 1)]
        tiebreak = {p: rng.random() for p in free}
        items = rng.sample(items, len(items))
        items.sort(key=lambda it: (-len(it[1]), -max(self.teachers[t].load for _g, t in it[1])))
        taken, per_day, week, clashes = defaultdict(set), Counter(), [], 0
        for subject, who in items:
            fits = [p for p in free if not any(p in self.busy[t] or p in taken[t] for _g, t in who)]
            clashes += not fits
            place = min(fits or free, key=lambda p: (per_day[(subject, p[0])], tiebreak[p]))
            free.remove(place)
            per_day[(subject, place[0])] += 1
            for _g, t in who:
                taken[t].add(place)
            week.append((subject, who, place))
        return week, clashes

    def lesson_work_type(self, subject: str, number: int) -> str:
        """Mostly answers in class; every 8th lesson of a course is its control work."""
        if number % 8:
            return ref.ORAL
        options = ref.CONTROL_WORK[subject]
        return options[(number // 8 - 1) % len(options)]

    def lesson_topic(self, subject: str, level: int, number: int, work_type: str) -> str:
        """Three lessons a topic; the level shifts the list so parallel levels differ."""
        topics = ref.TOPICS[subject]
        topic = topics[((number - 1) // 3 + 2 * level) % len(topics)]
        if work_type != ref.ORAL:
            return f"{work_type} по теме «{topic}»"
        return (topic, f"{topic} (продолжение)", f"{topic} (закрепление)")[(number - 1) % 3]

    def create_lessons(self):
        """Every timetable entry on every school day of its class's level, a few lessons
        cancelled, substituted or moved, then one bulk insert."""
        by_day = defaultdict(list)
        for entry, ci, g, subject, t in self.timetable:
            by_day[(ci, entry.weekday)].append((entry, g, subject, t))
        created = self.at(self.year_start - dt.timedelta(days=4), dt.time(10, 0))
        course = Counter()
        self.lessons = []
        for ci, c in enumerate(self.classes):
            for day in self.school_days[c.level]:
                for entry, g, subject, t in sorted(
                    by_day[(ci, day.isoweekday())], key=lambda e: e[0].lesson_number
                ):
                    course[(ci, g, subject)] += 1
                    n = course[(ci, g, subject)]
                    work_type = self.lesson_work_type(subject, n)
                    lesson = jm.Lesson(
                        school=self.school,
                        class_group=c.obj,
                        study_group=entry.study_group,
                        subject=entry.subject,
                        teacher=entry.teacher,
                        timetable_entry=entry,
                        date=day,
                        lesson_number=entry.lesson_number,
                        room=entry.room,
                        topic=self.lesson_topic(subject, c.level, n, work_type)
                        if day < self.today
                        else "",
                        work_type=self.work_types[work_type],
                        created_at=created,
                        updated_at=created,
                    )
                    self.lessons.append(LessonInfo(lesson, len(self.lessons), ci, g, subject, t, n))
        moved = self.disturb_lessons()
        jm.Lesson.objects.bulk_create([li.obj for li in self.lessons], batch_size=BATCH)
        self.move_lessons(moved)
        self.held = [li for li in self.lessons if li.obj.status == jm.LessonStatus.SCHEDULED]

    def disturb_lessons(self) -> list[LessonInfo]:
        """Real journals are not clean: about 0.2 % of past lessons cancelled, 1 % given by a
        substitute who is free at that hour (a colleague of the same speciality if possible),
        and two past lessons and one in the coming week moved to another day."""
        rng = self.rng
        past = [li for li in self.lessons if li.obj.date < self.today]
        n_cancel, n_sub = max(3, len(past) // 500), max(5, len(past) // 100)
        picked = rng.sample(past, min(len(past), n_cancel + n_sub))
        for li in picked[:n_cancel]:
            li.obj.status, li.obj.topic = jm.LessonStatus.CANCELLED, ""
            li.obj.updated_at = self.at(li.obj.date - dt.timedelta(days=1), dt.time(15, 0))
        for li in picked[n_cancel:]:
            slot = (li.obj.date.isoweekday(), li.obj.lesson_number)
            free = [
                t for t in range(len(self.teachers)) if t != li.teacher and slot not in self.busy[t]
            ]
            same = [
                t
                for t in free
                if self.teachers[t].speciality == self.teachers[li.teacher].speciality
            ]
            if same or free:
                li.obj.substitute_teacher = self.teachers[rng.choice(same or free)].obj
        moved = []
        for lo, hi, count in ((-21, -3, 2), (1, 7, 1)):
            window = [
                li
                for li in self.lessons
                if lo <= (li.obj.date - self.today).days <= hi
                and li.group is None
                and li.obj.status == jm.LessonStatus.SCHEDULED
                and li.obj.substitute_teacher is None
                and self.classes[li.class_index].level >= 2
                and self.replacement_slot(li) is not None
            ]
            for li in rng.sample(window, min(count, len(window))):
                li.obj.status, li.obj.topic = jm.LessonStatus.MOVED, ""
                li.obj.updated_at = self.at(
                    min(li.obj.date, self.today) - dt.timedelta(days=1), dt.time(14, 0)
                )
                moved.append(li)
        return moved

    def replacement_slot(self, li: LessonInfo) -> tuple[dt.date, int] | None:
        """Where a moved lesson goes: the class's next school day, after its last lesson, if
        the teacher is free then; a past lesson moves to a day that is past too."""
        c = self.classes[li.class_index]
        days = self.school_days[c.level]
        i = bisect.bisect_right(days, li.obj.date)
        if i == len(days) or li.obj.date < self.today <= days[i]:
            return None
        number = c.capacity[days[i].isoweekday()] + 1
        if (days[i].isoweekday(), number) in self.busy[li.teacher] or number > len(self.bells):
            return None
        return days[i], number

    def move_lessons(self, moved: list[LessonInfo]):
        """The replacement of a moved lesson, with no timetable entry and `moved_from` pointing
        back to the original."""
        replacements = []
        for li in moved:
            c, old = self.classes[li.class_index], li.obj
            day, number = self.replacement_slot(li)
            work_type = old.work_type.name
            new = jm.Lesson(
                school=self.school,
                class_group=old.class_group,
                study_group=None,
                subject=old.subject,
                teacher=old.teacher,
                timetable_entry=None,
                date=day,
                lesson_number=number,
                room=old.room,
                topic=self.lesson_topic(li.subject, c.level, li.number, work_type)
                if day < self.today
                else "",
                work_type=old.work_type,
                moved_from=old,
                created_at=old.updated_at,
                updated_at=old.updated_at,
            )
            replacements.append(new)
            self.lessons.append(
                LessonInfo(
                    new, len(self.lessons), li.class_index, None, li.subject, li.teacher, li.number
                )
            )
        jm.Lesson.objects.bulk_create(replacements)

    # --- Writing: attendance, marks, homework, remarks ----------------------------------------

    def audience(self, li: LessonInfo) -> list[int]:
        """The students of a lesson: its subgroup's, or the whole class's."""
        return (
            self.groups[li.group][1]
            if li.group is not None
            else self.classes[li.class_index].students
        )

    def author(self, li: LessonInfo) -> int:
        """The user id of whoever gave the lesson (the substitute if there was one)."""
        teacher = li.obj.substitute_teacher or li.obj.teacher
        return teacher.user_id

    def create_attendance(self):
        """About 5 % of past student-lessons: illnesses lasting a few school days (every lesson
        of those days is «б»), plus single absences, excused absences and latecomers."""
        rng = self.rng
        day_lessons = defaultdict(list)
        for li in self.held:
            if li.obj.date < self.today:
                day_lessons[(li.class_index, li.obj.date)].append(li)
        self.absent = set()  # (lesson index, student index): no mark for them
        self.absent_per_lesson = Counter()
        rows = []
        for ci, c in enumerate(self.classes):
            days = [d for d in self.school_days[c.level] if d < self.today]
            for s in c.students:
                groups = self.students[s].groups
                frailty = 0.5 + rng.random()  # some children are ill more often than others
                ill_days_left = 0
                for day in days:
                    if not ill_days_left and rng.random() < ILLNESS_START * frailty:
                        ill_days_left = rng.randint(2, 7)
                    ill = ill_days_left > 0
                    ill_days_left -= ill
                    for li in day_lessons[(ci, day)]:
                        if li.group is not None and li.group not in groups:
                            continue
                        if ill:
                            code = jm.AttendanceCode.ILL
                        elif rng.random() < ABSENCE_SINGLE * frailty:
                            code = rng.choice(
                                (
                                    jm.AttendanceCode.ABSENT,
                                    jm.AttendanceCode.EXCUSED,
                                    jm.AttendanceCode.LATE,
                                    jm.AttendanceCode.LATE,
                                )
                            )
                        else:
                            continue
                        rows.append(self.attendance_row(li, s, code))
        jm.Attendance.objects.bulk_create(rows, batch_size=BATCH)

    def attendance_row(self, li: LessonInfo, s: int, code: str) -> jm.Attendance:
        late = code == jm.AttendanceCode.LATE
        if not late:
            self.absent.add((li.index, s))
            self.absent_per_lesson[li.index] += 1
        at = self.at(li.obj.date, self.bells[li.obj.lesson_number - 1][0], self.rng.randint(3, 40))
        return jm.Attendance(
            school_id=self.school.pk,
            lesson_id=li.obj.pk,
            student_id=self.students[s].obj.pk,
            code=code,
            minutes_late=self.rng.randint(3, 20) if late else None,
            date=li.obj.date,
            created_by_id=self.author(li),
            created_at=at,
            updated_at=at,
        )

    def base_rate(self, li: LessonInfo) -> float:
        kind = li.obj.work_type.name
        if kind == ref.DICTATION:
            return MARKS_DICTATION
        return MARKS_ORAL if kind == ref.ORAL else MARKS_CONTROL

    def mark_rates(self, graded: list[LessonInfo]) -> dict[float, float]:
        """Marks per present student for each kind of lesson at this density.

        At density N every kind gets N times its base rate, scaled up by a common factor when
        some kinds hit the limit of three marks a lesson, so the total still grows about N-fold.
        Past about 9× every present student has three marks in every lesson and it stops.
        """
        present = Counter()
        for li in graded:
            present[self.base_rate(li)] += len(self.audience(li)) - self.absent_per_lesson[li.index]
        d = self.density
        target = d * sum(e * n for e, n in present.items())

        def total(c):
            return sum(min(3.0, e * d * c) * n for e, n in present.items())

        lo = hi = 1.0
        while total(hi) < target and any(e * d * hi < 3 for e in present):
            lo, hi = hi, hi * 2
        for _ in range(40):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if total(mid) < target else (lo, mid)
        return {e: min(3.0, e * d * hi) for e in present}

    def slot_work_type(self, kind: str, slot: int) -> str:
        """The first mark is for the lesson's work; a dictation gives a second for spelling;
        other extra marks are answers and homework checks."""
        if slot == 1:
            if kind != ref.ORAL:
                return kind
            return ref.HOMEWORK_CHECK if self.rng.random() < 0.2 else ref.ORAL
        if slot == 2:
            return (
                ref.DICTATION
                if kind == ref.DICTATION
                else self.rng.choice((ref.ORAL, ref.HOMEWORK_CHECK))
            )
        return self.rng.choice((ref.ORAL, ref.HOMEWORK_CHECK, ref.INDEPENDENT))

    def mark_value(self, s: int, subject: str, work_type: str) -> str:
        """A mark from the student's own distribution: their ability, a per-subject leaning,
        and control works a little harder. A «зачёт» is pass or fail."""
        student = self.students[s]
        if work_type == ref.CREDIT:
            return (
                "fail" if self.rng.random() < (0.12 if student.ability < -1 else 0.03) else "pass"
            )
        control = self.weights[work_type] > 1
        table = self.tables.get((s, subject, control))
        if table is None:
            bias = self.leaning.setdefault((s, subject), self.rng.gauss(0, 0.35))
            mu = 4.15 + 0.6 * student.ability + bias - (0.25 if control else 0)
            weights = [math.exp(-((v - mu) ** 2) / 1.2) for v in (5, 4, 3, 2)] + [0.003]
            table = [sum(weights[: i + 1]) for i in range(5)]
            self.tables[(s, subject, control)] = table
        return "54321"[bisect.bisect(table, self.rng.random() * table[-1])]

    def final_period(self, li: LessonInfo) -> int | None:
        """The index of the ended quarter or half-year this lesson falls in, if any."""
        level, date = self.classes[li.class_index].level, li.obj.date
        for i, p in enumerate(self.periods):
            if (
                p.kind != sm.PeriodKind.YEAR
                and p.ends_on < self.today
                and p.level_min <= level <= p.level_max
                and p.starts_on <= date <= p.ends_on
            ):
                return i
        return None

    def create_marks(self):
        """Marks on past lessons of graded subjects from level 2, never for an absent student.
        Written in chunks so that the 10× school does not hold a million rows in memory; the
        weighted sums for final marks are kept on the way."""
        rng = self.rng
        graded = [
            li
            for li in self.held
            if li.obj.date < self.today
            and self.classes[li.class_index].level >= 2
            and self.subjects[li.subject].is_graded
        ]
        rates = self.mark_rates(graded)
        self.tables, self.leaning = {}, {}
        self.final_sums = defaultdict(lambda: [0, 0])  # (period, student, subject) -> [Σ, Σw]
        work_type_ids = {name: wt.pk for name, wt in self.work_types.items()}
        buffer = []
        for li in graded:
            lesson = li.obj
            rate = rates[self.base_rate(li)]
            whole, fraction = int(rate), rate - int(rate)
            kind, period = lesson.work_type.name, self.final_period(li)
            at = self.at(lesson.date, self.bells[lesson.lesson_number - 1][1], rng.randint(0, 240))
            common = {
                "school_id": self.school.pk,
                "lesson_id": lesson.pk,
                "date": lesson.date,
                "subject_id": lesson.subject_id,
                "created_by_id": self.author(li),
                "created_at": at,
                "updated_at": at,
            }
            for s in self.audience(li):
                if (li.index, s) in self.absent:
                    continue
                for slot in range(1, min(3, whole + (rng.random() < fraction)) + 1):
                    work_type = self.slot_work_type(kind, slot)
                    value = self.mark_value(s, li.subject, work_type)
                    buffer.append(
                        jm.Mark(
                            student_id=self.students[s].obj.pk,
                            slot=slot,
                            value=value,
                            work_type_id=work_type_ids[work_type],
                            **common,
                        )
                    )
                    if period is not None and value in jm.NUMERIC_MARKS:
                        sums = self.final_sums[(period, s, li.subject)]
                        sums[0] += jm.NUMERIC_MARKS[value] * self.weights[work_type]
                        sums[1] += self.weights[work_type]
            if len(buffer) >= 20 * BATCH:
                jm.Mark.objects.bulk_create(buffer, batch_size=BATCH)
                buffer = []
        jm.Mark.objects.bulk_create(buffer, batch_size=BATCH)

    def create_homework(self):
        """Homework on most lessons up to two weeks ahead (none in grade 1, little in PE and
        the arts), due at the next lesson of the same course or in two days."""
        rng = self.rng
        horizon = self.today + dt.timedelta(days=HOMEWORK_AHEAD_DAYS)
        chance = {ref.PE: 0.05, ref.MUSIC: 0.2, "ИЗО": 0.3, "Технология": 0.3}
        courses = defaultdict(list)
        for li in self.held:
            courses[(li.class_index, li.group, li.subject)].append(li)
        rows = []
        for (ci, _g, subject), lessons in courses.items():
            if self.classes[ci].level == 1:
                continue
            lessons.sort(key=lambda li: (li.obj.date, li.obj.lesson_number))
            for i, li in enumerate(lessons):
                lesson = li.obj
                if lesson.date >= horizon:
                    break
                if rng.random() >= chance.get(subject, 0.85):
                    continue
                due = (
                    lessons[i + 1].obj.date
                    if i + 1 < len(lessons)
                    else lesson.date + dt.timedelta(days=2)
                )
                if lesson.date < self.today:  # set at the lesson
                    at = self.at(
                        lesson.date, self.bells[lesson.lesson_number - 1][1], rng.randint(0, 90)
                    )
                else:  # set ahead, some time in the last days before this morning
                    at = self.at(self.today, dt.time(7, 0), -rng.randint(30, 5 * 24 * 60))
                rows.append(
                    jm.Homework(
                        school_id=self.school.pk,
                        lesson_id=lesson.pk,
                        text=self.homework_text(subject),
                        due_date=due,
                        created_by_id=self.author(li),
                        created_at=at,
                        updated_at=at,
                    )
                )
        jm.Homework.objects.bulk_create(rows, batch_size=BATCH)

    def homework_text(self, subject: str) -> str:
        rng = self.rng
        template = rng.choice(ref.HOMEWORK.get(subject, ref.HOMEWORK_DEFAULT))
        a, b, c = rng.randint(1, 40), rng.randint(1, 600), rng.randint(5, 250)
        return template.format(a=a, b=b, c=c, d=c + rng.randint(4, 20), e=b + rng.randint(1, 6))

    def create_remarks(self):
        """Remarks for about one student in thirty, and one of each kind for both children of
        the demo parent, so that the demo diary shows them."""
        rng = self.rng
        past = defaultdict(list)
        for li in self.held:
            if li.obj.date < self.today:
                past[li.class_index].append(li)
        chosen = rng.sample(range(len(self.students)), max(5, len(self.students) // 30))
        kinds = list(jm.RemarkKind.values)
        wanted = [(s, rng.choice(kinds)) for s in chosen for _ in range(rng.randint(1, 2))]
        wanted += [(s, kind) for s in (0, 1) for kind in kinds]
        rows = [row for s, kind in wanted if (row := self.remark(s, kind, past)) is not None]
        jm.Remark.objects.bulk_create(rows, batch_size=BATCH)

    def remark(self, s: int, kind: str, past) -> jm.Remark | None:
        """A comment or recommendation from the teacher of one of the student's past lessons,
        or a message to the parents from the class teacher, dated after that lesson."""
        rng, student = self.rng, self.students[s]
        lessons = [
            li for li in past[student.class_index] if li.group is None or li.group in student.groups
        ]
        if not lessons:
            return None
        li = rng.choice(lessons)
        female = student.person.female
        text = rng.choice(ref.REMARKS[kind]).format(
            a="а" if female else "",
            sya="ась" if female else "ся",
            topic=rng.choice(ref.TOPICS[li.subject]),
        )
        at = self.at(li.obj.date, self.bells[li.obj.lesson_number - 1][1], rng.randint(0, 300))
        if kind == jm.RemarkKind.MESSAGE:
            class_teacher = self.teachers[self.classes[student.class_index].class_teacher]
            return jm.Remark(
                school=self.school,
                student=student.obj,
                kind=kind,
                text=text,
                author_id=class_teacher.user.pk,
                created_at=at,
            )
        return jm.Remark(
            school=self.school,
            student=student.obj,
            lesson=li.obj,
            subject=li.obj.subject,
            kind=kind,
            text=text,
            author_id=self.author(li),
            created_at=at,
        )

    def create_finals(self):
        """Final marks for the quarters and half-years already over: the weighted average of
        the numeric marks rounded by the school's thresholds, set by the course's teacher in
        the last days of the period and visible to the family within hours. One final is
        deferred for illness and one is «н/а», as every real summary sheet has."""
        rng, school = self.rng, self.school
        t5, t4, t3 = (
            Fraction(t) for t in (school.threshold_5, school.threshold_4, school.threshold_3)
        )
        rows = []
        for (p, s, subject), (total, weight) in self.final_sums.items():
            average = Fraction(total, weight)
            value = (
                "5" if average >= t5 else "4" if average >= t4 else "3" if average >= t3 else "2"
            )
            student, period = self.students[s], self.periods[p]
            teacher = next(
                t
                for g, t in self.taught_by[(student.class_index, subject)]
                if g is None or g in student.groups
            )
            set_at = self.at(
                period.ends_on - dt.timedelta(days=rng.randint(0, 2)),
                dt.time(14, 0),
                rng.randint(0, 300),
            )
            rows.append(
                jm.FinalMark(
                    school=school,
                    student=student.obj,
                    subject=self.subjects[subject],
                    period=period,
                    kind=jm.FinalKind.PERIOD,
                    status=jm.FinalStatus.GRADED,
                    value=value,
                    set_by=self.teachers[teacher].user,
                    set_at=set_at,
                    published_at=set_at + dt.timedelta(minutes=rng.randint(1, 240)),
                )
            )
        demo = {self.students[i].obj.pk for i in range(3)}
        others = [i for i, row in enumerate(rows) if row.student_id not in demo]
        if len(others) >= 2:
            deferred, not_assessed = (rows[i] for i in rng.sample(others, 2))
            deferred.status, deferred.value = jm.FinalStatus.DEFERRED, ""
            deferred.deferral_reason, deferred.deferral_document = (
                ref.DEFERRAL_REASON,
                ref.DEFERRAL_DOCUMENT,
            )
            deferred.deferred_until = deferred.period.ends_on + dt.timedelta(days=21)
            not_assessed.status, not_assessed.value = jm.FinalStatus.NOT_ASSESSED, ""
        jm.FinalMark.objects.bulk_create(rows, batch_size=BATCH)

    def create_consents(self):
        """Paper consents collected in the first week of September for most parent–child
        pairs, SMS and e-mail for a share, a few refusals, some electronic documents. The demo
        parent consented for both children; the other demo parent has no decision recorded."""
        rng, rows = self.rng, []
        self.diary_links = []
        self.contact_wanted = defaultdict(set)
        for g, s, _relation in self.links:
            if g == 2:  # roditel-bez-soglasiya
                continue
            decided = min(self.today, self.year_start + dt.timedelta(days=rng.randint(0, 6)))
            diary = Decision.CONSENT if g == 0 else self.decision(0.95, 0.015)
            if diary == Decision.CONSENT:
                self.diary_links.append((g, s))
            wanted = [(Purpose.DIARY, diary)]
            if diary == Decision.CONSENT:
                wanted += [
                    (Purpose.SMS, self.decision(0.45, 0.05)),
                    (Purpose.EMAIL, self.decision(0.30, 0.02)),
                ]
            electronic = rng.random() < 0.1
            for purpose, decision in wanted:
                if decision is None:
                    continue
                if decision == Decision.CONSENT and purpose in (Purpose.SMS, Purpose.EMAIL):
                    self.contact_wanted[g].add(purpose)
                rows.append(
                    Consent(
                        school=self.school,
                        guardian=self.guardians[g].obj,
                        student=self.students[s].obj,
                        purpose=purpose,
                        decision=decision,
                        form=ConsentForm.ELECTRONIC if electronic else ConsentForm.PAPER,
                        decided_on=decided,
                        document_ref=f"{'ЭД' if electronic else 'Заявление'} № {len(rows) + 1}",
                        recorded_by=self.admin_user,
                        recorded_at=min(
                            self.now, self.at(decided, dt.time(9, 0), rng.randint(0, 480))
                        ),
                    )
                )
        Consent.objects.bulk_create(rows, batch_size=BATCH)

    def create_acknowledgements(self):
        """Parents who read the electronic diary confirm the weeks whose school days are over
        (the last eight): most families most weeks, a few rarely, so that the class teacher's
        confirmations page has something to show. The demo parent has confirmed every week but
        the latest, to try the button on."""
        rng, rows = self.rng, []
        mondays = []
        monday = self.today - dt.timedelta(days=self.today.weekday())
        while len(mondays) < 8 and monday >= self.year_start - dt.timedelta(days=6):
            if monday + dt.timedelta(days=4) < self.today:  # its Friday is past
                mondays.append(monday)
            monday -= dt.timedelta(days=7)
        readers = defaultdict(list)
        for g, s in self.diary_links:
            readers[s].append(g)
        for s in sorted(readers):
            guardians = readers[s]
            diligence = 1.0 if 0 in guardians else rng.choice((0.2, 0.6, 0.8, 0.9, 0.95))
            for i, monday in enumerate(mondays):
                if 0 in guardians:
                    if i == 0:
                        continue  # the latest week is left for the demo parent to confirm
                elif rng.random() >= diligence:
                    continue
                g = 0 if 0 in guardians else rng.choice(guardians)
                friday = monday + dt.timedelta(days=4)
                at = self.at(friday, dt.time(18, 0), rng.randint(0, 60 * 24 * 3))
                rows.append(
                    WeekAcknowledgement(
                        school=self.school,
                        guardian=self.guardians[g].obj,
                        student=self.students[s].obj,
                        week_start=monday,
                        acknowledged_at=min(self.now, at),
                    )
                )
        WeekAcknowledgement.objects.bulk_create(rows, batch_size=BATCH)

    def create_contacts(self):
        """A phone for each parent who agreed to SMS and an e-mail for each who agreed to
        e-mail, from the same paper application (fictitious: +7 900 ... and example.ru)."""
        rng, rows = self.rng, []
        for g in sorted(self.contact_wanted):
            guardian = self.guardians[g]
            at = min(self.now, self.at(self.year_start, dt.time(9, 0), rng.randint(0, 480)))
            for purpose in sorted(self.contact_wanted[g]):
                if purpose == Purpose.SMS:
                    kind, value = ContactKind.PHONE, f"+7900{rng.randint(0, 9_999_999):07d}"
                else:
                    kind, value = ContactKind.EMAIL, f"parent{g + 1}@example.ru"
                rows.append(
                    ContactPoint(
                        school=self.school,
                        guardian=guardian.obj,
                        kind=kind,
                        value=value,
                        source=ContactSource.APPLICATION,
                        document_ref="Заявление о согласии",
                        recorded_at=at,
                        recorded_by=self.admin_user,
                        verified=True,
                    )
                )
        ContactPoint.objects.bulk_create(rows, batch_size=BATCH)

    def decision(self, consent: float, refusal: float) -> str | None:
        r = self.rng.random()
        if r < consent:
            return Decision.CONSENT
        return Decision.REFUSAL if r < consent + refusal else None

    # --- The summary ----------------------------------------------------------------------------

    def summary(self) -> dict:
        """Counts read back from the database (what was written, not what was meant), and the
        demo logins with who they are."""
        of_school = {"school": self.school}
        counts = {"schools": School.objects.count()}
        for key, model in (
            ("classes", sm.ClassGroup),
            ("teachers", sm.Teacher),
            ("students", sm.Student),
            ("guardians", sm.Guardian),
            ("guardian_links", sm.GuardianStudent),
            ("users", User),
            ("subjects", sm.Subject),
            ("study_groups", sm.StudyGroup),
            ("teaching_assignments", sm.TeachingAssignment),
            ("timetable_entries", sm.TimetableEntry),
            ("lessons", jm.Lesson),
            ("marks", jm.Mark),
            ("attendance", jm.Attendance),
            ("homework", jm.Homework),
            ("remarks", jm.Remark),
            ("final_marks", jm.FinalMark),
            ("consents", Consent),
            ("week_acknowledgements", WeekAcknowledgement),
            ("contacts", ContactPoint),
        ):
            counts[key] = model.objects.filter(**of_school).count()
        counts["timetable_clashes"] = self.stats["timetable_clashes"]
        return {
            "school_id": self.school.pk,
            "school": str(self.school),
            "year": self.year.name,
            "today": self.today.isoformat(),
            "password": self.password,
            "logins": self.logins,
            "who": self.who(),
            "counts": counts,
            "timings": self.timings,
        }

    def who(self) -> dict:
        """Who each demo login is, in Russian, for the printed table."""
        demo = self.classes[self.demo_class]
        first, second, third = self.students[0], self.students[1], self.students[2]

        def child(sp: StudentPlan) -> str:
            return f"{sp.person.last_name} {sp.person.first_name} ({self.classes[sp.class_index].label})"

        def teacher(t: int) -> str:
            return self.teachers[t].person.full_name

        return {
            "admin": f"администратор школы (вход в /admin/): {self.admin.full_name}",
            "director": f"директор: {self.director.full_name}",
            "deputy_head": "завуч (заместитель директора по УВР), ведёт историю и "
            f"обществознание: {teacher(self.zavuch)}",
            "class_teacher": f"классный руководитель {demo.label}, "
            f"{self.teachers[self.klassruk].position}: {teacher(self.klassruk)}",
            "subject_teacher": f"учитель математики, ведёт алгебру и геометрию в {demo.label}: "
            f"{teacher(self.uchitel)}",
            "guardian": f"родитель двоих детей: {child(first)}, {child(second)}; "
            f"{self.guardians[0].person.full_name}",
            "guardian_without_consent": "родитель без согласия на электронный дневник, ребёнок "
            f"{child(third)}: {self.guardians[2].person.full_name}",
            "student": f"ученик {demo.label}, сын родителя {self.logins['guardian']}: "
            f"{first.person.full_name}",
        }
