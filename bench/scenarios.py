"""The scenarios of `make bench` (what each measures and its target: docs/benchmarks.md).

Each scenario is a plain function over one or two seeded schools (`Subject`), usable both by
the runner (`bench.run`) and by the tests. Pages go through the Django test client and the
full middleware stack, signed in with `force_login`; queries are counted with
`CaptureQueriesContext` on one request after a warm-up, and timings are taken separately (the
capture itself costs time), as the median of `repeat` requests.
"""

import datetime as dt
import os
import resource
import statistics
import time
from dataclasses import dataclass
from functools import cached_property
from urllib.parse import urlencode

from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from diary import selectors as diary_selectors
from extracts import selectors as extracts_selectors
from extracts import services as extracts_services
from extracts.models import GeneratedFile
from journal import selectors as journal_selectors
from journal.models import MAX_MARKS_PER_LESSON, Attendance, Lesson, LessonStatus, Mark, WorkType
from journal.services import CellInput, marks_save_column
from school.models import ClassGroup, School, TeachingAssignment, current_period

from . import finals as finals_bench

# The page used as the floor: the guardian's child chooser (a parent of two children). It is
# a real, authenticated page through every middleware, on the same base template and menu as
# the diary, and it reads almost nothing: the session, the user, the children, the school.
# (The cheapest such page measured; the consent pages and the home page cost more.)
FLOOR_URL_NAME = "diary:home"
MARKS_PER_SAVE = 30
# Transaction control the capture records too (SQLite logs BEGIN; both log COMMIT).
TRANSACTION = {"BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"}
# Each save writes every mark with a value different from the one stored (alternating sets).
VALUE_CYCLE = ("5", "4", "3")

TARGETS = {
    "diary_week": (
        "queries_1x == queries_10x; queries ≤ 8; ratio_to_floor ≤ 3",
        lambda r: (
            r["queries_1x"] == r["queries_10x"]
            and r["queries_1x"] <= 8
            and r["ratio_to_floor"] <= 3
        ),
    ),
    "journal_page": (
        "queries_1x == queries_10x; queries ≤ 8; ratio_to_floor ≤ 5",
        lambda r: (
            r["queries_1x"] == r["queries_10x"]
            and r["queries_1x"] <= 8
            and r["ratio_to_floor"] <= 5
        ),
    ),
    "marks_save": (
        "queries ≤ 6; ratio_to_floor ≤ 3",
        lambda r: r["queries"] <= 6 and r["ratio_to_floor"] <= 3,
    ),
    "finals_school": (
        "seconds_1x ≤ 2; seconds_10x ≤ 4 × seconds_1x",
        lambda r: r["seconds_1x"] <= 2 and r["seconds_10x"] <= 4 * r["seconds_1x"],
    ),
    "digest_school": (
        "seconds ≤ 2 for about 1,900 guardians; queries do not grow with the guardians",
        lambda r: (
            r["seconds"] <= 2
            and r.get("queries_without_inserts", r["queries"])
            == r.get("queries_without_inserts_10x", r["queries_10x"])
        ),
    ),
    "pdf_class": ("pages_per_s ≥ 10", lambda r: r["pages_per_s"] >= 10),
}


def judged(name: str, figures: dict) -> dict:
    """The scenario's figures with its target text and whether they meet it."""
    text, check = TARGETS[name]
    return {"scenario": name, **figures, "target": text, "meets_target": bool(check(figures))}


def not_built(name: str, why: str) -> dict:
    return {
        "scenario": name,
        "status": "not built",
        "why": why,
        "target": TARGETS[name][0],
        "meets_target": None,
    }


