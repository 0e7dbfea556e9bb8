"""Database expressions that work on PostgreSQL (production, tests) and SQLite (`make run`)."""

import json

from django.db.models import JSONField, Subquery
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
