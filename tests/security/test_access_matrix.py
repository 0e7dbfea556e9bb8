"""The access matrix: every URL pattern of the project, opened by every persona of the cast.

The patterns come from the URL conf itself, so a new view cannot escape: a pattern without an
entry in MATRIX fails `test_every_url_pattern_has_an_entry`. For each entry the matrix names
who gets the page (GET) and who gets past the permission check on POST; everyone else must be
refused: 401 (the API without a token), 403 (wrong role), 404 (not theirs, the same answer as "not there"), 405 (wrong
method) or a redirect to the login page. Refused POSTs carry no data and must change nothing.

The objects are the cast's 7 «А» and its families (tests/security/world.py): `other_teacher`
is another class's teacher, `stranger` another family, `outsider` another school's admin.
"""

import datetime as dt
from dataclasses import dataclass, field

import pytest
from django.conf import settings
from django.contrib import admin
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse

from tests import signin
from tests.security.world import build_world

PERSONAS = [
    "anonymous",
    "subject_teacher",
    "class_teacher",
    "other_teacher",
    "deputy_head",
    "director",
    "school_admin",
    "student",
    "guardian",
    "guardian_of_two",
    "guardian_without_consent",
    "stranger",
    "outsider",
]
EVERYONE = frozenset(PERSONAS)
SIGNED_IN = EVERYONE - {"anonymous"}
FAMILY = frozenset(
    {"student", "guardian", "guardian_of_two", "guardian_without_consent", "stranger"}
)
STAFF = frozenset(
    {"subject_teacher", "class_teacher", "other_teacher", "deputy_head", "director", "school_admin"}
)
TEACHERS = frozenset({"subject_teacher", "class_teacher", "other_teacher"})
LEADERS = frozenset({"deputy_head", "director"})
ADMINS = frozenset({"school_admin", "outsider"})
# The lesson, grid and pupils of 7 «А» mathematics: its teacher, the class teacher (reads the
# whole class) and the school's leaders.
SEVEN_A_MATH = frozenset({"subject_teacher", "class_teacher"}) | LEADERS
PUPILS_OWN = frozenset({"student", "guardian"})  # the cast's pupil and his parent


@dataclass(frozen=True)
class Entry:
    """Who gets the page: `get` (200 unless `get_status` says otherwise for a persona),
    `post` (gets past the permission check; not sent, since it would write). `query` is added
    to the URL; `params` overrides a path parameter."""

    get: frozenset = frozenset()
    post: frozenset = frozenset()
    get_status: dict = field(default_factory=dict)
    query: str = ""
    params: dict = field(default_factory=dict)
    personas: tuple = tuple(PERSONAS)


def e(get=(), post=(), **kwargs):
    return Entry(get=frozenset(get), post=frozenset(post), **kwargs)


