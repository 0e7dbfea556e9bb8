"""The OneRoster 1.2 CSV bundle of a school, bulk or delta: the provider's own collections
and renderers (api.oneroster.resources) flattened to the CSV binding's columns, so the REST
provider and the CSV files agree field by field.

A delta bundle holds the rows whose `dateLastModified` is after the given instant, with their
status (`active`, or `tobedeleted` for a pupil who left, an ended enrolment, a cancelled
lesson); its manifest says `delta` for every file."""

import csv
import datetime as dt
import io
import uuid
import zipfile

from accounts.audit import record_access

from ..oneroster import query
from ..oneroster import resources as r
from .columns import COLUMNS, MANIFEST_FILES, MANIFEST_VERSION, ONEROSTER_VERSION

PAGE = query.MAX_LIMIT
ROLE_NAMESPACE = uuid.UUID("6f1d2c1e-5b2a-4c55-9a0e-2f4a7d3c9b11")


def _sid(reference) -> str:
    return reference["sourcedId"] if reference else ""


def _csv_bool(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _rows(collection, since: dt.datetime | None):
    """Every row of a collection (in pages of the provider's maximum), optionally those
    modified after `since`."""
    params = {"limit": PAGE}
    if since is not None:
        params["filter"] = f"dateLastModified>'{since.astimezone(dt.UTC).isoformat()}'"
    offset = 0
    while True:
        rows, total, _limit, _offset = query.run(collection, {**params, "offset": offset})
        yield rows
        offset += PAGE
        if offset >= total:
            return


def _objects(collection, render, school, since, extra=None):
    for rows in _rows(collection, since):
        more = {"school_id": school.pk}
        if extra:
            more |= extra(rows)
        yield from (render(row, more) for row in rows)


def _common(obj: dict) -> dict:
    return {k: obj[k] or "" for k in ("sourcedId", "status", "dateLastModified")}


def org_row(o: dict) -> dict:
    return _common(o) | {
        "name": o["name"],
        "type": o["type"],
        "identifier": o["identifier"] or "",
        "parentSourcedId": _sid(o["parent"]),
    }


def session_row(o: dict) -> dict:
    return _common(o) | {
        "title": o["title"],
        "type": o["type"],
        "startDate": o["startDate"],
        "endDate": o["endDate"],
        "parentSourcedId": _sid(o["parent"]),
        "schoolYear": o["schoolYear"],
    }


def course_row(o: dict) -> dict:
    return _common(o) | {
        "title": o["title"],
        "courseCode": o["courseCode"],
        "orgSourcedId": _sid(o["org"]),
    }


def class_row(o: dict) -> dict:
    return _common(o) | {
        "title": o["title"],
        "grades": ",".join(o["grades"]),
        "courseSourcedId": _sid(o["course"]),
        "classCode": o["classCode"],
        "classType": o["classType"],
        "schoolSourcedId": _sid(o["school"]),
        "termSourcedIds": ",".join(_sid(t) for t in o["terms"]),
    }


def user_row(o: dict) -> dict:
    return _common(o) | {
        "enabledUser": o["enabledUser"],
        "username": o["username"],
        "givenName": o["givenName"],
        "familyName": o["familyName"],
        "middleName": o["middleName"],
        "email": o["email"],
        "agentSourcedIds": ",".join(_sid(a) for a in o["agents"]),
        "grades": ",".join(o["grades"]),
        "primaryOrgSourcedId": _sid(o["primaryOrg"]),
    }


def role_rows(o: dict) -> list[dict]:
    """users.csv of OneRoster 1.2 has no role: each role is a line of roles.csv."""
    return [
        _common(o)
        | {
            "sourcedId": str(uuid.uuid5(ROLE_NAMESPACE, f"{o['sourcedId']}|{role['role']}")),
            "userSourcedId": o["sourcedId"],
            "roleType": role["roleType"],
            "role": role["role"],
            "orgSourcedId": _sid(role["org"]),
        }
        for role in o["roles"]
    ]


def enrollment_row(o: dict) -> dict:
    return _common(o) | {
        "classSourcedId": _sid(o["class"]),
        "schoolSourcedId": _sid(o["school"]),
        "userSourcedId": _sid(o["user"]),
        "role": o["role"],
        "primary": o["primary"],
        "beginDate": o["beginDate"] or "",
        "endDate": o["endDate"] or "",
    }


def category_row(o: dict) -> dict:
    return _common(o) | {
        "title": o["title"],
        "weight": o["weight"],
        "metadata.ru.isControlWork": _csv_bool(o["metadata"]["ru.isControlWork"]),
    }


def line_item_row(o: dict) -> dict:
    meta = o["metadata"]
    return _common(o) | {
        "title": o["title"],
        "assignDate": o["assignDate"][:10],
        "dueDate": o["dueDate"][:10],
        "classSourcedId": _sid(o["class"]),
        "categorySourcedId": _sid(o["category"]),
        "resultValueMin": o["resultValueMin"],
        "resultValueMax": o["resultValueMax"],
        "schoolSourcedId": _sid(o["school"]),
        "metadata.ru.lessonNumber": meta.get("ru.lessonNumber", ""),
        "metadata.ru.topic": meta.get("ru.topic", ""),
        "metadata.ru.homework": meta.get("ru.homework", ""),
        "metadata.ru.lessonStatus": meta.get("ru.lessonStatus", ""),
    }


def result_row(o: dict) -> dict:
    meta = o["metadata"]
    return _common(o) | {
        "lineItemSourcedId": _sid(o["lineItem"]),
        "studentSourcedId": _sid(o["student"]),
        "scoreStatus": o["scoreStatus"],
        "score": "" if o["score"] is None else o["score"],
        "scoreDate": o["scoreDate"],
        "comment": o["comment"],
        "textScore": o["textScore"],
        "metadata.ru.markSlot": meta.get("ru.markSlot", ""),
        "metadata.ru.attendance": meta.get("ru.attendance") or "",
    }


def _csv(name: str, rows) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS[name], restval="", lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _manifest(mode: str, written: set[str], school) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["propertyName", "value"])
    writer.writerow(["manifest.version", MANIFEST_VERSION])
    writer.writerow(["oneroster.version", ONEROSTER_VERSION])
    for name in MANIFEST_FILES:
        writer.writerow([f"file.{name}", mode if name in written else "absent"])
    writer.writerow(["source.systemName", "ednevnik"])
    writer.writerow(["source.systemCode", school.inn or str(school.pk)])
    return out.getvalue().encode("utf-8")


