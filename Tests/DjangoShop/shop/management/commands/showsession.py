"""Prints a session as Django reads it: {"exists": bool, "data": {...}}."""
import json

from django.contrib.sessions.backends.cached_db import SessionStore
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    def add_arguments(self, parser):
        parser.add_argument("session_key")

    def handle(self, *args, **options):
        store = SessionStore(session_key=options["session_key"])
        data = store.load()
        print(json.dumps({"exists": store.exists(options["session_key"]), "data": data,
                          "expiry_age": store.get_expiry_age()}))
