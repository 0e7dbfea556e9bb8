"""The OneRoster 1.2 provider, read-only: collections, items by sourcedId and the nested
collections, with the standard's paging headers and error bodies. Two queries a page (the
count and the page; a page of users or results one more for agents or the access log)."""

from urllib.parse import urlencode

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.audit import record_access
from journal.models import Lesson, Mark
from school.models import ReportingPeriod, TeachingAssignment

from .. import ids
from ..errors import not_found
from ..models import GRADEBOOK_READ, ROSTER_CORE_READ, ROSTER_READ
from . import query
from . import resources as r

ROSTER_SCOPES = [ROSTER_READ, ROSTER_CORE_READ]
GRADEBOOK_SCOPES = [GRADEBOOK_READ]

ERROR = {
    "type": "object",
    "properties": {
        "imsx_codeMajor": {
            "type": "string",
            "enum": ["success", "processing", "failure", "unsupported"],
        },
        "imsx_severity": {"type": "string", "enum": ["status", "warning", "error"]},
        "imsx_description": {"type": "string"},
        "imsx_CodeMinor": {"type": "object"},
    },
    "required": ["imsx_codeMajor", "imsx_severity"],
}
ERRORS = {
    code: OpenApiResponse(response=ERROR, description=text)
    for code, text in (
        (400, "invalid_filter_field, invalid_selection_field or invaliddata"),
        (401, "unauthorisedrequest"),
        (403, "forbidden (missing scope)"),
        (404, "unknownobject"),
        (429, "server_busy"),
    )
}
COLLECTION_PARAMS = [
    OpenApiParameter("limit", int, description="Page size (default 100, at least 1)."),
    OpenApiParameter("offset", int, description="First record (default 0)."),
    OpenApiParameter("sort", str, description="A field to sort by."),
    OpenApiParameter("orderBy", str, enum=["asc", "desc"]),
    OpenApiParameter("filter", str, description="field<op>'value' [AND|OR field<op>'value']"),
    OpenApiParameter("fields", str, description="Comma-separated fields to return."),
]


def _set_schema(plural: str) -> dict:
    return {
        "type": "object",
        "properties": {plural: {"type": "array", "items": {"type": "object"}}},
        "required": [plural],
    }


def _one_schema(singular: str) -> dict:
    return {
        "type": "object",
        "properties": {singular: {"type": "object"}},
        "required": [singular],
    }