def bundle_tables(school, since: dt.datetime | None = None) -> dict[str, list[dict]]:
    """Each file's rows, as the CSV columns."""
    users = list(_objects(r.users(school), r.render_user, school, since, r.users_extra))
    return {
        "orgs": [org_row(o) for o in _objects(r.orgs(school), r.render_org, school, since)],
        "academicSessions": [
            session_row(o) for o in _objects(r.sessions(school), r.render_session, school, since)
        ],
        "courses": [
            course_row(o) for o in _objects(r.courses(school), r.render_course, school, since)
        ],
        "classes": [
            class_row(o) for o in _objects(r.classes(school), r.render_class, school, since)
        ],
        "users": [user_row(o) for o in users],
        "roles": [row for o in users for row in role_rows(o)],
        "enrollments": [
            enrollment_row(o)
            for o in _objects(r.enrollments(school), r.render_enrollment, school, since)
        ],
        "categories": [
            category_row(o)
            for o in _objects(r.categories(school), r.render_category, school, since)
        ],
        "lineItems": [
            line_item_row(o)
            for o in _objects(r.line_items(school), r.render_line_item, school, since)
        ],
        "results": [
            result_row(o) for o in _objects(r.results(school), r.render_result, school, since)
        ],
    }


def bundle_export(*, school, since: dt.datetime | None = None, viewer=None) -> bytes:
    """The zip: manifest.csv and one CSV a file (bulk, or delta after `since`). The pupils it
    holds are recorded in the access log as read by `viewer` when one is given."""
    tables = bundle_tables(school, since)
    mode = "bulk" if since is None else "delta"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.csv", _manifest(mode, set(tables), school))
        for name, rows in tables.items():
            archive.writestr(f"{name}.csv", _csv(name, rows))
    if viewer is not None:
        student_ids = [
            r_id for row in tables["users"] if (r_id := _student_pk(row["sourcedId"])) is not None
        ]
        record_access(viewer, student_ids, "OneRoster CSV")
    return buffer.getvalue()


def _student_pk(sourced_id: str) -> int | None:
    from .. import ids

    decoded = ids.decode(sourced_id, "student")
    return decoded[1] if decoded else None