MATRIX = {
    # Public pages and the ones every signed-in user has.
    "home": e(SIGNED_IN),
    "set_language": e(get_status=dict.fromkeys(EVERYONE, 302), post=EVERYONE),
    "admin_login": e(post={"anonymous"}),
    # A signed-in user opening the login page is sent home.
    "accounts:login": e({"anonymous"}, post=EVERYONE, get_status=dict.fromkeys(SIGNED_IN, 302)),
    "accounts:logout": e(post=EVERYONE),
    "accounts:two_factor": e(STAFF | {"outsider"}, post=STAFF | {"outsider"}),
    # Verifying or enrolling sends the user on to where the second factor is due.
    "accounts:otp_verify": e(get_status=dict.fromkeys(SIGNED_IN, 302), post=SIGNED_IN),
    "accounts:otp_enrol": e(
        TEACHERS | {"deputy_head"},
        post=STAFF | {"outsider"},
        get_status={"director": 302, "school_admin": 302, "outsider": 302},
    ),
    "accounts:password_change": e(SIGNED_IN, post=SIGNED_IN),
    "accounts:password_reset": e(EVERYONE, post=EVERYONE),
    "accounts:password_reset_done": e(EVERYONE),
    # A bad link shows the "link no longer valid" page to anyone.
    "accounts:password_reset_confirm": e(EVERYONE, post=EVERYONE),
    "accounts:password_reset_complete": e(EVERYONE),
    "accounts:security_events": e({"director"}),
    # The journal.
    "journal:home": e(TEACHERS | LEADERS),
    "journal:grid_class": e(SEVEN_A_MATH, post={"subject_teacher", "deputy_head"}),
    "journal:grid_group": e(SEVEN_A_MATH, post={"subject_teacher", "deputy_head"}),
    "journal:lesson": e(SEVEN_A_MATH, post={"subject_teacher", "deputy_head"}),
    "journal:mark": e(SEVEN_A_MATH, post={"subject_teacher", "deputy_head"}),
    "journal:history": e(SEVEN_A_MATH),
    "journal:substitute": e(post={"deputy_head"}),
    "journal:move": e(post={"deputy_head"}),
    "journal:cancel": e({"deputy_head"}, post={"deputy_head"}),
    "journal:timetable_end": e({"deputy_head"}, post={"deputy_head"}),
    "journal:mark_delete_confirm": e(
        {"subject_teacher", "deputy_head"}, post={"subject_teacher", "deputy_head"}
    ),
    "journal:mark_delete": e(post={"subject_teacher", "deputy_head"}),
    "journal:homework_file": e(SEVEN_A_MATH),
    "journal:homework_file_delete": e(
        {"subject_teacher", "deputy_head"}, post={"subject_teacher", "deputy_head"}
    ),
    "journal:remark_edit": e(
        {"subject_teacher", "deputy_head"}, post={"subject_teacher", "deputy_head"}
    ),
    "journal:control": e(LEADERS),
    "journal:journals_index": e(LEADERS),
    "journal:class_overview": e({"class_teacher"} | LEADERS),
    "journal:control_works": e(TEACHERS | LEADERS),
    "journal:timetable": e(LEADERS, post={"deputy_head"}),
    # One view per action: each section of the lesson page and the mark page posts to its own.
    "journal:lesson_column": e(post={"subject_teacher", "deputy_head"}),
    "journal:lesson_topic": e(post={"subject_teacher", "deputy_head"}),
    "journal:lesson_homework": e(post={"subject_teacher", "deputy_head"}),
    "journal:lesson_remark": e(post={"subject_teacher", "deputy_head"}),
    "journal:mark_set": e(post={"subject_teacher", "deputy_head"}),
    "journal:timetable_line_add": e(post={"deputy_head"}),
    "journal:timetable_bell": e(post={"deputy_head"}),
    "journal:timetable_generate": e(post={"deputy_head"}),
    # The family's diary of the cast's pupil.
    "diary:home": e(
        {"guardian_of_two"},
        get_status={
            "student": 302,
            "guardian": 302,
            "guardian_without_consent": 302,
            "stranger": 302,
        },
    ),
    "diary:current_week": e(get_status={"student": 302, "guardian": 302}),
    "diary:week": e(PUPILS_OWN),
    "diary:acknowledge_week": e(post={"guardian"}),
    "diary:marks": e(PUPILS_OWN),
    "diary:finals": e(PUPILS_OWN),
    "diary:timetable": e(PUPILS_OWN),
    "diary:calendar": e(PUPILS_OWN),
    "diary:teachers": e(PUPILS_OWN),
    "diary:remarks": e(PUPILS_OWN),
    "diary:homework_file": e(PUPILS_OWN),
    "diary:feed_settings": e(PUPILS_OWN, post=PUPILS_OWN),
    # The calendar feed is fetched without a session: its secret is the credential.
    "diary:feed": e(EVERYONE),
    "diary:class_acknowledgements": e({"class_teacher"}),
    "diary:class_acknowledgements_week": e({"class_teacher"}),
    # Staff read a pupil's diary: the class teacher of 7 «А» (week, marks, remarks), the office
    # (marks); the search lists the office's own school, another school's admin included.
    "diary:pupil_search": e(ADMINS),
    "diary:pupil": e(get_status={"class_teacher": 302}),
    "diary:pupil_week": e({"class_teacher"}),
    "diary:pupil_marks": e({"class_teacher", "school_admin"}),
    "diary:pupil_remarks": e({"class_teacher"}),
    # Consent and personal data: the school admin of the school; families for their own.
    "consent:register": e(ADMINS),
    "consent:family": e({"school_admin"}),
    "consent:record": e(post={"school_admin"}),
    # The form is built by a worker: the office is sent to the request page of the extracts.
    "consent:form_pdf": e(get_status={"school_admin": 302}),
    "consent:contact_add": e(post={"school_admin"}),
    "consent:account_issue": e(post={"school_admin"}),
    "consent:account_disable": e(post={"school_admin"}),
    "consent:link_remove": e(post={"school_admin"}),
    # A family withdraws its own consent; the office records a withdrawal on paper.
    "consent:withdraw": e({"school_admin"}, post={"school_admin", "guardian"}),
    "consent:scan": e({"school_admin"}),
    "consent:paper_list": e(ADMINS),
    "consent:pd_requests": e(ADMINS, post=ADMINS | {"guardian"}),
    "consent:pd_answer": e(post={"school_admin"}),
    "consent:pd_export": e({"school_admin"}),
    "consent:activate": e(EVERYONE, post=EVERYONE),
    "consent:my_consents": e(FAMILY - {"student"}),
    "consent:my_contacts": e(FAMILY - {"student"}, post=FAMILY - {"student"}),
    "consent:my_access_log": e(FAMILY - {"student"}),
    # Notifications: a parent's own settings; the school admin's delivery log (another
    # school's admin sees their own, empty). The unsubscribe link needs no sign-in: its
    # signature is the permission, so an unsigned token is 404 for everyone
    # (tests/notifications/test_pages.py opens signed ones); Twilio's callback is refused
    # without its signature.
    # Browsers ask for /favicon.ico whatever the page says: a redirect to the project's icon.
    "favicon.ico": e(get_status=dict.fromkeys(EVERYONE, 301)),
    "consent:my_form": e(get_status={"guardian": 302}),
    # Paper extracts: the office, and the class teacher for the class.
    "extracts:index": e(TEACHERS | ADMINS),
    "extracts:class": e({"class_teacher", "school_admin"}, post={"class_teacher", "school_admin"}),
    "extracts:class_batch": e(post={"class_teacher", "school_admin"}),
    "extracts:student": e(
        {"class_teacher", "school_admin"}, post={"class_teacher", "school_admin"}
    ),
    # A generated file, a printed copy and a verification code that do not exist: 404 for all
    # (who may open a real one is tested in tests/extracts).
    "extracts:file": e(params={"file_id": "missing"}),
    "extracts:download": e(params={"file_id": "missing"}),
    "extracts:hand_over": e(post={"school_admin"}, params={"copy_id": "missing"}),
    "extracts:verify": e(),
    # Imports: the school admin; another school's batch is "not there".
    "imports:index": e({"school_admin", "outsider"}),
    "imports:upload": e(post={"school_admin", "outsider"}),
    "imports:batch": e(params={"batch_id": "missing"}),
    "imports:mapping": e(params={"batch_id": "missing"}),
    "imports:confirm": e(params={"batch_id": "missing"}),
    "extracts:consent_form": e({"school_admin"}, post={"school_admin"}),
    "extracts:my_consent_form": e({"guardian"}, post={"guardian"}),
    "extracts:pd_export": e({"school_admin"}, post={"school_admin"}),
    "extracts:summary_pdf": e({"class_teacher"} | LEADERS, post={"class_teacher"} | LEADERS),
    "extracts:summary_export": e({"class_teacher"} | LEADERS, params={"fmt": "csv"}),
    "extracts:statistics_pdf": e(LEADERS, post=LEADERS),
    "extracts:statistics_export": e(LEADERS, params={"fmt": "csv"}),
    "extracts:journal_class_export": e(SEVEN_A_MATH, params={"fmt": "csv"}),
    "extracts:journal_group_export": e(SEVEN_A_MATH, params={"fmt": "csv"}),
    "notifications:settings": e(FAMILY - {"student"}, post=FAMILY - {"student"}),
    "notifications:log": e(ADMINS),
    # The OneRoster CSV bundle: the school admin's page; a bundle name that is not the
    # school's own (here none at all) is a 404.
    "api:bundle": e(ADMINS),
    "api:bundle_export": e(post=ADMINS),
    "api:bundle_import": e(post=ADMINS),
    "api:bundle_download": e(get_status={"school_admin": 404, "outsider": 404}),
    "notifications:unsubscribe": e(),
    "notifications:withdraw": e(),
    "notifications:twilio_status": e(),
    # Finals, periods and reports.
    "journal:finals_home": e(TEACHERS),
    "journal:finals": e({"subject_teacher"} | LEADERS, post={"subject_teacher"} | LEADERS),
    "journal:finals_exam": e(
        {"subject_teacher"} | LEADERS,
        post={"subject_teacher"} | LEADERS,
        params={"period_id": "year_period"},
    ),
    "journal:final_defer": e({"subject_teacher"} | LEADERS, post={"subject_teacher"} | LEADERS),
    "journal:finals_group": e({"subject_teacher"} | LEADERS, post={"subject_teacher"} | LEADERS),
    "journal:periods": e(LEADERS),
    "journal:period_close": e({"deputy_head"}, post={"deputy_head"}),
    "journal:missing_finals": e(LEADERS),
    "journal:period_reopen": e(post={"deputy_head"}),
    "reports:summary_list": e(TEACHERS | LEADERS),
    "reports:summary_sheet": e({"class_teacher"} | LEADERS),
    "reports:late_finals": e(LEADERS),
    "reports:student_record": e({"class_teacher"} | LEADERS),
    "reports:statistics": e(LEADERS),
    "reports:progress": e(LEADERS),
    "reports:progress_pupils": e(LEADERS, query="?period={period}&category=excellent"),
    "reports:statistics_rows": e(
        LEADERS, query="?period={period}&class_id={class_7a}&subject={math}&metric=good"
    ),
}