def _links(request, total: int, limit: int, offset: int) -> str:
    base = request.build_absolute_uri(request.path)
    params = {k: v for k, v in request.query_params.items() if k not in ("limit", "offset")}

    def url(at: int) -> str:
        return f"{base}?{urlencode({**params, 'limit': limit, 'offset': at})}"

    last = max(0, ((total - 1) // limit) * limit) if total else 0
    links = [f'<{url(0)}>; rel="first"', f'<{url(last)}>; rel="last"']
    if offset + limit < total:
        links.append(f'<{url(offset + limit)}>; rel="next"')
    if offset > 0:
        links.append(f'<{url(max(0, offset - limit))}>; rel="prev"')
    return ", ".join(links)


def _select(obj: dict, fields: list[str] | None) -> dict:
    return obj if fields is None else {k: obj.get(k) for k in fields}


class Resource:
    """What a path serves: the collection builder, the renderer, the envelope names."""

    def __init__(self, plural, singular, build, render, *, scopes, page_extra=None, logs=None):
        self.plural, self.singular = plural, singular
        self.build, self.render, self.scopes = build, render, scopes
        self.page_extra, self.logs = page_extra, logs


def _students_on_page(resource: Resource, rows: list[dict]) -> list[int]:
    if resource.logs == "users":
        return [row["c_pk"] for row in rows if row["c_kind"] == ids.KINDS["student"]]
    if resource.logs == "results":
        return [row["c_student"] for row in rows]
    if resource.logs == "enrollments":
        return [row["c_user"] for row in rows if row["c_user_kind"] == ids.KINDS["student"]]
    return []


class OneRosterView(APIView):
    oneroster = True
    resource: Resource

    @property
    def required_scopes(self):
        return self.resource.scopes

    def collection(self, request, school, **kwargs) -> query.Collection:
        return self.resource.build(school)

    def page(self, request, collection, params):
        rows, total, limit, offset = query.run(collection, params)
        school = request.api_client.school
        extra = {"school_id": school.pk}
        if self.resource.page_extra:
            extra |= self.resource.page_extra(rows)
        students = _students_on_page(self.resource, rows)
        if students:
            record_access(request.user, students, f"OneRoster: {self.resource.plural}")
        return [self.resource.render(row, extra) for row in rows], total, limit, offset


class CollectionView(OneRosterView):
    def get(self, request, **kwargs):
        school = request.api_client.school
        collection = self.collection(request, school, **kwargs)
        fields = query.selected_fields(collection, request.query_params)
        objs, total, limit, offset = self.page(request, collection, request.query_params)
        response = Response({self.resource.plural: [_select(o, fields) for o in objs]})
        response["X-Total-Count"] = str(total)
        response["Link"] = _links(request, total, limit, offset)
        return response


class ItemView(OneRosterView):
    def get(self, request, sourced_id: str, **kwargs):
        school = request.api_client.school
        collection = self.collection(request, school, **kwargs)
        fields = query.selected_fields(collection, request.query_params)
        if "'" in sourced_id:
            raise not_found()
        params = {"filter": f"sourcedId='{sourced_id}'", "limit": 1}
        objs, *_rest = self.page(request, collection, params)
        if not objs:
            raise not_found()
        return Response({self.resource.singular: _select(objs[0], fields)})


# --- The parent of a nested collection, scoped to the client's school ----------------------


def _assignment(school, sourced_id: str) -> TeachingAssignment:
    decoded = ids.decode(sourced_id, "class")
    found = decoded and TeachingAssignment.objects.filter(school=school, pk=decoded[1]).first()
    if not found:
        raise not_found()
    return found


def _teacher_id(school, sourced_id: str) -> int:
    from school.models import Teacher

    decoded = ids.decode(sourced_id, "teacher")
    if not decoded or not Teacher.objects.filter(school=school, pk=decoded[1]).exists():
        raise not_found()
    return decoded[1]


def _term(school, sourced_id: str) -> ReportingPeriod:
    decoded = ids.decode(sourced_id, "period")
    found = (
        decoded
        and ReportingPeriod.objects.filter(school=school, pk=decoded[1], kind="year").first()
    )
    if not found:
        raise not_found()
    return found


def _lesson_of(school, assignment, sourced_id: str) -> Lesson:
    decoded = ids.decode(sourced_id, "lineItem")
    found = decoded and r.lessons_of_class(assignment).filter(school=school, pk=decoded[1]).first()
    if not found:
        raise not_found()
    return found


def _final_period_of(school, assignment, sourced_id: str) -> ReportingPeriod | None:
    """The period of a final line item of this class, or None when the id is not one."""
    decoded = ids.decode(sourced_id, "finalLineItem")
    if not decoded:
        return None
    if decoded[1] != assignment.pk:
        raise not_found()
    found = ReportingPeriod.objects.filter(
        school=school, pk=decoded[2], year_id=assignment.year_id
    ).first()
    if not found:
        raise not_found()
    return found


class TeacherClasses(CollectionView):
    def collection(self, request, school, teacher_id):
        pk = _teacher_id(school, teacher_id)
        return r.classes(school, TeachingAssignment.objects.filter(teacher_id=pk))


class ClassStudents(CollectionView):
    def collection(self, request, school, class_id):
        assignment = _assignment(school, class_id)
        return r.users(school, roles=("student",), students_qs=r.students_of_class(assignment))


class ClassTeachers(CollectionView):
    def collection(self, request, school, class_id):
        from school.models import Teacher

        assignment = _assignment(school, class_id)
        return r.users(
            school,
            roles=("teacher",),
            teachers_qs=Teacher.objects.filter(pk=assignment.teacher_id),
        )


class TermGradingPeriods(CollectionView):
    def collection(self, request, school, term_id):
        term = _term(school, term_id)
        return r.sessions(school, types=("gradingPeriod",), year_id=term.year_id)


class ClassLineItems(CollectionView):
    def collection(self, request, school, class_id):
        assignment = _assignment(school, class_id)
        return r.line_items(
            school,
            r.lessons_of_class(assignment),
            finals=TeachingAssignment.objects.filter(pk=assignment.pk),
        )


class ClassLineItemResults(CollectionView):
    def collection(self, request, school, class_id, line_item_id):
        assignment = _assignment(school, class_id)
        period = _final_period_of(school, assignment, line_item_id)
        if period is not None:
            return r.final_results(school, assignment, period)
        lesson = _lesson_of(school, assignment, line_item_id)
        return r.results(school, Mark.objects.filter(lesson=lesson))


class ScoreScales(OneRosterView):
    def get(self, request, sourced_id: str | None = None):
        scale = r.score_scale(request.api_client.school)
        if sourced_id is None:
            response = Response({"scoreScales": [scale]})
            response["X-Total-Count"] = "1"
            return response
        if sourced_id != scale["sourcedId"]:
            raise not_found()
        return Response({"scoreScale": scale})


def view(cls, resource: Resource, operation: str, *, many: bool):
    """The view of a path, with its OpenAPI description."""
    params = COLLECTION_PARAMS if many else [OpenApiParameter("fields", str)]
    body = _set_schema(resource.plural) if many else _one_schema(resource.singular)

    class View(cls):
        pass

    def get(self, request, *args, **kwargs):
        return cls.get(self, request, *args, **kwargs)

    View.resource = resource
    View.__name__ = f"{operation[0].upper()}{operation[1:]}View"
    View.get = extend_schema(
        operation_id=operation,
        parameters=params,
        responses={200: OpenApiResponse(response=body), **ERRORS},
        tags=[
            "oneroster-gradebook" if resource.scopes == GRADEBOOK_SCOPES else "oneroster-rostering"
        ],
    )(get)
    return View.as_view()


def route(pattern: str, cls, resource: Resource, operation: str, *, many: bool):
    """The path of one operation, named after it (`api:oneroster-<operation>`)."""
    from django.urls import path

    return path(pattern, view(cls, resource, operation, many=many), name=f"oneroster-{operation}")
