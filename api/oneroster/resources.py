"""Our model as OneRoster 1.2 entities (docs/api.md has the mapping table, field by field).

Each builder returns a query.Collection of the client's school: querysets annotated with the
columns the entity is filtered, sorted and rendered by, and a renderer from one row to the
standard's JSON. Russian specifics go in `metadata` under `ru.*` keys (documented)."""

import datetime as dt

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    DateField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Concat

from journal.models import (
    ATTENDANCE_SHORT,
    Attendance,
    FinalMark,
    FinalStatus,
    Homework,
    Lesson,
    Mark,
    WorkType,
)
from school.models import (
    AcademicYear,
    Enrollment,
    Guardian,
    PeriodKind,
    ReportingPeriod,
    School,
    Student,
    StudyGroupMembership,
    Subject,
    Teacher,
    TeachingAssignment,
)

from .. import ids
from .query import Collection, Part

ROSTER = "/ims/oneroster/rostering/v1p2"
GRADEBOOK = "/ims/oneroster/gradebook/v1p2"
TEXT = CharField()
COMMON = ["c_pk", "c_pk2", "c_kind", "c_status", "c_dateLastModified"]


def _cols(qs, kind: str, pk2=None, **columns):
    """Annotate the columns every row has, then the entity's own."""
    return qs.annotate(
        c_pk=F("pk"),
        c_pk2=pk2 if pk2 is not None else Value(0, output_field=IntegerField()),
        c_kind=Value(ids.KINDS[kind], output_field=IntegerField()),
        **{f"c_{k}": v for k, v in columns.items()},
    )


def utc(value) -> str | None:
    if value is None:
        return None
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")[:-4] + "Z"


def ref(base: str, plural: str, type_: str, kind: str, first: int, second: int = 0) -> dict:
    sid = ids.encode(kind, first, second)
    return {"href": f"{base}/{plural}/{sid}", "sourcedId": sid, "type": type_}


def head(row: dict, kind: str) -> dict:
    return {
        "sourcedId": ids.encode(kind, row["c_pk"], row["c_pk2"]),
        "status": row["c_status"],
        "dateLastModified": utc(row["c_dateLastModified"]),
    }


def org_ref(school_id: int) -> dict:
    return ref(ROSTER, "orgs", "org", "org", school_id)


ACTIVE = Value("active", output_field=TEXT)


# --- Orgs --------------------------------------------------------------------------------------


def orgs(school: School) -> Collection:
    qs = _cols(
        School.objects.filter(pk=school.pk),
        "org",
        status=ACTIVE,
        dateLastModified=F("updated_at"),
        name=F("name"),
        identifier=F("inn"),
        type=Value("school", output_field=TEXT),
    )
    return Collection(
        parts=[Part(qs, "org")],
        filterable={
            "status": "str",
            "dateLastModified": "datetime",
            "name": "str",
            "type": "str",
            "identifier": "str",
        },
        selectable=[
            "sourcedId",
            "status",
            "dateLastModified",
            "name",
            "type",
            "identifier",
            "parent",
            "children",
            "metadata",
        ],
        columns=[*COMMON, "c_name", "c_identifier", "c_type"],
    )


def render_org(row: dict, extra=None) -> dict:
    return {
        **head(row, "org"),
        "name": row["c_name"],
        "type": row["c_type"],
        "identifier": row["c_identifier"],
        "parent": None,
        "children": [],
    }


# --- Academic sessions -----------------------------------------------------------------------

SESSION_TYPE = Case(
    When(kind=PeriodKind.YEAR, then=Value("term")),
    default=Value("gradingPeriod"),
    output_field=TEXT,
)


