"""Load a school's archive (made by export_school) into this install: a new school, or an
empty one given by --into. All or nothing; prints what was loaded and what was not."""

from django.core.management.base import BaseCommand, CommandError

from api.school_load import LoadRefused, load_school
from school.models import School


class Command(BaseCommand):
    help = "Load a school archive made by export_school (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("archive", help="The zip file export_school wrote.")
        parser.add_argument("--into", type=int, help="An existing (empty) school's id.")

    def handle(self, archive, into=None, **options):
        school = None
        if into is not None:
            school = School.objects.filter(pk=into).first()
            if school is None:
                raise CommandError(f"No school {into}.")
        with open(archive, "rb") as handle:
            data = handle.read()
        try:
            loaded = load_school(data=data, school=school)
        except LoadRefused as refused:
            raise CommandError("Nothing was loaded:\n" + "\n".join(refused.errors)) from refused
        self.stdout.write(f"School {loaded.school.pk}: {loaded.school.name}")
        for entity, counts in loaded.counts.items():
            self.stdout.write(f"  {entity}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
        for name, rows in loaded.not_restored.items():
            self.stdout.write(f"  not restored (kept in the archive): {name}, {rows} rows")
