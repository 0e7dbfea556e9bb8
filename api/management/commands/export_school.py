"""Write a school's whole archive (api.export) to a zip file."""

from django.core.management.base import BaseCommand, CommandError

from api.export import export_school
from school.models import School


class Command(BaseCommand):
    help = "Export a whole school (structure, journal, finals, consents, logs) as one zip."

    def add_arguments(self, parser):
        parser.add_argument("school_id", type=int)
        parser.add_argument("output", help="The zip file to write.")

    def handle(self, school_id, output, **options):
        school = School.objects.filter(pk=school_id).first()
        if school is None:
            raise CommandError(f"No school {school_id}.")
        content = export_school(school=school)
        with open(output, "wb") as out:
            out.write(content)
        self.stdout.write(f"{output}: {len(content)} bytes")
