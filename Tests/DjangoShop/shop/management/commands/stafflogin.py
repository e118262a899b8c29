"""Logs a user in as Django's login view would (a session with Django's auth keys); prints the session key."""
from django.conf import settings
from django.core.management.base import BaseCommand
from django.test import Client


class Command(BaseCommand):
    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("password")

    def handle(self, *args, **options):
        client = Client()
        if not client.login(username=options["username"], password=options["password"]):
            raise SystemExit("login refused")
        print(client.cookies[settings.SESSION_COOKIE_NAME].value)