@dataclass
class Subject:
    """One seeded school and the demo people the scenarios act as."""

    school: School
    logins: dict

    @classmethod
    def of(cls, seeded: dict) -> "Subject":
        """From the JSON that `seed_school --json` prints."""
        return cls(school=School.objects.get(pk=seeded["school_id"]), logins=seeded["logins"])

    def user(self, key: str) -> User:
        return User.objects.select_related("school").get(username=self.logins[key])

    @cached_property
    def today(self) -> dt.date:
        return self.school.today()

    @cached_property
    def guardian(self) -> User:
        return self.user("guardian")

    @cached_property
    def child(self):
        """The guardian's first child (in the demo class)."""
        return diary_selectors.diary_children(self.guardian)[0]

    @cached_property
    def teacher(self) -> User:
        return self.user("subject_teacher")

    @cached_property
    def assignment(self) -> TeachingAssignment:
        """The subject teacher's whole-class assignment, in the child's class when there is one
        (the demo: algebra in 7th grade)."""
        year = journal_selectors.current_year(self.school)
        own = TeachingAssignment.objects.filter(
            school=self.school,
            year=year,
            teacher__user=self.teacher,
            class_group__isnull=False,
            study_group__isnull=True,
        ).select_related("class_group", "subject")
        in_class = own.filter(class_group__enrollments__student=self.child)
        found = (in_class or own).order_by("subject__name", "class_group__level").first()
        if found is None:
            raise LookupError(f"{self.teacher} teaches no whole class")
        return found

    def week_url(self) -> str:
        monday = diary_selectors.week_start_of(self.today)
        return reverse("diary:week", args=[self.child.pk, monday])

    def journal_url(self) -> str:
        a = self.assignment
        return reverse("journal:grid_class", args=[a.class_group_id, a.subject_id])

    @cached_property
    def save_lesson(self) -> Lesson:
        """The latest lesson of the journal page that has taken place: the one a teacher fills
        in after class (inside the edit window)."""
        a = self.assignment
        lesson = (
            Lesson.objects.filter(
                class_group_id=a.class_group_id,
                subject_id=a.subject_id,
                study_group__isnull=True,
                status=LessonStatus.SCHEDULED,
                date__lte=self.today,
            )
            .select_related("school", "work_type")
            .order_by("-date", "-lesson_number")
            .first()
        )
        if lesson is None:
            raise LookupError(f"no lesson of {a} to save marks in")
        return lesson


# --- Measuring ----------------------------------------------------------------------------------


def sql_of(captured: CaptureQueriesContext) -> list[str]:
    """The captured statements, shortened; taken at once, since the next request through the
    client clears the connection's query log (the `request_started` signal)."""
    return [q["sql"][:160] for q in captured.captured_queries]


def p50_ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 2)


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post_form(client: Client, url: str, data: dict):
    """A POST as the browser sends the grid's form: urlencoded (the test client's default is
    multipart, whose parsing alone costs the POST a few milliseconds no teacher pays)."""
    return client.post(url, urlencode(data, doseq=True), content_type=FORM_URLENCODED)


FORM_URLENCODED = "application/x-www-form-urlencoded"


def get_page(client: Client, url: str, repeat: int) -> dict:
    """Queries of one GET (after a warm-up) and the median time of `repeat` more."""
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url}: {response.status_code}")
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    sql = sql_of(captured)
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        client.get(url)
        samples.append(time.perf_counter() - started)
    return {
        "url": url,
        "status": response.status_code,
        "bytes": len(response.content),
        "queries": len(sql),
        "sql": sql,
        "p50_ms": p50_ms(samples),
    }


def ratio(ms: float, floor_ms: float) -> float:
    return round(ms / floor_ms, 2) if floor_ms else float("inf")


# --- The scenarios ------------------------------------------------------------------------------


def floor(one: Subject, *, repeat: int = 50) -> dict:
    """An authenticated request to a trivial page through the whole middleware stack."""
    url = reverse(FLOOR_URL_NAME)
    page = get_page(signed_in(one.guardian), url, repeat)
    return {
        "scenario": "floor",
        "page": f"{FLOOR_URL_NAME} ({url}) as the guardian",
        "queries": page["queries"],
        "p50_ms": page["p50_ms"],
        "requests": repeat,
        "target": "none: the reference every ratio_to_floor divides by",
        "meets_target": None,
    }


def _page_scenario(name: str, pages: dict, floor_ms: float, user_key: str) -> dict:
    one, ten = pages["1x"], pages["10x"]
    return judged(
        name,
        {
            "queries_1x": one["queries"],
            "queries_10x": ten["queries"],
            "p50_ms": one["p50_ms"],
            "p50_ms_10x": ten["p50_ms"],
            "ratio_to_floor": ratio(one["p50_ms"], floor_ms),
            "url_1x": one["url"],
            "as": user_key,
            "bytes_1x": one["bytes"],
            "sql_1x": one["sql"],
        },
    )


