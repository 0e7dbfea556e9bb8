"""SQLite's triggers that bump diary_journalversion (diary.models.JournalVersion).

PostgreSQL's are statement-level triggers created by migration diary/0005. SQLite has only row
triggers, and a trigger that names another table makes SQLite refuse the `ALTER TABLE … RENAME`
with which Django rebuilds a table in a migration. So on SQLite the triggers are not part of any
migration: they are dropped before every `migrate` (pre_migrate) and created again after it
(post_migrate, which also runs when a test database is created or flushed), in the database
that was migrated. Between two migrations every write to lessons, marks, attendance, homework,
homework files and remarks bumps the counter of the class, group or student it belongs to, in
the writing statement's transaction, whoever writes (ORM bulk updates and raw SQL included).
"""

from contextlib import contextmanager

from django.db import connections

# The scope (kind, ref_id) of a row: X stands for NEW or OLD.
_THROUGH_LESSON = (
    "SELECT CASE WHEN l.study_group_id IS NOT NULL THEN 'g' ELSE 'c' END AS kind, "
    "COALESCE(l.study_group_id, l.class_group_id) AS ref_id FROM journal_lesson l "
    "WHERE l.id = X.lesson_id"
)
SCOPES = {
    "journal_lesson": (
        "SELECT CASE WHEN X.study_group_id IS NOT NULL THEN 'g' ELSE 'c' END AS kind, "
        "COALESCE(X.study_group_id, X.class_group_id) AS ref_id"
    ),
    "journal_mark": _THROUGH_LESSON,
    "journal_attendance": _THROUGH_LESSON,
    "journal_homework": _THROUGH_LESSON,
    "journal_homeworkfile": (
        "SELECT CASE WHEN l.study_group_id IS NOT NULL THEN 'g' ELSE 'c' END AS kind, "
        "COALESCE(l.study_group_id, l.class_group_id) AS ref_id FROM journal_homework h "
        "JOIN journal_lesson l ON l.id = h.lesson_id WHERE h.id = X.homework_id"
    ),
    "journal_remark": (
        "SELECT CASE WHEN X.lesson_id IS NULL THEN 's' WHEN l.study_group_id IS NOT NULL THEN 'g' "
        "ELSE 'c' END AS kind, CASE WHEN X.lesson_id IS NULL THEN X.student_id "
        "ELSE COALESCE(l.study_group_id, l.class_group_id) END AS ref_id "
        "FROM (SELECT 1) LEFT JOIN journal_lesson l ON l.id = X.lesson_id"
    ),
}
# The columns that decide a row's scope: an UPDATE bumps the old scope too only when they change
# (the new scope is always bumped).
SCOPE_COLUMNS = {
    "journal_lesson": ("class_group_id", "study_group_id"),
    "journal_mark": ("lesson_id",),
    "journal_attendance": ("lesson_id",),
    "journal_homework": ("lesson_id",),
    "journal_homeworkfile": ("homework_id",),
    "journal_remark": ("lesson_id", "student_id"),
}
UPSERT = (
    "INSERT INTO diary_journalversion (kind, ref_id, version) "
    "SELECT DISTINCT s.kind, s.ref_id, 1 FROM ({scopes}) s WHERE s.ref_id IS NOT NULL "
    "ON CONFLICT (kind, ref_id) DO UPDATE SET version = diary_journalversion.version + 1"
)
EVENTS = {"INSERT": ["new"], "UPDATE": ["new", "old"], "DELETE": ["old"]}


def _names() -> list[str]:
    return [
        f"diary_version_{table}_{event.lower()}_{side}"
        for table in SCOPES
        for event, sides in EVENTS.items()
        for side in sides
    ]


def sqlite_create() -> list[str]:
    sql = []
    for table, template in SCOPES.items():
        for event, sides in EVENTS.items():
            for side in sides:
                name = f"diary_version_{table}_{event.lower()}_{side}"
                when = ""
                if event == "UPDATE" and side == "old":
                    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in SCOPE_COLUMNS[table])
                    when = f" WHEN {changed}"
                scopes = template.replace("X.", f"{side.upper()}.")
                sql.append(
                    f"CREATE TRIGGER IF NOT EXISTS {name} AFTER {event} ON {table} FOR EACH ROW"
                    f"{when} BEGIN {UPSERT.format(scopes=scopes)}; END"
                )
    return sql


def sqlite_drop() -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {name}" for name in _names()]


def drop_before_migrate(using="default", **kwargs) -> None:
    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for statement in sqlite_drop():
            cursor.execute(statement)


def create_after_migrate(using="default", **kwargs) -> None:
    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    tables = set(connection.introspection.table_names())
    if not ({*SCOPES, "diary_journalversion"} <= tables):
        return  # migrated back before the journal or the counters existed
    with connection.cursor() as cursor:
        for statement in sqlite_create():
            cursor.execute(statement)


@contextmanager
def suspended(using: str = "default"):
    """Around a migration run through `MigrationExecutor` directly (as the tests of data
    migrations do), which sends neither pre_migrate nor post_migrate."""
    drop_before_migrate(using=using)
    try:
        yield
    finally:
        create_after_migrate(using=using)
