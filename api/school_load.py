"""Loading a school's archive (api.export) into this install: a new school (or a given empty
one), its work types, then every batch through the write API's own serializers and handlers
(api.views.ENTITIES), in the archive's order and in one transaction: one refused item refuses
the whole load, and the error names the batch file, the item and the field.

The writes are made by an exchange client of the school created for the load («Перенос
данных», source `transfer`, revoked at the end; its records stay): the journal's history says
who loaded the data, and the archive's history.json keeps who wrote it first. What the write
API does not take (history, access log, consents and their documents, contacts) is reported,
not restored."""

import io
import json
import zipfile
from dataclasses import dataclass, field

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from journal.models import WorkType
from school.models import School

from . import write
from .export import FORMAT, SCHOOL_FIELDS
from .models import WRITE
from .services import api_client_create, api_client_revoke

SOURCE = "transfer"


class LoadRefused(Exception):
    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class Loaded:
    school: School
    counts: dict = field(default_factory=dict)  # entity → {created, updated, unchanged}
    not_restored: dict = field(default_factory=dict)  # file → rows


def _entities():
    from .views import ENTITIES

    out = {}
    for entity, (item, handler, delete_item, delete_handler) in ENTITIES.items():
        out[entity] = (item, handler)
        if delete_handler is not None:
            out[f"{entity}/delete"] = (delete_item, delete_handler)
    return out


def _read(archive: zipfile.ZipFile, name: str):
    try:
        return json.loads(archive.read(name).decode())
    except KeyError as exc:
        raise LoadRefused([_("The archive has no %(name)s.") % {"name": name}]) from exc
    except ValueError as exc:
        raise LoadRefused([_("%(name)s is not JSON.") % {"name": name}]) from exc


def _errors(name: str, index: int, item_id, exc) -> list[str]:
    from .views import _item_errors

    return [_where(name, e) for e in _item_errors(index, item_id, exc)]


def _where(name: str, e: dict) -> str:
    if e.get("field") in (None, "", "__all__"):
        return _("%(file)s, item %(index)s (%(id)s): %(message)s") % {"file": name, **e}
    return _("%(file)s, item %(index)s (%(id)s), field %(field)s: %(message)s") % {
        "file": name,
        **e,
    }


def _batch(ctx, entity_handlers, name: str, entity: str, data: dict, counts: dict) -> list[str]:
    from .serializers import batch_of
    from .views import _shape_errors

    item_class, handler = entity_handlers[entity]
    envelope = batch_of(item_class)(data=data)
    if not envelope.is_valid():
        shape = _shape_errors(data.get("items"), envelope.errors.get("items", envelope.errors))
        return [_where(name, e) for e in shape]
    errors = []
    tally = counts.setdefault(
        entity, dict.fromkeys((write.CREATED, write.UPDATED, write.UNCHANGED), 0)
    )
    for index, item in enumerate(envelope.validated_data["items"]):
        try:
            with transaction.atomic():
                _obj, action = handler(ctx, item)
        except (ValidationError, PermissionDenied, ObjectDoesNotExist) as exc:
            errors += _errors(name, index, item["id"], exc)
            continue
        tally[action] += 1
    return errors


def _work_types(school, rows) -> None:
    for row in rows:
        WorkType.objects.get_or_create(
            school=school,
            name=row["name"],
            defaults={"weight": row["weight"], "is_control": row["is_control"]},
        )


def load_school(*, data: bytes, school: School | None = None, loaded_by=None) -> Loaded:
    """Load the archive into `school` (by default a new school with the archive's details)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise LoadRefused([_("Not a zip archive.")]) from exc
    with archive, transaction.atomic():
        manifest = _read(archive, "manifest.json")
        if manifest.get("format") != FORMAT:
            raise LoadRefused([_("Not a school export of this product.")])
        if school is None:
            school = School.objects.create(
                **{k: v for k, v in manifest["school"].items() if k in SCHOOL_FIELDS}
            )
        client, _id, _secret = api_client_create(
            school=school,
            name="Перенос данных",
            source=SOURCE,
            scopes=[WRITE],
            created_by=loaded_by,
        )
        ctx = write.Context(school=school, source=SOURCE, user=client.account)
        _work_types(school, _read(archive, "work_types.json"))
        loaded = Loaded(school=school)
        handlers = _entities()
        errors = []
        for batch in manifest["batches"]:
            errors += _batch(
                ctx,
                handlers,
                batch["file"],
                batch["entity"],
                _read(archive, batch["file"]),
                loaded.counts,
            )
        if errors:
            transaction.set_rollback(True)
            raise LoadRefused(errors)
        api_client_revoke(client=client)
        loaded.not_restored = {
            name: rows for name, rows in manifest["files"].items() if name != "work_types.json"
        }
    return loaded
