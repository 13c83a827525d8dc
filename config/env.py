"""The one place where settings are read from the environment.

Every deployment choice (database, media location, search engine, cache, secret) is an
environment variable; no code is edited to move between the embedded default and the
production shape (see docker-compose.yml and .env.example).
"""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name, "").strip()
    if not value:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
MEDIA_ROOT = env_str("MEDIA_ROOT", str(BASE_DIR / "media"))
STATIC_ROOT = env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles"))
SECRET_KEY = env_str("SECRET_KEY")
ELASTICSEARCH_URL = env_str("ELASTICSEARCH_URL")
REDIS_URL = env_str("REDIS_URL")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
EMAIL_URL_HOST = env_str("EMAIL_HOST")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "资源库 <noreply@zmd-edu.local>")
WAGTAILADMIN_BASE_URL = env_str("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
TASKS_BACKEND = env_str("TASKS_BACKEND", "immediate")  # immediate | database
# Media storage through Django's storage API: object storage replaces the local disk by setting
# MEDIA_STORAGE_BACKEND (e.g. storages.backends.s3.S3Storage) and its MEDIA_STORAGE_OPTIONS (JSON).
# The default writes each file under a temporary name and links it into place (ops/storage.py).
MEDIA_STORAGE_BACKEND = env_str("MEDIA_STORAGE_BACKEND", "ops.storage.AtomicFileSystemStorage")
MEDIA_STORAGE_OPTIONS = env_str("MEDIA_STORAGE_OPTIONS", "{}")
# Who sends the bytes of media files once Django has decided who may see them (and counted):
# false = Django streams them (the embedded default); true = nginx, through X-Accel-Redirect to its
# internal location (docker-compose and deploy/nginx/zmd.conf set it; needs that nginx in front).
MEDIA_ACCEL_REDIRECT = env_bool("MEDIA_ACCEL_REDIRECT", False)

# --- security (see docs/security.md) -------------------------------------------------------
# Login lockout (django-axes) for staff accounts only (reviewers, experts, resource admins,
# superusers): after LOGIN_FAILURE_LIMIT failures (a captcha is asked for before that) the account
# is locked for LOGIN_LOCKOUT_MINUTES. LOGIN_LOCKOUT_BY is "username" (default), "username+ip" or
# "ip". Teachers, pupils and parents are never locked out: they get the captcha (docs/accounts.md),
# so one pupil can never lock out a school behind one NAT address.
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 30)
LOGIN_LOCKOUT_BY = env_str("LOGIN_LOCKOUT_BY", "username")
# Client address behind reverse proxies: how many trusted proxies append to X-Forwarded-For
# (0 = use the socket address; 1 = one nginx in front of gunicorn, as in docs/operations.md).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
# Password rules: minimum length and how many of the four character classes (lower case,
# upper case, digits, symbols) a password must mix.
PASSWORD_MIN_LENGTH = env_int("PASSWORD_MIN_LENGTH", 10)
PASSWORD_MIN_CLASSES = env_int("PASSWORD_MIN_CLASSES", 3)
# A session ends after this many idle seconds (default 2 h) and when the browser closes.
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", 2 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", True)
# Audit log entries younger than this are never purged; the floor is 183 days (six months).
AUDIT_LOG_RETENTION_DAYS = env_int("AUDIT_LOG_RETENTION_DAYS", 365)
# HTTPS: the bureau terminates TLS at its reverse proxy; these default to the safe values.
# HTTPS_ONLY=false only for a trial on http://127.0.0.1:8000 without the proxy (check --deploy warns).
HTTPS_ONLY = env_bool("HTTPS_ONLY", True)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", HTTPS_ONLY)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
# Upload limits per kind of file, in MB (documents: PDF / Office / text; archives: zip).
UPLOAD_MAX_MB_VIDEO = env_int("UPLOAD_MAX_MB_VIDEO", 1024)
UPLOAD_MAX_MB_AUDIO = env_int("UPLOAD_MAX_MB_AUDIO", 200)
UPLOAD_MAX_MB_DOCUMENT = env_int("UPLOAD_MAX_MB_DOCUMENT", 100)
UPLOAD_MAX_MB_ARCHIVE = env_int("UPLOAD_MAX_MB_ARCHIVE", 500)
UPLOAD_MAX_MB_IMAGE = env_int("UPLOAD_MAX_MB_IMAGE", 20)
UPLOAD_MAX_IMAGE_PIXELS = env_int("UPLOAD_MAX_IMAGE_PIXELS", 64_000_000)
# One request may carry at most this much (a video, a supporting document and two images by default);
# a larger Content-Length is refused before the body is read. 0 = computed from the limits above.
UPLOAD_MAX_MB_REQUEST = env_int("UPLOAD_MAX_MB_REQUEST", 0)
# Where uploads stream to while they arrive (default: <system temp>/zmd-uploads). On the same file
# system as MEDIA_ROOT a received file is moved into storage without a copy.
UPLOAD_TEMP_DIR = env_str("UPLOAD_TEMP_DIR")
# Resumable uploads (tus, review/resumable.py): a main file of at least this many MB goes in chunks
# of UPLOAD_RESUMABLE_CHUNK_KB that survive a dropped connection or a closed tab; the unfinished
# parts live in UPLOAD_RESUMABLE_DIR (default: <upload temp dir>/resumable, never under MEDIA_ROOT)
# and expire UPLOAD_RESUMABLE_EXPIRE_HOURS after the last chunk arrived.
UPLOAD_RESUMABLE_THRESHOLD_MB = env_int("UPLOAD_RESUMABLE_THRESHOLD_MB", 20)
UPLOAD_RESUMABLE_CHUNK_KB = env_int("UPLOAD_RESUMABLE_CHUNK_KB", 8192)
UPLOAD_RESUMABLE_EXPIRE_HOURS = env_int("UPLOAD_RESUMABLE_EXPIRE_HOURS", 24)
UPLOAD_RESUMABLE_DIR = env_str("UPLOAD_RESUMABLE_DIR")
# How long ffprobe may take to measure one file before the check is left 待检测 for the worker.
UPLOAD_PROBE_TIMEOUT_SECONDS = env_int("UPLOAD_PROBE_TIMEOUT_SECONDS", 120)
# SQLite (the embedded default): how long a writer waits for the database lock, in seconds.
SQLITE_BUSY_TIMEOUT = env_int("SQLITE_BUSY_TIMEOUT", 20)

