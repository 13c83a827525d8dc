import tempfile

from config import env

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-key"
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
MEDIA_ROOT = tempfile.mkdtemp(prefix="zmd-test-media-")
SENDFILE_ROOT = MEDIA_ROOT
# Each test process (pytest-xdist runs several) streams uploads into a folder of its own.
UPLOAD_TEMP_DIR = env.UPLOAD_TEMP_DIR or tempfile.mkdtemp(prefix="zmd-test-uploads-")
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "ops.storage.AtomicFileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
ELASTICSEARCH_URL = env.ELASTICSEARCH_URL
# A high lockout limit keeps tests that try wrong passwords independent of each other; the lockout
# test sets its own limit (tests/hardening/test_login_security.py).
AXES_FAILURE_LIMIT = 1000

# Access events are written inside the request so that tests can assert on them at once, and the
# scheduled refresh is driven by the tests that test it.
INDICATORS_RECORDING = "immediate"
INDICATORS_SCHEDULER = "off"