def sessions(
    school: School,
    types: tuple[str, ...] = ("schoolYear", "term", "gradingPeriod"),
    year_id: int | None = None,
) -> Collection:
    """The year as `schoolYear`; the period of the whole year as a `term`; quarters,
    trimesters and half-years as `gradingPeriod` (their parent: the year)."""
    years = _cols(
        AcademicYear.objects.filter(school=school),
        "schoolYear",
        status=ACTIVE,
        dateLastModified=F("updated_at"),
        title=F("name"),
        type=Value("schoolYear", output_field=TEXT),
        startDate=F("starts_on"),
        endDate=F("ends_on"),
        schoolYear=Cast(F("ends_on__year"), TEXT),
        parent=Value(0, output_field=IntegerField()),
    )
    periods = _cols(
        ReportingPeriod.objects.filter(school=school),
        "period",
        status=ACTIVE,
        dateLastModified=F("updated_at"),
        title=F("name"),
        type=SESSION_TYPE,
        startDate=F("starts_on"),
        endDate=F("ends_on"),
        schoolYear=Cast(F("year__ends_on__year"), TEXT),
        parent=F("year_id"),
    )
    if year_id is not None:
        years, periods = years.filter(pk=year_id), periods.filter(year_id=year_id)
    parts = []
    if "schoolYear" in types:
        parts.append(Part(years, "schoolYear"))
    if {"term", "gradingPeriod"} & set(types):
        parts.append(Part(periods.filter(c_type__in=types), "period"))
    return Collection(
        parts=parts,
        filterable={
            "status": "str",
            "dateLastModified": "datetime",
            "title": "str",
            "type": "str",
            "startDate": "date",
            "endDate": "date",
            "schoolYear": "str",
        },
        selectable=[
            "sourcedId",
            "status",
            "dateLastModified",
            "title",
            "type",
            "startDate",
            "endDate",
            "schoolYear",
            "parent",
            "children",
            "metadata",
        ],
        default_sort="startDate",
        columns=[
            *COMMON,
            "c_title",
            "c_type",
            "c_startDate",
            "c_endDate",
            "c_schoolYear",
            "c_parent",
        ],
    )


def render_session(row: dict, extra=None) -> dict:
    kind = "schoolYear" if row["c_kind"] == ids.KINDS["schoolYear"] else "period"
    parent = None
    if row["c_parent"]:
        parent = ref(ROSTER, "academicSessions", "academicSession", "schoolYear", row["c_parent"])
    return {
        **head(row, kind),
        "title": row["c_title"],
        "type": row["c_type"],
        "startDate": row["c_startDate"].isoformat(),
        "endDate": row["c_endDate"].isoformat(),
        "schoolYear": row["c_schoolYear"],
        "parent": parent,
        "children": [],
    }


# --- Courses and classes ------------------------------------------------------------------------


def courses(school: School) -> Collection:
    qs = _cols(
        Subject.objects.filter(school=school),
        "course",
        status=ACTIVE,
        dateLastModified=F("updated_at"),
        title=F("name"),
        courseCode=F("short_name"),
    )
    return Collection(
        parts=[Part(qs, "course")],
        filterable={
            "status": "str",
            "dateLastModified": "datetime",
            "title": "str",
            "courseCode": "str",
        },
        selectable=[
            "sourcedId",
            "status",
            "dateLastModified",
            "title",
            "courseCode",
            "org",
            "schoolYear",
            "metadata",
        ],
        default_sort="title",
        columns=[*COMMON, "c_title", "c_courseCode"],
    )


def render_course(row: dict, extra=None) -> dict:
    return {
        **head(row, "course"),
        "title": row["c_title"],
        "courseCode": row["c_courseCode"],
        "org": org_ref(extra["school_id"]),
    }


CLASS_LABEL = Coalesce(
    F("study_group__name"),
    Concat(Cast(F("class_group__level"), TEXT), Value(" «"), F("class_group__letter"), Value("»")),
    output_field=TEXT,
)


def classes(school: School, queryset=None) -> Collection:
    """A subject taught to a class or a study group (a teaching assignment)."""
    base = queryset if queryset is not None else TeachingAssignment.objects.all()
    qs = _cols(
        base.filter(school=school),
        "class",
        status=ACTIVE,
        dateLastModified=F("updated_at"),
        title=Concat(F("subject__name"), Value(", "), CLASS_LABEL, output_field=TEXT),
        classCode=CLASS_LABEL,
        classType=Value("scheduled", output_field=TEXT),
        course=F("subject_id"),
        year=F("year_id"),
        teacher=F("teacher_id"),
        grade=Coalesce(F("class_group__level"), F("study_group__class_group__level")),
    )
    return Collection(
        parts=[Part(qs, "class")],
        filterable={
            "status": "str",
            "dateLastModified": "datetime",
            "title": "str",
            "classCode": "str",
            "classType": "str",
        },
        selectable=[
            "sourcedId",
            "status",
            "dateLastModified",
            "title",
            "classCode",
            "classType",
            "course",
            "school",
            "terms",
            "grades",
            "metadata",
        ],
        default_sort="title",
        columns=[
            *COMMON,
            "c_title",
            "c_classCode",
            "c_classType",
            "c_course",
            "c_year",
            "c_teacher",
            "c_grade",
        ],
    )


