"""Reading a OneRoster 1.2 CSV bundle: the zip, its manifest and its files as rows with their
line numbers. Anything malformed is a BundleError naming the file, the line and the field."""

import csv
import io
import zipfile
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .columns import COLUMNS

# What the import reads; the gradebook files are exported, not imported.
ROSTER_FILES = ("orgs", "academicSessions", "courses", "classes", "users", "roles", "enrollments")
REQUIRED = {
    "orgs": ["sourcedId", "name", "type"],
    "academicSessions": ["sourcedId", "title", "type", "startDate", "endDate"],
    "courses": ["sourcedId", "title"],
    "classes": ["sourcedId", "classCode", "courseSourcedId", "termSourcedIds"],
    "users": ["sourcedId", "givenName", "familyName"],
    "roles": ["userSourcedId", "role"],
    "enrollments": ["classSourcedId", "userSourcedId", "role"],
}
MAX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class BundleError:
    file: str
    line: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where = _("%(file)s, line %(line)s") % {"file": where, "line": self.line}
        if self.field:
            where = _("%(where)s, field %(field)s") % {"where": where, "field": self.field}
        return f"{where}: {self.message}"


class BundleRefused(Exception):
    """The bundle was refused; nothing was saved. `errors` says where and why."""

    def __init__(self, errors: list[BundleError]):
        super().__init__("; ".join(map(str, errors)))
        self.errors = errors


@dataclass
class Row:
    file: str
    line: int
    values: dict

    def get(self, name: str) -> str:
        return (self.values.get(name) or "").strip()


def _decode(raw: bytes, name: str) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BundleRefused([BundleError(name, None, None, _("Not UTF-8 text."))]) from exc


def _manifest(archive: zipfile.ZipFile) -> dict[str, str]:
    if "manifest.csv" not in archive.namelist():
        raise BundleRefused(
            [BundleError("manifest.csv", None, None, _("The bundle has no manifest.csv."))]
        )
    text = _decode(archive.read("manifest.csv"), "manifest.csv")
    props = {}
    for row in csv.DictReader(io.StringIO(text)):
        props[(row.get("propertyName") or "").strip()] = (row.get("value") or "").strip()
    version = props.get("oneroster.version", "")
    if not version.startswith("1."):
        raise BundleRefused(
            [
                BundleError(
                    "manifest.csv",
                    None,
                    "oneroster.version",
                    _("Expected OneRoster version 1.2, got «%(v)s».") % {"v": version},
                )
            ]
        )
    return props


def _table(archive: zipfile.ZipFile, name: str, errors: list[BundleError]) -> list[Row]:
    filename = f"{name}.csv"
    if filename not in archive.namelist():
        errors.append(
            BundleError(filename, None, None, _("The manifest lists the file, the zip lacks it."))
        )
        return []
    reader = csv.DictReader(io.StringIO(_decode(archive.read(filename), filename)))
    headers = reader.fieldnames or []
    missing = [c for c in REQUIRED[name] if c not in headers]
    if missing:
        errors += [BundleError(filename, 1, c, _("The column is missing.")) for c in missing]
        return []
    rows = []
    for values in reader:
        row = Row(filename, reader.line_num, values)
        rows.append(row)
        for column in REQUIRED[name]:
            if not row.get(column) and column in COLUMNS.get(name, REQUIRED[name]):
                errors.append(BundleError(filename, row.line, column, _("The value is required.")))
    return rows


def read_bundle(data: bytes) -> tuple[dict[str, str], dict[str, list[Row]]]:
    """(the manifest's properties, the rows of each roster file it lists as bulk or delta)."""
    if len(data) > MAX_BYTES:
        raise BundleRefused([BundleError("zip", None, None, _("The file is too large."))])
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise BundleRefused([BundleError("zip", None, None, _("Not a zip archive."))]) from exc
    with archive:
        manifest = _manifest(archive)
        errors: list[BundleError] = []
        tables = {}
        for name in ROSTER_FILES:
            mode = manifest.get(f"file.{name}", "absent")
            if mode not in ("bulk", "delta", "absent"):
                errors.append(
                    BundleError(
                        "manifest.csv",
                        None,
                        f"file.{name}",
                        _("Expected bulk, delta or absent, got «%(v)s».") % {"v": mode},
                    )
                )
            tables[name] = _table(archive, name, errors) if mode in ("bulk", "delta") else []
    if errors:
        raise BundleRefused(errors)
    return manifest, tables