# The exchange API and OneRoster answer tokens only (tests/api covers tokens and scopes): a
# session, whoever's, gets 401 from every route but the published schema and the OAuth
# endpoints, which answer a request without client credentials themselves.
API_PUBLIC = {
    "api:schema": e(EVERYONE),
    "api:docs": e(EVERYONE),
    "api:token": e(post=EVERYONE),
    "api:revoke": e(post=EVERYONE),
}
# No session gets in whatever its role, so a few personas stand for all of them.
TOKEN_ONLY = e(personas=("anonymous", "guardian", "director", "school_admin"))


def url_patterns(resolver=None, namespace=None, prefix=""):
    """(key, pattern) of every view of the project, keyed by its name, or by its route where
    it has none (the OneRoster collections); the admin is checked on its own."""
    for pattern in (resolver or get_resolver()).url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            yield from url_patterns(pattern, pattern.namespace or namespace, route)
        else:
            name = pattern.name or route
            yield (f"{namespace}:{name}" if namespace else name), pattern, route


PATTERNS = {key: pattern for key, pattern, _route in url_patterns()}
ROUTES = {key: route for key, _pattern, route in url_patterns()}
for _key, _route in ROUTES.items():
    if _route.startswith(("api/", "ims/oneroster/")):
        MATRIX.setdefault(_key, API_PUBLIC.get(_key, TOKEN_ONLY))