def render_class(row: dict, extra=None) -> dict:
    return {
        **head(row, "class"),
        "title": row["c_title"],
        "classCode": row["c_classCode"],
        "classType": row["c_classType"],
        "course": ref(ROSTER, "courses", "course", "course", row["c_course"]),
        "school": org_ref(extra["school_id"]),
        "terms": [ref(ROSTER, "academicSessions", "academicSession", "schoolYear", row["c_year"])],
        "grades": [str(row["c_grade"])] if row["c_grade"] else [],
    }


# --- Users -------------------------------------------------------------------------------------


def _active_enrollment():
    return Enrollment.objects.filter(student_id=OuterRef("pk"), left_on__isnull=True)


def _person(qs, kind: str, role: str, *, status, grade):
    return _cols(
        qs,
        kind,
        status=status,
        dateLastModified=F("updated_at"),
        givenName=F("first_name"),
        familyName=F("last_name"),
        middleName=F("patronymic"),
        email=Coalesce(F("user__email"), Value(""), output_field=TEXT),
        username=Coalesce(F("user__username"), Value(""), output_field=TEXT),
        enabledUser=Case(
            When(user__is_active=True, then=Value("true")),
            default=Value("false"),
            output_field=TEXT,
        ),
        role=Value(role, output_field=TEXT),
        grade=grade,
    )


def users(
    school: School, roles=("student", "teacher", "parent"), students_qs=None, teachers_qs=None
) -> Collection:
    """Students (status `tobedeleted` once they left every class), teachers and parents."""
    no_grade = Value(None, output_field=IntegerField())
    parts = []
    if "student" in roles:
        base = students_qs if students_qs is not None else Student.objects.all()
        qs = _person(
            base.filter(school=school),
            "student",
            "student",
            status=Case(
                When(Exists(_active_enrollment()), then=Value("active")),
                default=Value("tobedeleted"),
                output_field=TEXT,
            ),
            grade=Subquery(_active_enrollment().values("class_group__level")[:1]),
        )
        parts.append(Part(qs, "student"))
    if "teacher" in roles:
        base = teachers_qs if teachers_qs is not None else Teacher.objects.all()
        parts.append(
            Part(
                _person(
                    base.filter(school=school), "teacher", "teacher", status=ACTIVE, grade=no_grade
                ),
                "teacher",
            )
        )
    if "parent" in roles:
        parts.append(
            Part(
                _person(
                    Guardian.objects.filter(school=school),
                    "guardian",
                    "parent",
                    status=ACTIVE,
                    grade=no_grade,
                ),
                "guardian",
            )
        )
    return Collection(
        parts=parts,
        filterable={
            "status": "str",
            "dateLastModified": "datetime",
            "givenName": "str",
            "familyName": "str",
            "middleName": "str",
            "email": "str",
            "username": "str",
            "enabledUser": "bool",
            "role": "str",
        },
        selectable=[
            "sourcedId",
            "status",
            "dateLastModified",
            "username",
            "enabledUser",
            "givenName",
            "familyName",
            "middleName",
            "email",
            "roles",
            "agents",
            "primaryOrg",
            "grades",
            "metadata",
        ],
        default_sort="familyName",
        columns=[
            *COMMON,
            "c_givenName",
            "c_familyName",
            "c_middleName",
            "c_email",
            "c_username",
            "c_enabledUser",
            "c_role",
            "c_grade",
        ],
    )


USER_KIND = {
    ids.KINDS["student"]: "student",
    ids.KINDS["teacher"]: "teacher",
    ids.KINDS["guardian"]: "guardian",
}


