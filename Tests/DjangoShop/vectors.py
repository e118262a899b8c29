"""Signed values made and read by Django itself, for the Swift shop's tests.

Reads a JSON list of requests on stdin, writes a JSON list of answers on
stdout, one per request. Each request names an operation ("op") and its
arguments; "secret" is the SECRET_KEY to use (a fresh settings per request is
not possible, so every request of one run shares the first one's)."""
import json
import sys

import django
from django.conf import settings

requests = json.load(sys.stdin)
settings.configure(
    SECRET_KEY=requests[0]["secret"] if requests else "unused",
    INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "django.contrib.sessions", "django.contrib.messages"],
    DATABASES={},
    USE_TZ=True,
)
django.setup()

from django.contrib.auth.hashers import PBKDF2PasswordHasher, check_password  # noqa: E402
from django.contrib.messages.storage.base import Message  # noqa: E402
from django.contrib.messages.storage.session import SessionStorage  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.core import signing  # noqa: E402
from django.middleware.csrf import _does_token_match, _mask_cipher_secret  # noqa: E402
from django.utils.crypto import salted_hmac  # noqa: E402

SIGNED_COOKIES_SALT = "django.contrib.sessions.backends.signed_cookies"


def answer(request):
    op = request["op"]
    if op == "session_encode":
        return SessionStore().encode(request["data"])
    if op == "session_decode":
        return SessionStore().decode(request["text"])
    if op == "signed_cookie_dumps":
        return signing.dumps(request["data"], salt=SIGNED_COOKIES_SALT, compress=True)
    if op == "signed_cookie_loads":
        try:
            return signing.loads(request["value"], salt=SIGNED_COOKIES_SALT)
        except signing.BadSignature:
            return None
    if op == "make_password":
        return PBKDF2PasswordHasher().encode(request["password"], request["salt"], request.get("iterations"))
    if op == "check_password":
        return check_password(request["password"], request["encoded"])
    if op == "auth_hash":
        key_salt = "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash"
        return salted_hmac(key_salt, request["password_hash"], algorithm="sha256").hexdigest()
    if op == "messages_encode":
        storage = SessionStorage.__new__(SessionStorage)
        return storage.serialize_messages([Message(level, text, extra_tags="") for level, text in request["messages"]])
    if op == "messages_decode":
        storage = SessionStorage.__new__(SessionStorage)
        return [[m.level, m.message] for m in storage.deserialize_messages(request["text"])]
    if op == "csrf_mask":
        return _mask_cipher_secret(request["secret_token"])
    if op == "csrf_match":
        return _does_token_match(request["token"], request["secret_token"])
    raise ValueError(f"unknown op {op}")


json.dump([answer(request) for request in requests], sys.stdout)