def test_every_url_pattern_has_an_entry():
    missing = sorted(set(PATTERNS) - set(MATRIX))
    assert not missing, f"URL patterns missing from the access matrix: {missing}"
    stale = sorted(set(MATRIX) - set(PATTERNS))
    assert not stale, f"access matrix entries for URLs that no longer exist: {stale}"


def _objects(world):
    cast = world.cast
    return {
        "class_id": cast.class_7a.pk,
        "subject_id": cast.math.pk,
        "group_id": world.group.pk,
        "lesson_id": cast.lesson.pk,
        "student_id": cast.pupil.pk,
        "file_id": world.homework_file.pk,
        "entry_id": world.entry.pk,
        "mark_id": world.mark.pk,
        "remark_id": world.remark.pk,
        "week": cast.today - dt.timedelta(days=cast.today.weekday()),
        "link_id": world.link.pk,
        "consent_id": world.consent.pk,
        "request_id": world.pd_request.pk,
        "fmt": "json",
        "period_id": cast.period.pk,
        "year_period": cast.year_period.pk,
        "token": world.feed_token,
        "uidb64": "MQ",
        "period": cast.period.pk,
        "class_7a": cast.class_7a.pk,
        "math": cast.math.pk,
        "missing": 987654321,
        "csv": "csv",
    }