def users_extra(rows: list[dict]) -> dict:
    """The agents of a page of users (parents of its students, children of its parents): one
    query for the whole page."""
    students = [r["c_pk"] for r in rows if USER_KIND[r["c_kind"]] == "student"]
    guardians = [r["c_pk"] for r in rows if USER_KIND[r["c_kind"]] == "guardian"]
    agents: dict[tuple[str, int], list[dict]] = {}
    if students or guardians:
        from school.models import GuardianStudent

        links = GuardianStudent.objects.filter(
            Q(student_id__in=students) | Q(guardian_id__in=guardians)
        ).values_list("guardian_id", "student_id")
        for guardian_id, student_id in links:
            agents.setdefault(("student", student_id), []).append(
                ref(ROSTER, "users", "user", "guardian", guardian_id)
            )
            agents.setdefault(("guardian", guardian_id), []).append(
                ref(ROSTER, "users", "user", "student", student_id)
            )
    return {"agents": agents}


def render_user(row: dict, extra=None) -> dict:
    kind = USER_KIND[row["c_kind"]]
    school = org_ref(extra["school_id"])
    return {
        **head(row, kind),
        "username": row["c_username"],
        "enabledUser": row["c_enabledUser"],
        "givenName": row["c_givenName"],
        "familyName": row["c_familyName"],
        "middleName": row["c_middleName"],
        "email": row["c_email"],
        "roles": [{"roleType": "primary", "role": row["c_role"], "org": school}],
        "agents": extra.get("agents", {}).get((kind, row["c_pk"]), []),
        "primaryOrg": school,
        "grades": [str(row["c_grade"])] if row["c_grade"] else [],
    }


# --- Enrollments -------------------------------------------------------------------------------


def enrollments(school: School, assignments=None) -> Collection:
    """Teachers in the classes they teach; students in every class of their homeroom class
    (and of their study groups). `primary` marks the homeroom teacher."""
    a = assignments if assignments is not None else TeachingAssignment.objects.all()
    a = a.filter(school=school)
    no_date = Value(None, output_field=CharField())
    teachers = _cols(
        a,
        "enrollment.teacher",
        status=ACTIVE,
        dateLastModified=F("updated_at"),
        role=Value("teacher", output_field=TEXT),
        primary=Case(
            When(class_group__class_teacher_id=F("teacher_id"), then=Value("true")),
            default=Value("false"),
            output_field=TEXT,
        ),
        beginDate=Cast(no_date, TEXT),
        endDate=Cast(no_date, TEXT),
        user_kind=Value(ids.KINDS["teacher"], output_field=IntegerField()),
        user=F("teacher_id"),
        klass=F("pk"),
    )
    in_class = _cols(
        a.filter(study_group__isnull=True, class_group__enrollments__isnull=False),
        "enrollment.class",
        pk2=F("class_group__enrollments__pk"),
        status=Case(
            When(class_group__enrollments__left_on__isnull=True, then=Value("active")),
            default=Value("tobedeleted"),
            output_field=TEXT,
        ),
        dateLastModified=F("class_group__enrollments__updated_at"),
        role=Value("student", output_field=TEXT),
        primary=Value("false", output_field=TEXT),
        beginDate=Cast(F("class_group__enrollments__joined_on"), TEXT),
        endDate=Cast(F("class_group__enrollments__left_on"), TEXT),
        user_kind=Value(ids.KINDS["student"], output_field=IntegerField()),
        user=F("class_group__enrollments__student_id"),
        klass=F("pk"),
    )
    in_group = _cols(
        a.filter(study_group__isnull=False, study_group__memberships__isnull=False),
        "enrollment.group",
        pk2=F("study_group__memberships__pk"),
        status=ACTIVE,
        dateLastModified=F("study_group__memberships__updated_at"),
        role=Value("student", output_field=TEXT),
        primary=Value("false", output_field=TEXT),
        beginDate=Cast(no_date, TEXT),
        endDate=Cast(no_date, TEXT),
        user_kind=Value(ids.KINDS["student"], output_field=IntegerField()),
        user=F("study_group__memberships__student_id"),
        klass=F("pk"),
    )
    return Collection(
        parts=[
            Part(teachers, "enrollment.teacher"),
            Part(in_class, "enrollment.class"),
            Part(in_group, "enrollment.group"),
        ],
        filterable={
            "status": "str",
            "dateLastModified": "datetime",
            "role": "str",
            "primary": "bool",
        },
        selectable=[
            "sourcedId",
            "status",
            "dateLastModified",
            "user",
            "class",
            "school",
            "role",
            "primary",
            "beginDate",
            "endDate",
            "metadata",
        ],
        columns=[
            *COMMON,
            "c_role",
            "c_primary",
            "c_beginDate",
            "c_endDate",
            "c_user_kind",
            "c_user",
            "c_klass",
        ],
    )


