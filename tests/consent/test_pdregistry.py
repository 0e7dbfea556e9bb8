"""Every model holding personal data is covered by the export and the destruction rules.

This test walks every installed model: one with a foreign key to a Student, a Guardian or a
User must be registered in consent/pdregistry.py (how to find its rows, what happens after
withdrawal) or exempted there with a reason. A new model that is neither fails here, by name."""

import pytest
from django.apps import apps
from django.db import models

from accounts.models import User
from consent import pdregistry
from school.models import Guardian, Student

PERSONAL = (Student, Guardian, User)


def personal_references(model) -> list[str]:
    return [
        field.name
        for field in model._meta.concrete_fields
        if field.is_relation and field.related_model in PERSONAL
    ]


def test_every_model_referencing_a_person_is_registered_or_exempt():
    missing = [
        f"{model._meta.label} (fields: {', '.join(refs)})"
        for model in apps.get_models()
        if (refs := personal_references(model))
        and not pdregistry.entry_for(model._meta.label)
        and not pdregistry.exemption_for(model._meta.label)
    ]
    assert not missing, (
        "These models hold references to students, parents or users but are not in the "
        "personal-data registry: register each in consent/pdregistry.py (_BUILTIN, with the "
        "path to the student/guardian and its Retention) or exempt it with a reason: "
        + "; ".join(missing)
    )


def test_the_walk_catches_a_new_unregistered_model():
    class Acknowledgement(models.Model):
        guardian = models.ForeignKey(Guardian, on_delete=models.CASCADE)

        class Meta:
            app_label = "consent"

        def __str__(self):
            return str(self.pk)

    try:
        assert personal_references(Acknowledgement) == ["guardian"]
        assert pdregistry.entry_for("consent.Acknowledgement") is None
    finally:
        del apps.all_models["consent"]["acknowledgement"]
        apps.clear_cache()


@pytest.mark.parametrize("entry", pdregistry.entries(), ids=lambda e: e.label)
def test_each_entry_resolves_to_a_model_and_its_paths(entry, db):
    # The lookups are valid: building the query raises nothing.
    str(entry.rows(guardian_id=1, student_id=1).query)
    assert entry.export_fields()


def test_consent_based_data_is_found_by_guardian():
    labels = {entry.label for entry in pdregistry.consent_based_entries()}
    assert labels == {
        "consent.ContactPoint",
        "notifications.OutboxMessage",
        "notifications.Preference",
        "notifications.FlaggedContact",
        "notifications.PaperNotice",
        "diary.CalendarFeed",
        "diary.HomeVisit",
    }


def test_registering_consent_based_data_without_a_guardian_path_is_refused():
    with pytest.raises(ValueError, match="by guardian"):
        pdregistry.register(
            "journal.Mark", student="student", retention=pdregistry.Retention.CONSENT_BASED
        )