def diary_week(one: Subject, ten: Subject, *, floor_ms: float, repeat: int = 30) -> dict:
    """The guardian's week page of their first child, the current week, in both schools."""
    pages = {
        key: get_page(signed_in(s.guardian), s.week_url(), repeat)
        for key, s in (("1x", one), ("10x", ten))
    }
    return _page_scenario("diary_week", pages, floor_ms, "guardian (roditel)")


def journal_page(one: Subject, ten: Subject, *, floor_ms: float, repeat: int = 30) -> dict:
    """The subject teacher's grid of one class and subject, the current period, in both."""
    pages = {
        key: get_page(signed_in(s.teacher), s.journal_url(), repeat)
        for key, s in (("1x", one), ("10x", ten))
    }
    result = _page_scenario("journal_page", pages, floor_ms, "subject teacher (uchitel)")
    a = one.assignment
    result["page"] = f"{a.class_group} / {a.subject.name}"
    return result


def _column(lesson: Lesson, students: list[int], turn: int) -> tuple[list[CellInput], int]:
    """The cells of one save: MARKS_PER_SAVE marks spread over the students (at most
    MAX_MARKS_PER_LESSON each), every value different from the previous turn's (all of a
    cell's marks take one value per turn, so no reordering of the same marks can match what is
    stored and every mark is really written), carrying the versions now stored (read here,
    outside the measurement)."""
    versions: dict[int, dict[int, int]] = {}
    for student_id, slot, version in Mark.objects.filter(lesson=lesson).values_list(
        "student_id", "slot", "version"
    ):
        versions.setdefault(student_id, {})[slot] = version
    attendance = {
        a.student_id: (a.code, a.version) for a in Attendance.objects.filter(lesson=lesson)
    }
    n = len(students)
    counts = [
        min(MARKS_PER_SAVE // n + (1 if i < MARKS_PER_SAVE % n else 0), MAX_MARKS_PER_LESSON)
        for i in range(n)
    ]
    cells = []
    for i, (student_id, count) in enumerate(zip(students, counts, strict=True)):
        code, att_version = attendance.get(student_id, ("", 0))
        cells.append(
            CellInput(
                student_id=student_id,
                marks=(VALUE_CYCLE[(i + turn) % len(VALUE_CYCLE)],) * count,
                mark_versions=versions.get(student_id, {}),
                attendance=code,
                attendance_version=att_version,
                label=str(student_id),
            )
        )
    return cells, sum(counts)


def _post_data(cells: list[CellInput], lesson: Lesson, work_type_id: int, period_id) -> dict:
    """The grid form's fields for the same column (journal.forms.parse_column)."""
    data = {"lesson": str(lesson.pk), "work_type": str(work_type_id), "reason": ""}
    if period_id:
        data["period"] = str(period_id)
    for c in cells:
        data[f"mark-{c.student_id}"] = "/".join(c.marks)
        data[f"mv-{c.student_id}"] = ",".join(
            f"{s}:{v}" for s, v in sorted(c.mark_versions.items())
        )
        data[f"att-{c.student_id}"] = c.attendance
        data[f"av-{c.student_id}"] = str(c.attendance_version)
    return data


def marks_save(one: Subject, *, floor_ms: float, repeat: int = 20) -> dict:
    """Saving 30 marks of one lesson column through `journal.services.marks_save_column`, the
    service the grid's POST calls. Every save really writes and commits: the values alternate
    between two sets and each save carries the versions the previous one left. Then the same
    save as one POST of the grid form through the full stack (`request_*`)."""
    lesson = one.save_lesson
    teacher = one.teacher
    work_type = lesson.work_type or WorkType.objects.filter(school=one.school).first()
    students = [row["id"] for row in journal_selectors.lesson_roster(lesson)][:MARKS_PER_SAVE]
    turn = 0

    def save():
        nonlocal turn
        cells, _count = _column(lesson, students, turn)
        turn += 1
        started = time.perf_counter()
        result = marks_save_column(user=teacher, lesson=lesson, cells=cells, work_type=work_type)
        return time.perf_counter() - started, result

    for _ in range(2):  # warm-up: the first save also brings the column to 30 marks
        save()
    cells, marks = _column(lesson, students, turn)
    with CaptureQueriesContext(connection) as captured:
        turn += 1
        result = marks_save_column(user=teacher, lesson=lesson, cells=cells, work_type=work_type)
    sql = sql_of(captured)
    written = len(result.created) + len(result.updated)
    samples = [save()[0] for _ in range(repeat)]

    # The same column saved by the grid's own POST, through the middleware and the view.
    client = signed_in(teacher)
    url = one.journal_url()
    _periods, period = journal_selectors.periods_for(
        journal_selectors.journal_scope(
            teacher, class_id=lesson.class_group_id, subject_id=lesson.subject_id
        ),
        one.today,
    )
    period_id = period.pk if period else None

    def post():
        nonlocal turn
        cells, _count = _column(lesson, students, turn)
        turn += 1
        data = _post_data(cells, lesson, work_type.pk, period_id)
        started = time.perf_counter()
        response = post_form(client, url, data)
        elapsed = time.perf_counter() - started
        if response.status_code != 302:
            raise RuntimeError(f"POST {url}: {response.status_code}")
        return elapsed

    post()
    cells, _count = _column(lesson, students, turn)
    data = _post_data(cells, lesson, work_type.pk, period_id)
    turn += 1
    with CaptureQueriesContext(connection) as request_captured:
        response = post_form(client, url, data)
    request_sql = sql_of(request_captured)
    if response.status_code != 302:
        raise RuntimeError(f"POST {url}: {response.status_code}")
    request_samples = [post() for _ in range(repeat)]
    ms = p50_ms(samples)
    return judged(
        "marks_save",
        {
            "queries": len(sql),
            "p50_ms": ms,
            "ratio_to_floor": ratio(ms, floor_ms),
            "marks": marks,
            "marks_written": written,
            "students": len(students),
            "saves": repeat,
            "lesson": f"{lesson.class_group} {lesson.date.isoformat()} #{lesson.lesson_number}",
            "transaction_statements": sum(1 for q in sql if q.split(" ", 1)[0] in TRANSACTION),
            "sql": sql,
            "request_queries": len(request_sql),
            "request_sql": request_sql,
            "request_p50_ms": p50_ms(request_samples),
            "request_ratio_to_floor": ratio(p50_ms(request_samples), floor_ms),
        },
    )


def finals_school(one: Subject, ten: Subject) -> dict:
    """Suggested finals of every student and subject for one period (bench.finals)."""
    a, b = finals_bench.run(one.school), finals_bench.run(ten.school)
    return judged(
        "finals_school",
        {
            "queries_1x": a["queries"],
            "queries_10x": b["queries"],
            "seconds_1x": a["seconds"],
            "seconds_10x": b["seconds"],
            "period": a["period"],
            "suggestions_1x": a["suggestions"],
            "suggestions_10x": b["suggestions"],
            "marks_1x": a["marks"],
            "marks_10x": b["marks"],
        },
    )


def _digest_once(subject: Subject) -> dict:
    """The evening digest of the school's today, built inside a transaction that is rolled
    back (the bench database keeps no messages, and the next run builds again)."""
    from django.db import transaction

    from notifications.digests import digest_build
    from notifications.models import Kind
    from notifications.preferences import policy_of
    from school.models import GuardianStudent

    policy_of(subject.school.pk)  # warm: the policy lives in the cache
    guardians = (
        GuardianStudent.objects.filter(school=subject.school)
        .values("guardian_id")
        .distinct()
        .count()
    )
    # A worker builds digests night after night: the first build in a process also loads the
    # URLconf (every app's views, WeasyPrint and openpyxl among them), the catalogues and the
    # templates. That first build is reported as `seconds_cold`; the target is the next one.
    cold = None
    for _run in range(2):
        with transaction.atomic():
            savepoint = transaction.savepoint()
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                messages = digest_build(school=subject.school, kind=Kind.EVENING, day=subject.today)
                seconds = time.perf_counter() - started
            transaction.savepoint_rollback(savepoint)
        cold = seconds if cold is None else cold
    inserts = sum(
        1
        for q in queries.captured_queries
        # PostgreSQL: INSERT INTO … ON CONFLICT DO NOTHING; SQLite: INSERT OR IGNORE INTO …
        if q["sql"].startswith("INSERT") and '"notifications_outboxmessage"' in q["sql"][:60]
    )
    return {
        "queries": len(queries),
        # The messages' INSERT is split by the database's parameter limit (SQLite: about 58
        # rows a statement), so only the other statements must not grow with the data.
        "queries_without_inserts": len(queries) - inserts,
        "seconds": round(seconds, 3),
        "seconds_cold": round(cold, 3),
        "messages": messages,
        "guardians": guardians,
    }


def digest_school(one: Subject, ten: Subject) -> dict:
    """The evening digest for every guardian of the school who wants one: every channel they
    consented to, built in one go (notifications.digests.digest_build) at 1× and 10×."""
    a, b = _digest_once(one), _digest_once(ten)
    return judged(
        "digest_school",
        {
            "queries": a["queries"],
            "queries_10x": b["queries"],
            "queries_without_inserts": a["queries_without_inserts"],
            "queries_without_inserts_10x": b["queries_without_inserts"],
            "seconds": a["seconds"],
            "seconds_10x": b["seconds"],
            "seconds_cold": a["seconds_cold"],
            "messages": a["messages"],
            "messages_10x": b["messages"],
            "guardians": a["guardians"],
            "day": one.today.isoformat(),
        },
    )


PDF_CLASS_STUDENTS = 25


def _cpu_seconds() -> float:
    """CPU time of this process and of its children that ended (the batch's forked
    renderers are waited for before the build returns)."""
    own, children = (
        resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _pdf_batch(school, class_group, admin, ids, period, kind):
    """A generated file of `kind` for these students, built by the worker's service in this
    process, with its wall-clock and CPU seconds."""
    generated = GeneratedFile.objects.create(
        school=school,
        kind=kind,
        requested_by=admin,
        title="bench",
        params={
            "period_id": period.pk,
            "student_ids": ids,
            "as_of": school.today().isoformat(),
            "site": "https://ednevnik.example/",
        },
        class_group=class_group,
        expires_at=timezone.now() + dt.timedelta(hours=1),
        progress_total=len(ids),
    )
    started, cpu_started = time.perf_counter(), _cpu_seconds()
    extracts_services.file_build(file_id=generated.pk)
    seconds, cpu = time.perf_counter() - started, _cpu_seconds() - cpu_started
    generated.refresh_from_db()
    if generated.status != "ready":
        raise RuntimeError(f"the class batch failed: {generated.error}")
    return generated, seconds, cpu


def pdf_class(one: Subject) -> dict:
    """The paper extracts of one class (25 students, the demo child's class, its current
    period) as ONE PDF built by the worker's service, against the naive way: one WeasyPrint
    document per student, the same pages."""
    child_class = diary_selectors.diary_frame(one.guardian, one.child.pk).class_group_id
    class_group = ClassGroup.objects.select_related("school").get(pk=child_class)
    school = class_group.school
    admin = User.objects.filter(school=school, role=Role.SCHOOL_ADMIN).first()
    roster = extracts_selectors.class_roster(class_group)
    if len(roster) < PDF_CLASS_STUDENTS:
        # A small bench school: the biggest class it has.
        biggest = max(
            ClassGroup.objects.filter(school=school, year=class_group.year),
            key=lambda c: len(extracts_selectors.class_roster(c)),
        )
        class_group, roster = biggest, extracts_selectors.class_roster(biggest)
    ids = [s.pk for s in roster[:PDF_CLASS_STUDENTS]]
    period = current_period(extracts_selectors.periods_of_class(class_group), one.today)
    with transaction.atomic():
        batch, seconds, cpu = _pdf_batch(school, class_group, admin, ids, period, "class_batch")
        naive_pages = 0
        naive_started = time.perf_counter()
        for student_id in ids:
            single, _s, _cpu = _pdf_batch(
                school, class_group, admin, [student_id], period, "student_extract"
            )
            naive_pages += single.pages
        naive_seconds = time.perf_counter() - naive_started
        figures = {
            "students": len(ids),
            "class": str(class_group),
            "period": period.name,
            "pages": batch.pages,
            "bytes": batch.file.size,
            "seconds": round(seconds, 2),
            "pages_per_s": round(batch.pages / seconds, 1),
            "cpu_seconds": round(cpu, 2),
            "pages_per_cpu_s": round(batch.pages / cpu, 1),
            "load_average": list(os.getloadavg()),
            "naive_pages": naive_pages,
            "naive_seconds": round(naive_seconds, 2),
            "naive_pages_per_s": round(naive_pages / naive_seconds, 1),
        }
        for generated in GeneratedFile.objects.filter(school=school, title__startswith="bench"):
            generated.file.delete(save=False)
        transaction.set_rollback(True)
    return judged("pdf_class", figures)