ENROLLMENT_KIND = {
    ids.KINDS[k]: k for k in ("enrollment.teacher", "enrollment.class", "enrollment.group")
}


def render_enrollment(row: dict, extra=None) -> dict:
    user_kind = USER_KIND[row["c_user_kind"]]
    return {
        **head(row, ENROLLMENT_KIND[row["c_kind"]]),
        "user": ref(ROSTER, "users", "user", user_kind, row["c_user"]),
        "class": ref(ROSTER, "classes", "class", "class", row["c_klass"]),
        "school": org_ref(extra["school_id"]),
        "role": row["c_role"],
        "primary": row["c_primary"],
        "beginDate": row["c_beginDate"],
        "endDate": row["c_endDate"],
    }


def students_of_class(assignment: TeachingAssignment):
    """The students a class (teaching assignment) holds: its group's members, or the students
    still enrolled in its homeroom class."""
    if assignment.study_group_id:
        ids_ = StudyGroupMembership.objects.filter(group_id=assignment.study_group_id)
    else:
        ids_ = Enrollment.objects.filter(class_group_id=assignment.class_group_id).active()
    return Student.objects.filter(pk__in=ids_.values("student_id"))


# --- Gradebook -----------------------------------------------------------------------------------


def categories(school: School) -> Collection:
    qs = _cols(
        WorkType.objects.filter(school=school),
        "category",
        status=ACTIVE,
        dateLastModified=F("updated_at"),
        title=F("name"),
        weight=F("weight"),
        control=Cast(F("is_control"), BooleanField()),
    )
    finals = _cols(
        School.objects.filter(pk=school.pk),
        "finalCategory",
        status=ACTIVE,
        dateLastModified=F("updated_at"),
        title=Value(FINAL_CATEGORY_TITLE, output_field=TEXT),
        weight=Value(0, output_field=IntegerField()),
        control=Value(False, output_field=BooleanField()),
    )
    return Collection(
        parts=[Part(qs, "category"), Part(finals, "finalCategory")],
        filterable={
            "status": "str",
            "dateLastModified": "datetime",
            "title": "str",
            "weight": "int",
        },
        selectable=["sourcedId", "status", "dateLastModified", "title", "weight", "metadata"],
        default_sort="title",
        columns=[*COMMON, "c_title", "c_weight", "c_control"],
    )


FINAL_CATEGORY_TITLE = "Итоговая отметка"


def render_category(row: dict, extra=None) -> dict:
    final = row["c_kind"] == ids.KINDS["finalCategory"]
    return {
        **head(row, "finalCategory" if final else "category"),
        "title": row["c_title"],
        "weight": float(row["c_weight"]),
        "metadata": {"ru.isControlWork": bool(row["c_control"]), "ru.final": final},
    }


def _assignment_of_lesson():
    """The teaching assignment (OneRoster class) a lesson belongs to: its subject in its
    group, or in its class without a group."""
    return (
        TeachingAssignment.objects.filter(subject_id=OuterRef("subject_id"))
        .filter(
            Q(study_group_id=OuterRef("study_group_id"), study_group__isnull=False)
            | Q(class_group_id=OuterRef("class_group_id"), study_group__isnull=True)
        )
        .order_by("pk")
        .values("pk")[:1]
    )


ALL = TeachingAssignment.objects.all()
CLASS_LEVEL = Coalesce(F("class_group__level"), F("study_group__class_group__level"))


def _final_line_items(school: School, assignments):
    """One row per teaching assignment of a graded subject and reporting period of its year
    that covers the class's level: the line item of that period's final (and exam)."""
    return _cols(
        assignments.filter(school=school, subject__is_graded=True)
        .annotate(c_level=CLASS_LEVEL)
        .filter(
            year__periods__level_min__lte=F("c_level"),
            year__periods__level_max__gte=F("c_level"),
        ),
        "finalLineItem",
        pk2=F("year__periods__pk"),
        status=ACTIVE,
        dateLastModified=F("year__periods__updated_at"),
        title=Concat(
            F("subject__name"),
            Value(": итоговая, "),
            F("year__periods__name"),
            output_field=TEXT,
        ),
        assignDate=F("year__periods__ends_on"),
        dueDate=F("year__periods__ends_on"),
        klass=F("pk"),
        category=F("school_id"),
        lessonNumber=Value(None, output_field=IntegerField()),
        topic=Value("", output_field=TEXT),
        lessonStatus=Value("final", output_field=TEXT),
        substitute=Value(None, output_field=IntegerField()),
        homework=Value(None, output_field=TEXT),
    )