# --- access counting (see docs/indicators.md) ---------------------------------------------------
# No published figure is older than this many seconds: the roll-ups are refreshed every fifth of it.
INDICATORS_MAX_AGE_SECONDS = env_int("INDICATORS_MAX_AGE_SECONDS", 300)
# Overactive clients (excluded for the day): more than this many distinct resources in a minute or
# in a day, or more than this many counted actions in a day.
INDICATORS_OVERACTIVE_ITEMS_PER_MINUTE = env_int("INDICATORS_OVERACTIVE_ITEMS_PER_MINUTE", 10)
INDICATORS_OVERACTIVE_ITEMS_PER_DAY = env_int("INDICATORS_OVERACTIVE_ITEMS_PER_DAY", 100)
INDICATORS_OVERACTIVE_ACTIONS_PER_DAY = env_int("INDICATORS_OVERACTIVE_ACTIONS_PER_DAY", 300)

# --- sign-in (docs/accounts.md) --------------------------------------------------------------
# Federated sign-in (统一身份认证) through one OAuth 2.0 / OpenID Connect provider; off while
# FEDERATED_CLIENT_ID is empty. An OIDC provider needs FEDERATED_METADATA_URL (its
# /.well-known/openid-configuration); a plain OAuth 2.0 provider (the national platform) needs
# the authorize, token and userinfo URLs instead.
FEDERATED_PROVIDER = env_str("FEDERATED_PROVIDER", "zhjy")  # a short key stored with each identity
FEDERATED_LABEL = env_str("FEDERATED_LABEL", "智教通行证")  # the button: "使用智教通行证登录"
FEDERATED_CLIENT_ID = env_str("FEDERATED_CLIENT_ID")
FEDERATED_CLIENT_SECRET = env_str("FEDERATED_CLIENT_SECRET")
FEDERATED_METADATA_URL = env_str("FEDERATED_METADATA_URL")
FEDERATED_AUTHORIZE_URL = env_str("FEDERATED_AUTHORIZE_URL")
FEDERATED_TOKEN_URL = env_str("FEDERATED_TOKEN_URL")
FEDERATED_USERINFO_URL = env_str("FEDERATED_USERINFO_URL")
FEDERATED_SCOPES = env_str("FEDERATED_SCOPES", "openid profile")
FEDERATED_TOKEN_AUTH_METHOD = env_str("FEDERATED_TOKEN_AUTH_METHOD", "client_secret_basic")
FEDERATED_PKCE = env_bool("FEDERATED_PKCE", True)
FEDERATED_REDIRECT_URI = env_str("FEDERATED_REDIRECT_URI")  # default: this site's /accounts/federated/callback/
# Where the claims are in the userinfo (or ID token) document; dotted paths reach nested objects
# ("data.userType"); a claim holding a list (several organisations) is tried item by item.
FEDERATED_CLAIM_SUBJECT = env_str("FEDERATED_CLAIM_SUBJECT", "sub")
FEDERATED_CLAIM_NAME = env_str("FEDERATED_CLAIM_NAME", "name")
FEDERATED_CLAIM_ROLE = env_str("FEDERATED_CLAIM_ROLE", "user_type")
FEDERATED_CLAIM_AREA = env_str("FEDERATED_CLAIM_AREA", "area_code")
FEDERATED_CLAIM_ORG_ID = env_str("FEDERATED_CLAIM_ORG_ID", "org_id")
FEDERATED_CLAIM_ORG_NAME = env_str("FEDERATED_CLAIM_ORG_NAME", "org_name")
# Provider user types → our roles; only teacher, student and parent can be given this way.
FEDERATED_ROLE_MAP = env_str("FEDERATED_ROLE_MAP", "TEACHER:teacher,STUDENT:student,GUARDIAN:parent,PARENT:parent")
# Which federated teachers wait for their county's confirmation before they may submit:
# "all" (default) or "unmapped" (only those whose school came from the completion form).
FEDERATED_CONFIRM_TEACHERS = env_str("FEDERATED_CONFIRM_TEACHERS", "all")
# Two-factor sign-in (TOTP + recovery codes) for resource admins, reviewers, experts and superusers.
# Unset: required in production, optional elsewhere.
TWO_FACTOR_REQUIRED = env_bool("TWO_FACTOR_REQUIRED", None)
# Login abuse: a picture captcha (图形验证码) after this many failures for one user name, or this
# many from one address, within LOGIN_FAILURE_WINDOW_MINUTES.
LOGIN_CAPTCHA_AFTER = env_int("LOGIN_CAPTCHA_AFTER", 3)
LOGIN_CAPTCHA_ADDRESS_AFTER = env_int("LOGIN_CAPTCHA_ADDRESS_AFTER", 20)
LOGIN_FAILURE_WINDOW_MINUTES = env_int("LOGIN_FAILURE_WINDOW_MINUTES", 15)

