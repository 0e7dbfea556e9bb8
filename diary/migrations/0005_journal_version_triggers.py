"""Triggers that bump diary_journalversion whenever the journal data a week page shows is
written: lessons, marks, attendance, homework, homework files, remarks (diary.models.
JournalVersion). PostgreSQL: one statement-level trigger per table and event, with transition
tables, so a column save of 30 marks bumps its class's counter once. SQLite's row triggers
are not made here: they would break every later migration that rebuilds a journal table, so
diary/triggers.py creates them after every migrate and drops them before it."""

from django.db import migrations

# How a row of each table reaches the scope it belongs to: SQL giving (kind, ref_id) from the
# row alias `r`, joined where needed.
SCOPES = {
    "journal_lesson": (
        "SELECT CASE WHEN r.study_group_id IS NOT NULL THEN 'g' ELSE 'c' END AS kind, "
        "COALESCE(r.study_group_id, r.class_group_id) AS ref_id FROM {rows} r"
    ),
    "journal_mark": None,  # through its lesson (below)
    "journal_attendance": None,
    "journal_homework": None,
    "journal_homeworkfile": (
        "SELECT CASE WHEN l.study_group_id IS NOT NULL THEN 'g' ELSE 'c' END AS kind, "
        "COALESCE(l.study_group_id, l.class_group_id) AS ref_id FROM {rows} r "
        "JOIN journal_homework h ON h.id = r.homework_id JOIN journal_lesson l ON l.id = h.lesson_id"
    ),
    "journal_remark": (
        "SELECT CASE WHEN r.lesson_id IS NULL THEN 's' WHEN l.study_group_id IS NOT NULL THEN 'g' "
        "ELSE 'c' END AS kind, CASE WHEN r.lesson_id IS NULL THEN r.student_id "
        "ELSE COALESCE(l.study_group_id, l.class_group_id) END AS ref_id FROM {rows} r "
        "LEFT JOIN journal_lesson l ON l.id = r.lesson_id"
    ),
}
THROUGH_LESSON = (
    "SELECT CASE WHEN l.study_group_id IS NOT NULL THEN 'g' ELSE 'c' END AS kind, "
    "COALESCE(l.study_group_id, l.class_group_id) AS ref_id FROM {rows} r "
    "JOIN journal_lesson l ON l.id = r.lesson_id"
)
UPSERT = (
    "INSERT INTO diary_journalversion (kind, ref_id, version) "
    "SELECT DISTINCT s.kind, s.ref_id, 1 FROM ({scopes}) s WHERE s.ref_id IS NOT NULL "
    "ON CONFLICT (kind, ref_id) DO UPDATE SET version = diary_journalversion.version + 1"
)
EVENTS = {"INSERT": ["new"], "UPDATE": ["old", "new"], "DELETE": ["old"]}


def _scope_sql(table: str, rows: str) -> str:
    return (SCOPES[table] or THROUGH_LESSON).format(rows=rows)


def _postgresql(forward: bool) -> list[str]:
    sql = []
    for table in SCOPES:
        for event, sides in EVENTS.items():
            name = f"diary_version_{table}_{event.lower()}"
            if not forward:
                sql += [f"DROP TRIGGER IF EXISTS {name} ON {table}", f"DROP FUNCTION IF EXISTS {name}()"]
                continue
            scopes = " UNION ALL ".join(_scope_sql(table, f"{side}_rows") for side in sides)
            referencing = " ".join(f"{side.upper()} TABLE AS {side}_rows" for side in sides)
            sql.append(
                f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"{UPSERT.format(scopes=scopes)}; RETURN NULL; END $$"
            )
            sql.append(
                f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {referencing} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
            )
    return sql



def apply(apps, schema_editor, forward=True):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        statements = _postgresql(forward)
    else:
        # SQLite: diary/triggers.py (around every migrate); elsewhere the week is not cached.
        return
    for statement in statements:
        schema_editor.execute(statement)


def revert(apps, schema_editor):
    apply(apps, schema_editor, forward=False)


class Migration(migrations.Migration):
    dependencies = [
        ("diary", "0004_journal_versions"),
        ("journal", "0004_roster_moved_to_school_app"),
    ]

    operations = [migrations.RunPython(apply, revert)]