def lessons_of_class(assignment: TeachingAssignment):
    lessons = Lesson.objects.filter(subject_id=assignment.subject_id)
    if assignment.study_group_id:
        return lessons.filter(study_group_id=assignment.study_group_id)
    return lessons.filter(class_group_id=assignment.class_group_id, study_group__isnull=True)


def line_items(school: School, lessons=None, finals=ALL) -> Collection:
    """Assessed lessons: those with a work type (what their marks are for); and the finals of
    each reporting period per class (teaching assignment), for `finals` (assignments; None:
    none)."""
    base = lessons if lessons is not None else Lesson.objects.all()
    qs = _cols(
        base.filter(school=school, work_type__isnull=False),
        "lineItem",
        status=Case(
            When(status="scheduled", then=Value("active")),
            default=Value("tobedeleted"),
            output_field=TEXT,
        ),
        dateLastModified=F("updated_at"),
        title=Coalesce(
            Case(When(topic="", then=None), default=F("topic"), output_field=TEXT),
            F("subject__name"),
            output_field=TEXT,
        ),
        assignDate=F("date"),
        dueDate=F("date"),
        klass=Subquery(_assignment_of_lesson()),
        category=F("work_type_id"),
        lessonNumber=F("lesson_number"),
        topic=F("topic"),
        lessonStatus=F("status"),
        substitute=F("substitute_teacher_id"),
        homework=Subquery(Homework.objects.filter(lesson_id=OuterRef("pk")).values("text")[:1]),
    )
    parts = [Part(qs, "lineItem")]
    if finals is not None:
        parts.append(Part(_final_line_items(school, finals), "finalLineItem"))
    return Collection(
        parts=parts,
        filterable={
            "status": "str",
            "dateLastModified": "datetime",
            "title": "str",
            "assignDate": "date",
            "dueDate": "date",
        },
        selectable=[
            "sourcedId",
            "status",
            "dateLastModified",
            "title",
            "assignDate",
            "dueDate",
            "class",
            "school",
            "category",
            "gradingPeriod",
            "resultValueMin",
            "resultValueMax",
            "scoreScale",
            "metadata",
        ],
        default_sort="assignDate",
        columns=[
            *COMMON,
            "c_title",
            "c_assignDate",
            "c_dueDate",
            "c_klass",
            "c_category",
            "c_lessonNumber",
            "c_topic",
            "c_lessonStatus",
            "c_substitute",
            "c_homework",
        ],
    )


def _render_final_line_item(row: dict, school_id: int) -> dict:
    return {
        **head(row, "finalLineItem"),
        "title": row["c_title"],
        "assignDate": row["c_assignDate"].isoformat() + "T00:00:00Z",
        "dueDate": row["c_dueDate"].isoformat() + "T00:00:00Z",
        "class": ref(ROSTER, "classes", "class", "class", row["c_klass"]),
        "school": org_ref(school_id),
        "category": ref(GRADEBOOK, "categories", "category", "finalCategory", school_id),
        "gradingPeriod": ref(ROSTER, "academicSessions", "academicSession", "period", row["c_pk2"]),
        "scoreScale": ref(GRADEBOOK, "scoreScales", "scoreScale", "scoreScale", school_id),
        "resultValueMin": 2.0,
        "resultValueMax": 5.0,
        "metadata": {"ru.final": True, "ru.lessonStatus": "final"},
    }


