"""`python manage.py seed_school`: build the deterministic synthetic school (demo.synthetic)."""

import datetime as dt
import json
import os
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from accounts.models import User
from api.models import SCOPES, ApiClient
from api.services import api_client_create
from demo.synthetic import DEMO_PASSWORD, SchoolBuilder
from school.models import School

LABELS = {
    "schools": "школы (всего в базе)",
    "classes": "классы",
    "teachers": "учителя",
    "students": "ученики",
    "guardians": "родители",
    "guardian_links": "связи родитель–ребёнок",
    "users": "учётные записи",
    "subjects": "предметы",
    "study_groups": "подгруппы",
    "teaching_assignments": "нагрузка (назначения)",
    "timetable_entries": "строки расписания",
    "lessons": "уроки",
    "marks": "отметки",
    "attendance": "пропуски и опоздания",
    "homework": "домашние задания",
    "remarks": "замечания и сообщения",
    "final_marks": "итоговые отметки",
    "consents": "согласия и отказы",
    "week_acknowledgements": "подтверждения недель дневника",
    "contacts": "телефоны и e-mail родителей",
    "timetable_clashes": "накладки в расписании учителей",
}
# The demo school's exchange API client (docs/api.md): published credentials, demo only.
DEMO_API_CLIENT_ID = "demo-exchange"
DEMO_API_SECRET = "demo-exchange-secret"  # noqa: S105

ROLES = {
    "admin": "school_admin",
    "director": "director",
    "deputy_head": "deputy_head",
    "class_teacher": "teacher",
    "subject_teacher": "teacher",
    "guardian": "guardian",
    "guardian_without_consent": "guardian",
    "student": "student",
}


class Command(BaseCommand):
    help = (
        "Create one new synthetic school (deterministic for a seed): staff, classes, "
        "families, timetable, a year of lessons, and marks, absences, homework, remarks, "
        "final marks and consents up to today."
    )

    def add_arguments(self, parser):
        parser.add_argument("--students", type=int, default=1000)
        parser.add_argument(
            "--density",
            type=float,
            default=1.0,
            help="Multiply the marks per student (10 gives about 9–10×).",
        )
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--school-name", default=None)
        parser.add_argument(
            "--password", default=DEMO_PASSWORD, help="The one password of every generated account."
        )
        parser.add_argument(
            "--today",
            type=dt.date.fromisoformat,
            default=None,
            help="Build as if today were this date (YYYY-MM-DD); default: today in Moscow.",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Build only when the database has no school yet; otherwise "
            "print the demo logins of the existing one (`make run`).",
        )
        parser.add_argument(
            "--json",
            action="store_true",
            help="Print only one JSON object: school id, password, logins, counts, seconds.",
        )

    def handle(self, *args, **options):
        refuse_production_settings()
        self.verbosity = options["verbosity"]
        if options["if_empty"] and School.objects.exists():
            self.print_existing_logins(options["password"])
            return
        started = time.monotonic()
        try:
            builder = SchoolBuilder(
                students=options["students"],
                density=options["density"],
                seed=options["seed"],
                school_name=options["school_name"],
                password=options["password"],
                today=options["today"],
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        # With DEBUG on (the dev settings) Django keeps and formats the SQL of every query:
        # thousands of large INSERTs, over 10 % of the time and, at density 10, much memory.
        with override_settings(DEBUG=False):
            result = builder.build()
        seconds = round(time.monotonic() - started, 2)
        demo_api_client(School.objects.get(pk=result["school_id"]))
        if options["json"]:
            keys = ("school_id", "password", "logins", "counts")
            out = {k: result[k] for k in keys} | {"seconds": seconds, "today": result["today"]}
            self.stdout.write(json.dumps(out, ensure_ascii=False))
            return
        self.print_report(result, seconds)

    def print_report(self, result: dict, seconds: float):
        write = self.stdout.write
        write(
            self.style.SUCCESS(
                f"Школа #{result['school_id']} «{result['school']}», {result['year']} учебный год, "
                f"сегодня {result['today']}: создана за {seconds:.1f} с."
            )
        )
        write("")
        width = max(len(label) for label in LABELS.values())
        for key, count in result["counts"].items():
            write(f"  {LABELS.get(key, key):<{width}}  {count:>9,}".replace(",", " "))
        if self.verbosity >= 2:
            write("")
            for step, step_seconds in result["timings"].items():
                write(f"  {step:<{width}}  {step_seconds:>8.2f} с")
        write("")
        write(f"Демо-входы (пароль у всех: {result['password']}):")
        logins = result["logins"]
        name_width = max(len(u) for u in logins.values())
        for key, username in logins.items():
            write(f"  {username:<{name_width}}  {ROLES[key]:<13} {result['who'][key]}")
        self.print_api_client()

    def print_api_client(self):
        client = ApiClient.objects.filter(application__client_id=DEMO_API_CLIENT_ID).first()
        if client is None:
            return
        self.stdout.write(
            f"API обмена (docs/api.md), школа #{client.school_id}: "
            f"client_id={DEMO_API_CLIENT_ID} client_secret={DEMO_API_SECRET}"
        )

    def print_existing_logins(self, password: str):
        """The demo school is already there: show its logins again, as `make run` promises."""
        users = User.objects.filter(username__in=DEMO_USERNAMES).select_related("school")
        by_name = {u.username: u for u in users}
        self.stdout.write(self.style.SUCCESS("Демо-школа уже создана; новая не строится."))
        self.stdout.write(f"Демо-входы (пароль, если его не меняли: {password}):")
        for username in DEMO_USERNAMES:
            user = by_name.get(username)
            if user is not None:
                self.stdout.write(f"  {username:<22} {user.role:<13} {user.full_name}")
        self.print_api_client()


def demo_api_client(school) -> None:
    """The first demo school gets the published API client with every scope."""
    if ApiClient.objects.filter(application__client_id=DEMO_API_CLIENT_ID).exists():
        return
    api_client_create(
        school=school,
        name="Демо: региональный журнал",
        source="demo-journal",
        scopes=sorted(SCOPES),
        client_id=DEMO_API_CLIENT_ID,
        secret=DEMO_API_SECRET,
    )


def refuse_production_settings() -> None:
    """A demo school (made-up families, one shared password) never goes into a real school's
    database. The prod settings do not install this app; should a settings module built on
    them install it anyway, this refuses: the settings module is the production one, or DEBUG
    is off with session cookies for HTTPS only (SESSION_COOKIE_SECURE, which only prod sets)."""
    module = settings.SETTINGS_MODULE or os.environ.get("DJANGO_SETTINGS_MODULE", "")
    if module.rsplit(".", 1)[-1] == "prod":  # ednevnik.settings.prod, or a site's own prod
        reason = f"the settings module is {module}"
    elif not settings.DEBUG and settings.SESSION_COOKIE_SECURE:
        reason = "DEBUG is off and SESSION_COOKIE_SECURE is on, as in production"
    else:
        return
    raise CommandError(
        f"seed_school refuses to run under production settings ({reason}): the demo school "
        "is for the dev, test and bench settings only. Nothing was written."
    )


DEMO_USERNAMES = [
    "admin",
    "director",
    "zavuch",
    "klassruk",
    "uchitel",
    "roditel",
    "roditel-bez-soglasiya",
    "uchenik",
]