def _url(name, world):
    objects = _objects(world)
    entry = MATRIX[name]
    kwargs = {}
    for key in PATTERNS[name].pattern.regex.groupindex:
        kwargs[key] = objects.get(entry.params.get(key, key), "x")
    if name == "accounts:password_reset_confirm":
        kwargs["token"] = "set-password"
    if PATTERNS[name].name is None:  # a route without a name: fill its parameters in
        path = "/" + ROUTES[name]
        for key, value in kwargs.items():
            path = path.replace(f"<str:{key}>", str(value))
        return path + entry.query.format(**objects)
    return reverse(name, kwargs=kwargs) + entry.query.format(**objects)


def _refused(response) -> bool:
    if response.status_code in (401, 403, 404, 405):
        return True
    if response.status_code == 302:
        return response["Location"].startswith(resolve_url(settings.LOGIN_URL))
    return False


def _client(cast, persona):
    client = Client()
    if persona != "anonymous":
        signin.sign_in(client, getattr(cast, persona))
    return client


def _namespaces():
    return sorted({name.partition(":")[0] if ":" in name else "" for name in PATTERNS})


@pytest.mark.parametrize("namespace", _namespaces())
def test_every_persona_gets_the_intended_answer(cast, namespace):
    world = build_world(cast)
    names = [n for n in PATTERNS if (n.partition(":")[0] if ":" in n else "") == namespace]
    wrong = []
    clients = {persona: _client(cast, persona) for persona in PERSONAS}
    for name in sorted(names):
        entry = MATRIX[name]
        url = _url(name, world)
        for persona in entry.personas:
            response = clients[persona].get(url)
            expected = entry.get_status.get(persona, 200 if persona in entry.get else None)
            if expected is None and not _refused(response):
                wrong.append(f"GET {url} as {persona}: {response.status_code}, expected a refusal")
            elif expected is not None and response.status_code != expected:
                wrong.append(f"GET {url} as {persona}: {response.status_code}, expected {expected}")
            if persona not in entry.post:
                if ROUTES[name].startswith(("api/", "ims/")):
                    response = clients[persona].post(url, {}, content_type="application/json")
                else:
                    response = clients[persona].post(url)
                if not _refused(response):
                    wrong.append(
                        f"POST {url} as {persona}: {response.status_code}, expected a refusal"
                    )
    assert not wrong, "\n".join(wrong)


def test_the_admin_is_for_staff_of_the_school_only(cast):
    """Every admin list: families and teachers are sent to the login; another school's admin
    sees none of this school's rows (scoping is tested in tests/accounts/test_admin.py)."""
    wrong = []
    lists = [
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for model in admin.site._registry
    ]
    assert len(lists) > 20
    for persona in ["anonymous", "subject_teacher", "director", "guardian", "student"]:
        client = _client(cast, persona)
        for url in [reverse("admin:index"), *lists]:
            response = client.get(url)
            if response.status_code != 302 or "/admin/login/" not in response["Location"]:
                wrong.append(f"GET {url} as {persona}: {response.status_code}")
    client = _client(cast, "school_admin")
    assert client.get(reverse("admin:index")).status_code == 200
    change = reverse("admin:school_student_change", args=[cast.pupil.pk])
    assert client.get(change).status_code == 200
    assert _client(cast, "outsider").get(change).status_code in (302, 404)
    assert not wrong, "\n".join(wrong)
