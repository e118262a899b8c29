"""Ends a session as Django's logout() does (flush: the row is deleted)."""
from django.contrib.sessions.backends.cached_db import SessionStore
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    def add_arguments(self, parser):
        parser.add_argument("session_key")

    def handle(self, *args, **options):
        SessionStore(session_key=options["session_key"]).flush()
