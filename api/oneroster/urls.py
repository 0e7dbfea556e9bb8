"""/ims/oneroster/rostering/v1p2/ and /ims/oneroster/gradebook/v1p2/ (read-only)."""

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


def _paths(prefix, resources, nested):
    """Each resource as a collection and by sourcedId, then the nested collections."""
    routes = []
    for name, res in resources.items():
        routes.append((name, v.CollectionView, res, _op("getAll", name), True))
        one = _op("get", name.removesuffix("s") + "ById")
        routes.append((f"{name}/<str:sourced_id>", v.ItemView, res, one, False))
    return [
        v.route(f"{prefix}/{pattern}", cls, res, op, many=many)
        for pattern, cls, res, op, many in routes + nested
    ]


scales = v.Resource("scoreScales", "scoreScale", None, None, scopes=G)

urlpatterns = [
    *_paths(
        "rostering/v1p2",
        RESOURCES,
        [
            (
                "teachers/<str:teacher_id>/classes",
                v.TeacherClasses,
                RESOURCES["classes"],
                "getClassesForTeacher",
                True,
            ),
            (
                "classes/<str:class_id>/students",
                v.ClassStudents,
                RESOURCES["students"],
                "getStudentsForClass",
                True,
            ),
            (
                "classes/<str:class_id>/teachers",
                v.ClassTeachers,
                RESOURCES["teachers"],
                "getTeachersForClass",
                True,
            ),
            (
                "terms/<str:term_id>/gradingPeriods",
                v.TermGradingPeriods,
                RESOURCES["gradingPeriods"],
                "getGradingPeriodsForTerm",
                True,
            ),
        ],
    ),
    *_paths(
        "gradebook/v1p2",
        GRADEBOOK,
        [
            ("scoreScales", v.ScoreScales, scales, "getAllScoreScales", True),
            ("scoreScales/<str:sourced_id>", v.ScoreScales, scales, "getScoreScale", False),
            (
                "classes/<str:class_id>/lineItems",
                v.ClassLineItems,
                GRADEBOOK["lineItems"],
                "getLineItemsForClass",
                True,
            ),
            (
                "classes/<str:class_id>/lineItems/<str:line_item_id>/results",
                v.ClassLineItemResults,
                GRADEBOOK["results"],
                "getResultsForLineItemForClass",
                True,
            ),
        ],
    ),
]