def render_line_item(row: dict, extra=None) -> dict:
    school_id = extra["school_id"]
    if row["c_kind"] == ids.KINDS["finalLineItem"]:
        return _render_final_line_item(row, school_id)
    return {
        **head(row, "lineItem"),
        "title": row["c_title"],
        "assignDate": row["c_assignDate"].isoformat() + "T00:00:00Z",
        "dueDate": row["c_dueDate"].isoformat() + "T00:00:00Z",
        "class": ref(ROSTER, "classes", "class", "class", row["c_klass"])
        if row["c_klass"]
        else None,
        "school": org_ref(school_id),
        "category": ref(GRADEBOOK, "categories", "category", "category", row["c_category"]),
        "scoreScale": ref(GRADEBOOK, "scoreScales", "scoreScale", "scoreScale", school_id),
        "resultValueMin": 1.0,
        "resultValueMax": 5.0,
        "metadata": {
            "ru.lessonNumber": row["c_lessonNumber"],
            "ru.topic": row["c_topic"],
            "ru.homework": row["c_homework"] or "",
            "ru.lessonStatus": row["c_lessonStatus"],
            "ru.substituteTeacher": (
                ref(ROSTER, "users", "user", "teacher", row["c_substitute"])
                if row["c_substitute"]
                else None
            ),
        },
    }


def results(school: School, marks=None, finals=None) -> Collection:
    """Marks; and, with `finals` (a FinalMark queryset), the published finals, exam results
    and deferrals (all of them when the collection is read whole)."""
    base = marks if marks is not None else Mark.objects.all()
    if marks is None and finals is None:
        finals = FinalMark.objects.all()
    numeric = Q(value__in=["1", "2", "3", "4", "5"])
    qs = _cols(
        base.filter(school=school),
        "result",
        status=ACTIVE,
        dateLastModified=F("updated_at"),
        scoreStatus=Value("fully graded", output_field=TEXT),
        scoreDate=F("date"),
        textScore=F("value"),
        score=Case(
            When(numeric, then=Cast(F("value"), IntegerField())),
            default=None,
            output_field=IntegerField(),
        ),
        lineItem=F("lesson_id"),
        student=F("student_id"),
        comment=F("comment"),
        slot=F("slot"),
        attendance=Subquery(
            Attendance.objects.filter(
                lesson_id=OuterRef("lesson_id"), student_id=OuterRef("student_id")
            ).values("code")[:1]
        ),
        lineItem2=Value(0, output_field=IntegerField()),
        finalKind=Value("", output_field=TEXT),
        examName=Value("", output_field=TEXT),
    )
    parts = [Part(qs, "result")]
    if finals is not None:
        parts.append(Part(_final_results(school, finals), "finalResult"))
    return Collection(
        parts=parts,
        filterable={
            "status": "str",
            "dateLastModified": "datetime",
            "scoreStatus": "str",
            "scoreDate": "date",
            "textScore": "str",
            "score": "int",
        },
        selectable=[
            "sourcedId",
            "status",
            "dateLastModified",
            "lineItem",
            "student",
            "class",
            "scoreScale",
            "scoreStatus",
            "score",
            "textScore",
            "scoreDate",
            "comment",
            "metadata",
        ],
        default_sort="scoreDate",
        columns=[
            *COMMON,
            "c_scoreStatus",
            "c_scoreDate",
            "c_textScore",
            "c_score",
            "c_lineItem",
            "c_student",
            "c_comment",
            "c_slot",
            "c_attendance",
            "c_lineItem2",
            "c_finalKind",
            "c_examName",
        ],
    )


def final_results(school: School, assignment: TeachingAssignment, period) -> Collection:
    """The results of one final line item: the finals of the period in the class's subject
    for the pupils of the class (the same columns as every result)."""
    collection = results(school, Mark.objects.none(), FinalMark.objects.none())
    finals = FinalMark.objects.filter(
        period=period,
        subject_id=assignment.subject_id,
        student_id__in=students_of_class(assignment).values("pk"),
    )
    collection.parts = [Part(_final_results(school, finals), "finalResult")]
    return collection


def _assignment_of_final():
    """The teaching assignment (OneRoster class) of a final: its subject in the year of its
    period, in a study group the pupil belongs to, else in the pupil's class."""
    return (
        TeachingAssignment.objects.filter(
            subject_id=OuterRef("subject_id"), year_id=OuterRef("period__year_id")
        )
        .filter(
            Q(study_group__memberships__student_id=OuterRef("student_id"))
            | Q(
                study_group__isnull=True,
                class_group__enrollments__student_id=OuterRef("student_id"),
            )
        )
        .order_by("study_group_id", "pk")
        .values("pk")[:1]
    )


FINAL_SCORE_STATUS = Case(
    When(status=FinalStatus.GRADED, then=Value("fully graded")),
    When(status=FinalStatus.EXEMPT, then=Value("exempt")),
    default=Value("not submitted"),  # not assessed (н/а), or deferred
    output_field=TEXT,
)


