"""Requests the Django shop's pages with Django's test client; prints statuses and bodies as JSON.
With --session, the client sends that session cookie (a shopper's cart, a staff login)."""
import json

from django.conf import settings
from django.core.management.base import BaseCommand
from django.test import Client


class Command(BaseCommand):
    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+")
        parser.add_argument("--session")

    def handle(self, *args, **options):
        client = Client()
        if options["session"]:
            client.cookies[settings.SESSION_COOKIE_NAME] = options["session"]
        pages = {}
        for path in options["paths"]:
            response = client.get(path)
            pages[path] = {"status": response.status_code, "body": response.content.decode()}
        print(json.dumps(pages))
