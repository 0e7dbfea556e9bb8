"""Calendar-feed secrets are stored as their SHA-256 only. Existing feed addresses keep working:
the feed is looked up by the hash of the token presented."""

import hashlib

from django.db import migrations, models


def hash_existing_tokens(apps, schema_editor):
    CalendarFeed = apps.get_model("diary", "CalendarFeed")
    for feed in CalendarFeed.objects.all().only("pk", "token").iterator():
        CalendarFeed.objects.filter(pk=feed.pk).update(
            token_hash=hashlib.sha256(feed.token.encode()).hexdigest()
        )


class Migration(migrations.Migration):
    dependencies = [
        ("diary", "0002_roster_moved_to_school_app"),
    ]

    operations = [
        migrations.AddField(
            model_name="calendarfeed",
            name="token_hash",
            field=models.CharField(
                editable=False, max_length=64, null=True, verbose_name="secret's hash"
            ),
        ),
        migrations.RunPython(hash_existing_tokens, migrations.RunPython.noop, elidable=False),
        migrations.RemoveField(model_name="calendarfeed", name="token"),
        migrations.AlterField(
            model_name="calendarfeed",
            name="token_hash",
            field=models.CharField(
                editable=False, max_length=64, unique=True, verbose_name="secret's hash"
            ),
        ),
    ]
