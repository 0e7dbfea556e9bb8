"""/ims/oneroster/rostering/v1p2/ and /ims/oneroster/gradebook/v1p2/ (read-only)."""

from django.urls import path

from . import resources as r
from . import views as v

R, G = v.ROSTER_SCOPES, v.GRADEBOOK_SCOPES


def sessions_of(*types):
    return lambda school: r.sessions(school, types=types)


def users_of(*roles):
    return lambda school: r.users(school, roles=roles)


RESOURCES = {
    "orgs": v.Resource("orgs", "org", r.orgs, r.render_org, scopes=R),
    "schools": v.Resource("orgs", "org", r.orgs, r.render_org, scopes=R),
    "academicSessions": v.Resource(
        "academicSessions", "academicSession", r.sessions, r.render_session, scopes=R
    ),
    "terms": v.Resource(
        "academicSessions", "academicSession", sessions_of("term"), r.render_session, scopes=R
    ),
    "gradingPeriods": v.Resource(
        "academicSessions",
        "academicSession",
        sessions_of("gradingPeriod"),
        r.render_session,
        scopes=R,
    ),
    "courses": v.Resource("courses", "course", r.courses, r.render_course, scopes=R),
    "classes": v.Resource("classes", "class", r.classes, r.render_class, scopes=R),
    "users": v.Resource(
        "users", "user", r.users, r.render_user, scopes=R, page_extra=r.users_extra, logs="users"
    ),
    "students": v.Resource(
        "users",
        "user",
        users_of("student"),
        r.render_user,
        scopes=R,
        page_extra=r.users_extra,
        logs="users",
    ),
    "teachers": v.Resource(
        "users",
        "user",
        users_of("teacher"),
        r.render_user,
        scopes=R,
        page_extra=r.users_extra,
        logs="users",
    ),
    "enrollments": v.Resource(
        "enrollments",
        "enrollment",
        r.enrollments,
        r.render_enrollment,
        scopes=R,
        logs="enrollments",
    ),
}
GRADEBOOK = {
    "categories": v.Resource("categories", "category", r.categories, r.render_category, scopes=G),
    "lineItems": v.Resource("lineItems", "lineItem", r.line_items, r.render_line_item, scopes=G),
    "results": v.Resource(
        "results", "result", r.results, r.render_result, scopes=G, logs="results"
    ),
}


def _op(prefix, name):
    return f"{prefix}{name[0].upper()}{name[1:]}"


def _paths(resources, ops):
    out = []
    for name, res in resources.items():
        out.append(path(f"{name}", v.view(v.CollectionView, res, _op("getAll", name), many=True)))
        out.append(
            path(
                f"{name}/<str:sourced_id>",
                v.view(v.ItemView, res, _op("get", name.removesuffix("s") + "ById"), many=False),
            )
        )
    return out + ops


rostering = _paths(
    RESOURCES,
    [
        path(
            "teachers/<str:teacher_id>/classes",
            v.view(v.TeacherClasses, RESOURCES["classes"], "getClassesForTeacher", many=True),
        ),
        path(
            "classes/<str:class_id>/students",
            v.view(v.ClassStudents, RESOURCES["students"], "getStudentsForClass", many=True),
        ),
        path(
            "classes/<str:class_id>/teachers",
            v.view(v.ClassTeachers, RESOURCES["teachers"], "getTeachersForClass", many=True),
        ),
        path(
            "terms/<str:term_id>/gradingPeriods",
            v.view(
                v.TermGradingPeriods,
                RESOURCES["gradingPeriods"],
                "getGradingPeriodsForTerm",
                many=True,
            ),
        ),
    ],
)
scales = v.Resource("scoreScales", "scoreScale", None, None, scopes=G)
gradebook = _paths(
    GRADEBOOK,
    [
        path("scoreScales", v.view(v.ScoreScales, scales, "getAllScoreScales", many=True)),
        path(
            "scoreScales/<str:sourced_id>",
            v.view(v.ScoreScales, scales, "getScoreScale", many=False),
        ),
        path(
            "classes/<str:class_id>/lineItems",
            v.view(v.ClassLineItems, GRADEBOOK["lineItems"], "getLineItemsForClass", many=True),
        ),
        path(
            "classes/<str:class_id>/lineItems/<str:line_item_id>/results",
            v.view(
                v.ClassLineItemResults,
                GRADEBOOK["results"],
                "getResultsForLineItemForClass",
                many=True,
            ),
        ),
    ],
)

urlpatterns = [
    *[path(f"rostering/v1p2/{p.pattern}", p.callback) for p in rostering],
    *[path(f"gradebook/v1p2/{p.pattern}", p.callback) for p in gradebook],
]
