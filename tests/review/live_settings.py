"""The settings of the live test sites (tests/review/live.py): the development settings as
`make run` serves them, with the in-process tests' password hasher. The sites' accounts sign in
with a real login form; with Django's PBKDF2 (a million rounds, half a second of CPU each) twenty
teachers signing in at once would cost ten seconds of the two cores the suite runs on."""

from config.settings.dev import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
