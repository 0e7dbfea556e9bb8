"""Write a school's OneRoster 1.2 CSV bundle (bulk, or delta with --since) to a zip file."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_datetime

from api.bundle.export import bundle_export
from school.models import School


class Command(BaseCommand):
    help = "Write a school's OneRoster 1.2 CSV bundle (a zip) to a file."

    def add_arguments(self, parser):
        parser.add_argument("school_id", type=int)
        parser.add_argument("output", help="The zip file to write.")
        parser.add_argument(
            "--since", help="A delta: rows changed after this ISO 8601 date and time."
        )

    def handle(self, school_id, output, since=None, **options):
        school = School.objects.filter(pk=school_id).first()
        if school is None:
            raise CommandError(f"No school {school_id}.")
        when = parse_datetime(since) if since else None
        if since and (when is None or when.tzinfo is None):
            raise CommandError("--since takes an ISO 8601 date and time with its zone.")
        content = bundle_export(school=school, since=when)
        with open(output, "wb") as out:
            out.write(content)
        self.stdout.write(f"{output}: {len(content)} bytes ({'delta' if when else 'bulk'})")
