"""Bulk writes of a column save in one statement each (faster than bulk_create/bulk_update)."""

from django.db import connection


def loaded(obj):
    """Mark an instance built from a row as an existing one of the default database."""
    obj._state.adding, obj._state.db = False, "default"
    return obj


def insert_rows(objs: list) -> None:
    """INSERT the (new, unsaved) objects in one statement, as `bulk_create` would without
    reading their ids back: the history rows of a save, which nothing reads afterwards.
    Each field is prepared as Django prepares it (`pre_save` sets auto_now_add, then
    `get_db_prep_save`); skipping bulk_create's per-field expression machinery halves the
    time of a 30-row history insert."""
    model = type(objs[0])
    meta, qn = model._meta, connection.ops.quote_name
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    params = []
    for obj in objs:
        params += [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    columns = ", ".join(qn(f.column) for f in fields)
    values = ", ".join([row] * len(objs))
    with connection.cursor() as cursor:
        sql = f"INSERT INTO {qn(meta.db_table)} ({columns}) VALUES {values}"  # noqa: S608
        cursor.execute(sql, params)


def update_rows(model, objs: list, fields: list[str], common: dict) -> None:
    """Write `fields` of each object (they differ row by row) and the `common` values (the same
    for every row) in one statement.

    `QuerySet.bulk_update` builds a `CASE WHEN pk = … THEN …` expression per row and field in
    Python, most of a column save's time; PostgreSQL and SQLite ≥ 3.33 take the rows as one
    `UPDATE … FROM (VALUES …)` instead (the VALUES columns are named column1, column2, … on
    both). Any other database falls back to `bulk_update`."""
    if not objs:
        return
    if connection.vendor not in ("postgresql", "sqlite") or (
        connection.vendor == "sqlite" and connection.Database.sqlite_version_info < (3, 33)
    ):
        model.objects.bulk_update(objs, [*fields, *common])
        return
    meta, qn = model._meta, connection.ops.quote_name
    table = qn(meta.db_table)
    pk_field = meta.pk
    row_fields = [meta.get_field(f) for f in fields]
    common_fields = [meta.get_field(f) for f in common]
    assignments = [f"{qn(f.column)} = v.column{i}" for i, f in enumerate(row_fields, start=2)] + [
        f"{qn(f.column)} = %s" for f in common_fields
    ]
    params = []
    for f in common_fields:
        value = common[f.name]
        if f.is_relation:
            value = value.pk if value is not None else None
        params.append(f.get_db_prep_save(value, connection))
    placeholders = "(" + ", ".join(["%s"] * (len(row_fields) + 1)) + ")"
    for obj in objs:
        params.append(pk_field.get_db_prep_save(obj.pk, connection))
        params += [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in row_fields]
    values = ", ".join([placeholders] * len(objs))
    # Only quoted model identifiers and %s placeholders are formatted in: values go as params
    # (the same in insert_rows).
    where = f"{table}.{qn(pk_field.column)} = v.column1"
    sql = f"UPDATE {table} SET {', '.join(assignments)} FROM (VALUES {values}) AS v WHERE {where}"  # noqa: S608, E501
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
