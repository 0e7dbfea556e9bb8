"""The OneRoster collection conventions: filter, sort, paging, fields.

A collection is one or more querysets ("parts", already scoped to the client's school) that
carry the same annotated columns `c_<field>`; the user's filter becomes a Q on those columns
and is ANDed to each part, so an OR in a filter can never reach outside the school. Several
parts (users = students, teachers and parents) are one UNION ALL, sorted and sliced in SQL.
"""

import datetime as dt
import re
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.dateparse import parse_date, parse_datetime

from .. import ids
from ..errors import OneRosterError

_PRED = r"([A-Za-z][A-Za-z0-9_.]*)\s*(!=|>=|<=|=|>|<|~)\s*'([^']*)'"
_FILTER = re.compile(rf"^\s*{_PRED}(?:\s+(AND|OR)\s+{_PRED})?\s*$")
_LOOKUP = {"=": "exact", ">": "gt", ">=": "gte", "<": "lt", "<=": "lte", "~": "icontains"}
MAX_LIMIT = 1000


@dataclass
class Part:
    queryset: object  # a QuerySet scoped to the school, annotated with c_<column> by `columns`
    kind: str  # the sourcedId kind of its rows (api.ids.KINDS)


@dataclass
class Collection:
    parts: list[Part]
    filterable: dict[str, str]  # OneRoster field → type: str, datetime, date, int, bool
    selectable: list[str]
    default_sort: str = "sourcedId"
    columns: list[str] = field(default_factory=list)


def _bad_filter(text: str) -> OneRosterError:
    return OneRosterError(text, "invalid_filter_field")


def _value(kind: str, raw: str):
    if kind == "datetime":
        value = parse_datetime(raw)
        if value is None:
            day = parse_date(raw)
            value = dt.datetime.combine(day, dt.time(), dt.UTC) if day else None
        if value is None:
            raise _bad_filter(f"Not a date and time: {raw!r}")
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if kind == "date":
        try:
            value = parse_date(raw)
        except ValueError:
            value = None
        if value is None:
            raise _bad_filter(f"Not a date: {raw!r}")
        return value
    if kind == "int":
        try:
            return int(raw)
        except ValueError as exc:
            raise _bad_filter(f"Not a number: {raw!r}") from exc
    if kind == "bool":
        if raw not in ("true", "false"):
            raise _bad_filter(f"Not true or false: {raw!r}")
        return raw
    return raw


def _predicate(collection: Collection, part: Part, name: str, op: str, raw: str) -> Q:
    if name == "sourcedId":
        if op not in ("=", "!="):
            raise _bad_filter("sourcedId is compared with = or != only")
        decoded = ids.decode(raw, part.kind)
        q = Q(c_pk=decoded[1], c_pk2=decoded[2]) if decoded else Q(pk__in=[])
        return ~q if op == "!=" else q
    kind = collection.filterable.get(name)
    if kind is None:
        raise _bad_filter(f"Unknown filter field: {name}")
    if op == "~" and kind != "str":
        raise _bad_filter(f"~ compares text only, not {name}")
    value = _value(kind, raw)
    column = f"c_{name.replace('.', '_')}"
    if op == "!=":
        return ~Q(**{column: value})
    if kind == "str" and op == "=":
        return Q(**{f"{column}__iexact": value}) if name == "email" else Q(**{column: value})
    return Q(**{f"{column}__{_LOOKUP[op]}": value})


def parse_filter(text: str | None):
    """The filter as (name, op, value)[, joiner, (name, op, value)], or None for none."""
    if text is None or text == "":
        return None
    match = _FILTER.match(text)
    if match is None:
        raise _bad_filter(f"Malformed filter: {text!r}")
    g = match.groups()
    first = (g[0], g[1], g[2])
    if g[3] is None:
        return [first]
    return [first, g[3], (g[4], g[5], g[6])]


def filtered(collection: Collection, parsed) -> list:
    """Each part's queryset with the user's filter ANDed to its school scope."""
    out = []
    for part in collection.parts:
        qs = part.queryset
        if parsed:
            q = _predicate(collection, part, *parsed[0])
            if len(parsed) == 3:
                other = _predicate(collection, part, *parsed[2])
                q = (q & other) if parsed[1] == "AND" else (q | other)
            qs = qs.filter(q)
        out.append(qs)
    return out


def page_params(params) -> tuple[int, int]:
    try:
        limit = int(params.get("limit", 100))
        offset = int(params.get("offset", 0))
    except ValueError as exc:
        raise OneRosterError("limit and offset are whole numbers", "invaliddata") from exc
    if limit < 1 or offset < 0:
        raise OneRosterError("limit is at least 1 and offset at least 0", "invaliddata")
    return min(limit, MAX_LIMIT), offset


def sort_key(collection: Collection, params) -> str:
    sort = params.get("sort") or collection.default_sort
    order = params.get("orderBy", "asc")
    if order not in ("asc", "desc"):
        raise OneRosterError("orderBy is asc or desc", "invaliddata")
    if sort == "sourcedId":
        column = "c_pk"
    elif sort in collection.filterable:
        column = f"c_{sort.replace('.', '_')}"
    else:
        raise OneRosterError(f"Cannot sort by {sort}", "invalid_selection_field")
    return column if order == "asc" else f"-{column}"


def selected_fields(collection: Collection, params) -> list[str] | None:
    raw = params.get("fields")
    if not raw:
        return None
    names = [n.strip() for n in raw.split(",") if n.strip()]
    unknown = [n for n in names if n not in collection.selectable]
    if unknown or not names:
        raise OneRosterError(
            f"Unknown field(s): {', '.join(unknown) or raw}", "invalid_selection_field"
        )
    return names


def run(collection: Collection, params) -> tuple[list[dict], int, int, int]:
    """(rows of this page, total, limit, offset): two queries, whatever the page."""
    limit, offset = page_params(params)
    order = sort_key(collection, params)
    parsed = parse_filter(params.get("filter"))
    parts = [qs.values(*collection.columns).order_by() for qs in filtered(collection, parsed)]
    combined = parts[0] if len(parts) == 1 else parts[0].union(*parts[1:], all=True)
    tiebreak = ["c_kind", "c_pk", "c_pk2"] if len(parts) > 1 else ["c_pk", "c_pk2"]
    ordering = [order, *[t for t in tiebreak if t != order.lstrip("-")]]
    total = combined.count()
    rows = list(combined.order_by(*ordering)[offset : offset + limit]) if offset < total else []
    return rows, total, limit, offset