def _final_results(school: School, finals):
    """Published finals (a deferral is published as it is decided): the result of the
    period's final line item; the text score is the mark, or the status (`not_assessed`,
    `exempt`, `deferred`)."""
    numeric = Q(value__in=["2", "3", "4", "5"])
    return _cols(
        finals.filter(school=school).filter(
            Q(published_at__isnull=False) | Q(status=FinalStatus.DEFERRED)
        ),
        "finalResult",
        status=ACTIVE,
        dateLastModified=F("set_at"),
        scoreStatus=FINAL_SCORE_STATUS,
        scoreDate=Cast(F("set_at"), DateField()),
        textScore=Case(When(value="", then=F("status")), default=F("value"), output_field=TEXT),
        score=Case(
            When(numeric, then=Cast(F("value"), IntegerField())),
            default=None,
            output_field=IntegerField(),
        ),
        lineItem=Subquery(_assignment_of_final()),
        student=F("student_id"),
        comment=Case(
            When(status=FinalStatus.DEFERRED, then=F("deferral_reason")),
            default=Value(""),
            output_field=TEXT,
        ),
        slot=Value(None, output_field=IntegerField()),
        attendance=Value(None, output_field=TEXT),
        lineItem2=F("period_id"),
        finalKind=F("kind"),
        examName=F("exam_name"),
    )


def _render_final_result(row: dict, school_id: int) -> dict:
    line_item = (
        ref(
            GRADEBOOK,
            "lineItems",
            "lineItem",
            "finalLineItem",
            row["c_lineItem"],
            row["c_lineItem2"],
        )
        if row["c_lineItem"]
        else None
    )
    return {
        **head(row, "finalResult"),
        "lineItem": line_item,
        "student": ref(ROSTER, "users", "user", "student", row["c_student"]),
        "scoreScale": ref(GRADEBOOK, "scoreScales", "scoreScale", "scoreScale", school_id),
        "scoreStatus": row["c_scoreStatus"],
        "score": float(row["c_score"]) if row["c_score"] is not None else None,
        "textScore": row["c_textScore"],
        "scoreDate": row["c_scoreDate"].isoformat(),
        "comment": row["c_comment"],
        "metadata": {
            "ru.final": True,
            "ru.finalKind": row["c_finalKind"],
            "ru.examName": row["c_examName"] or None,
            "ru.passFail": row["c_textScore"] if row["c_textScore"] in ("pass", "fail") else None,
        },
    }


def render_result(row: dict, extra=None) -> dict:
    if row["c_kind"] == ids.KINDS["finalResult"]:
        return _render_final_result(row, extra["school_id"])
    return {
        **head(row, "result"),
        "lineItem": ref(GRADEBOOK, "lineItems", "lineItem", "lineItem", row["c_lineItem"]),
        "student": ref(ROSTER, "users", "user", "student", row["c_student"]),
        "scoreScale": ref(GRADEBOOK, "scoreScales", "scoreScale", "scoreScale", extra["school_id"]),
        "scoreStatus": row["c_scoreStatus"],
        "score": float(row["c_score"]) if row["c_score"] is not None else None,
        "textScore": row["c_textScore"],
        "scoreDate": row["c_scoreDate"].isoformat(),
        "comment": row["c_comment"],
        "metadata": {
            "ru.markSlot": row["c_slot"],
            "ru.passFail": row["c_textScore"] if row["c_textScore"] in ("pass", "fail") else None,
            "ru.attendance": ATTENDANCE_SHORT.get(row["c_attendance"])
            if row["c_attendance"]
            else None,
        },
    }


def score_scale(school: School) -> dict:
    return {
        "sourcedId": ids.encode("scoreScale", school.pk),
        "status": "active",
        "dateLastModified": utc(school.updated_at),
        "title": "Пятибалльная шкала",
        "type": "five-point",
        "school": org_ref(school.pk),
        "scoreScaleValue": [
            {"itemValueLHS": v, "itemValueRHS": label}
            for v, label in (
                ("5", "отлично"),
                ("4", "хорошо"),
                ("3", "удовлетворительно"),
                ("2", "неудовлетворительно"),
                ("1", "плохо"),
                ("pass", "зачёт"),
                ("fail", "незачёт"),
            )
        ],
    }
