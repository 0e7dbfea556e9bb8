"""Database expressions that work on PostgreSQL (production, tests) and SQLite (`make run`)."""

import copy
import datetime as dt
import json

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import JSONField, Subquery
from django.db.models.query import get_related_populators
from typing_extensions import override


class _ListField(JSONField):
    """A list from the database: PostgreSQL hands over an array (whose JSON items arrive as
    text, since Django leaves JSON decoding to the field), SQLite a JSON text."""

    def __init__(self, *args, json_items: bool = False, **kwargs):
        self.json_items = json_items
        super().__init__(*args, **kwargs)

    @override
    def from_db_value(self, value, expression, connection):
        if value is None:
            return []
        if isinstance(value, str):
            return json.loads(value)
        if self.json_items:
            return [json.loads(item) if isinstance(item, str) else item for item in value]
        return list(value)


class ArrayOf(Subquery):
    """The rows of a one-column subquery as a Python list, inside the outer query.

    PostgreSQL: `ARRAY(subquery)`. SQLite: `json_group_array` over the subquery (each JSON
    object column passed through `json()` so that it stays an object, not a string). The
    subquery's ordering is kept.
    """

    template = "ARRAY(%(subquery)s)"

    def __init__(self, queryset, **extra):
        query = queryset.query
        names = [*query.values_select, *query.annotation_select]
        if len(names) != 1:
            raise ValueError("ArrayOf needs a subquery of exactly one column")
        self.column = names[0]
        annotation = query.annotation_select.get(self.column)
        self.json_items = annotation is not None and isinstance(annotation.output_field, JSONField)
        super().__init__(queryset, output_field=_ListField(json_items=self.json_items), **extra)

    def as_sqlite(self, compiler, connection, **extra_context):
        # The column name comes from the queryset's own values(), never from user input.
        value = f'json("{self.column}")' if self.json_items else f'"{self.column}"'
        template = "(SELECT json_group_array(" + value + ") FROM (%(subquery)s))"  # noqa: S608
        return self.as_sql(compiler, connection, template=template, **extra_context)


_NOTHING = (None, None, (), ())  # the compiled entry of a shape that finds no rows


_BIGINT = (-(2**63), 2**63 - 1)


class Prepared:
    """A queryset compiled once per shape and database, then run with new parameters.

    Building and compiling a query with several subqueries (the diary's frame, the lesson lock
    of a column save) costs milliseconds of Python on every call while its SQL never changes:
    only its parameters do. `build(*shape, **values)` returns the queryset; it is called once
    per `shape` (a tuple of whatever besides the values decides the SQL, such as the viewer's
    role) and database, with distinctive stand-ins for the values (negative ids, dates of the 12th
    century), and the positions where the stand-ins land among the compiled parameters are
    kept. Later calls put the real values there and run the kept SQL. Values are ints or
    dates, each passed as it is compared (no derived value: pass a week's end as its own
    value). The result is what the queryset would give: model instances with their
    select_related rows and annotations.
    """

    def __init__(self, build):
        self.build = build
        self._compiled: dict = {}

    @staticmethod
    def _stand_in(index: int, value):
        if isinstance(value, bool) or not isinstance(value, int | dt.date):
            raise TypeError("Prepared takes ints and dates as values")
        if isinstance(value, dt.datetime):
            raise TypeError("Prepared takes dates, not datetimes")
        if isinstance(value, dt.date):
            return dt.date(1100 + index, 1, 1)
        return -7_000_000_000 - index

    def _compile(self, shape, using: str, values: dict):
        stand_ins = {name: self._stand_in(i, v) for i, (name, v) in enumerate(values.items())}
        queryset = self.build(*shape, **stand_ins).using(using)
        compiler = queryset.query.get_compiler(using=using)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:  # a shape that can find nothing (`none()`, `pk__in=[]`)
            self._compiled[(shape, using)] = _NOTHING
            return _NOTHING
        found = {}
        for name, stand_in in stand_ins.items():
            found[stand_in] = (name, False)
            if isinstance(stand_in, dt.date):
                found[stand_in.isoformat()] = (name, True)
        slots = []
        for position, param in enumerate(params):
            hit = found.get(param) if isinstance(param, int | str | dt.date) else None
            if hit is not None and not isinstance(param, bool):
                slots.append((position, *hit))
        entry = (compiler, sql, tuple(params), tuple(slots))
        self._compiled[(shape, using)] = entry
        return entry

    def rows(self, shape, *, using: str, **values) -> list:
        if any(isinstance(v, int) and not _BIGINT[0] <= v <= _BIGINT[1] for v in values.values()):
            return []  # no row has an id beyond a bigint (a hand-typed address): nothing found
        entry = self._compiled.get((shape, using)) or self._compile(shape, using, values)
        if entry is _NOTHING:
            return []
        compiler, sql, template, slots = entry
        params = list(template)
        for position, name, as_text in slots:
            value = values[name]
            params[position] = value.isoformat() if as_text else value
        # The kept compiler, with this thread's connection (connections are per thread).
        compiler = copy.copy(compiler)
        compiler.connection = connections[using]
        with compiler.connection.cursor() as cursor:
            cursor.execute(sql, params)
            fetched = cursor.fetchall()
        return list(_instances(compiler, fetched, using))


def _instances(compiler, fetched: list, using: str):
    """Model instances from rows of the compiled query, as Django's ModelIterable builds them."""
    select, klass_info = compiler.select, compiler.klass_info
    annotation_col_map = compiler.annotation_col_map
    model = klass_info["model"]
    start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
    init_list = [f[0].target.attname for f in select[start:end]]
    related_populators = get_related_populators(klass_info, select, using)
    for row in compiler.results_iter([fetched]):
        obj = model.from_db(using, init_list, row[start:end])
        for populator in related_populators:
            populator.populate(row, obj)
        for name, position in (annotation_col_map or {}).items():
            setattr(obj, name, row[position])
        yield obj
