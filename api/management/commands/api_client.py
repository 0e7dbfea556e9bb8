"""`manage.py api_client SCHOOL_ID NAME SOURCE [--scope ...]`: a new exchange API client; prints
its client id and secret once."""

from django.core.management.base import BaseCommand, CommandError

from api.models import SCOPES
from api.services import api_client_create
from school.models import School


class Command(BaseCommand):
    help = "Create an exchange API client for a school and print its credentials once."

    def add_arguments(self, parser):
        parser.add_argument("school_id", type=int)
        parser.add_argument("name")
        parser.add_argument("source", help="The sending system's name (its id space).")
        parser.add_argument("--scope", action="append", choices=sorted(SCOPES), dest="scopes")

    def handle(self, *args, **options):
        school = School.objects.filter(pk=options["school_id"]).first()
        if school is None:
            raise CommandError("No such school.")
        client, client_id, secret = api_client_create(
            school=school,
            name=options["name"],
            source=options["source"],
            scopes=options["scopes"] or sorted(SCOPES),
        )
        self.stdout.write(f"client_id={client_id}\nclient_secret={secret}\nsource={client.source}")