# --- platform interconnection (docs/interop.md) ---------------------------------------------
# OAI-PMH: the namespace of record identifiers (oai:<this>:resource/<id>) and the contact address.
OAI_REPOSITORY_IDENTIFIER = env_str("OAI_REPOSITORY_IDENTIFIER", "zmd-edu.local")
OAI_ADMIN_EMAIL = env_str("OAI_ADMIN_EMAIL", "admin@zmd-edu.local")
# COUNTER_SUSHI: requests allowed per API key per minute and per day (Exception 1020 beyond).
SUSHI_RATE_LIMIT_PER_MINUTE = env_int("SUSHI_RATE_LIMIT_PER_MINUTE", 30)
SUSHI_RATE_LIMIT_PER_DAY = env_int("SUSHI_RATE_LIMIT_PER_DAY", 2000)
# Monthly push upward: HTTPS endpoint, HMAC secret, CA bundle to trust (empty = system CAs), and
# the first month to send (YYYY-MM; empty = the last completed month when first run).
INTEROP_PUSH_URL = env_str("INTEROP_PUSH_URL")
INTEROP_PUSH_SECRET = env_str("INTEROP_PUSH_SECRET")
INTEROP_PUSH_CA_BUNDLE = env_str("INTEROP_PUSH_CA_BUNDLE")
INTEROP_PUSH_FIRST_MONTH = env_str("INTEROP_PUSH_FIRST_MONTH")
INTEROP_PUSH_TIMEOUT = env_int("INTEROP_PUSH_TIMEOUT", 15)
