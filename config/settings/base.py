"""Settings shared by every environment. Values that differ per deployment come from config.env."""

import json

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE

from config import env

BASE_DIR = env.BASE_DIR

INSTALLED_APPS = [
    "catalogue",
    "accounts",
    "review",
    "search",
    "indicators",
    "interop",
    "ops",
    "certificates",
    "wagtail.api.v2",
    "wagtail.contrib.settings",
    "wagtail.contrib.redirects",
    "wagtail.embeds",
    "wagtail.sites",
    "ops.users_app.AuditedWagtailUsersConfig",  # wagtail.users with audited group permission edits
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "rest_framework",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "captcha",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "ops.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "catalogue.middleware.CachedSiteMiddleware",  # after CommonMiddleware has validated the host
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "ops.middleware.SessionIdleTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.TwoFactorMiddleware",
    "catalogue.middleware.AdminAccessRedirectMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a lockout into the 429 page
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "catalogue.context_processors.site_navigation",
                "catalogue.context_processors.abilities",
                "review.context_processors.notifications",
            ],
        },
    },
]

# Persistent connections (one per gunicorn thread, kept 10 minutes) with a health check at the start of
# each request, so a restarted database costs no failed request (tests/hardening/test_production.py).
DATABASES = {"default": dj_database_url.parse(env.DATABASE_URL, conn_max_age=600, conn_health_checks=True)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default takes concurrent writers: readers never block in WAL mode, every write
    # transaction takes the lock at BEGIN (no deadlocking upgrade from a read lock), and a writer
    # waits up to SQLITE_BUSY_TIMEOUT seconds for the lock instead of failing at once.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": env.SQLITE_BUSY_TIMEOUT,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "ops.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": env.PASSWORD_MIN_LENGTH},
    },
    {"NAME": "ops.passwords.CharacterClassesValidator", "OPTIONS": {"min_classes": env.PASSWORD_MIN_CLASSES}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- login, sessions, lockout (docs/security.md) ---------------------------------------------
AUTHENTICATION_BACKENDS = ["ops.auth.LockoutBackend", "django.contrib.auth.backends.ModelBackend"]
SESSION_COOKIE_AGE = env.SESSION_IDLE_TIMEOUT  # idle timeout: ops.middleware.SessionIdleTimeoutMiddleware
SESSION_EXPIRE_AT_BROWSER_CLOSE = env.SESSION_EXPIRE_AT_BROWSER_CLOSE
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
AXES_ENABLED = True
AXES_FAILURE_LIMIT = env.LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = env.LOGIN_LOCKOUT_MINUTES / 60  # hours
AXES_LOCKOUT_PARAMETERS = {
    "username+ip": [["username", "ip_address"]],
    "username": ["username"],
    "ip": ["ip_address"],
}.get(env.LOGIN_LOCKOUT_BY, ["username"])
# Only staff accounts are counted and locked; everyone else gets the captcha instead (ops/auth.py).
AXES_WHITELIST_CALLABLE = "ops.auth.lockout_exempt"
# axes.W006 asks for the address in the lockout key; we lock staff accounts by user name on
# purpose (a stolen staff password tried from many addresses), and the captcha covers addresses.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "ops.auth.lockout_response"
AXES_CLIENT_IP_CALLABLE = "ops.net.client_ip"
AXES_DISABLE_ACCESS_LOG = True  # successful logins are in Wagtail's audit log (ops.login)
AXES_VERBOSE = False
TRUSTED_PROXY_COUNT = env.TRUSTED_PROXY_COUNT
AUDIT_LOG_RETENTION_DAYS = max(env.AUDIT_LOG_RETENTION_DAYS, 183)

# A form posted without a valid CSRF token gets the site's Chinese page (catalogue/errors.py).
CSRF_FAILURE_VIEW = "catalogue.errors.csrf_failure"

# Wagtail's preview panel frames our own pages; nobody else may (CSP frame-ancestors too).
X_FRAME_OPTIONS = "SAMEORIGIN"
SECURE_REFERRER_POLICY = "same-origin"

# --- Content-Security-Policy (django-csp) -------------------------------------------------------
# The public site: no inline script or style, nothing from another origin (no CDN, intranet).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "media-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [SELF],
    }
}
# Wagtail's admin (signed-in staff only) still renders inline init scripts and style attributes.
CONTENT_SECURITY_POLICY_ADMIN = {
    "PATH_PREFIX": "/admin/",
    "DIRECTIVES": {
        **CONTENT_SECURITY_POLICY["DIRECTIVES"],
        "script-src": [SELF, UNSAFE_INLINE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:"],
        "worker-src": [SELF, "blob:"],
    },
}

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
WAGTAILADMIN_PERMITTED_LANGUAGES = [("zh-hans", "简体中文")]
# Gives the admin login password field a translatable label (see config/admin_forms.py).
WAGTAILADMIN_USER_LOGIN_FORM = "config.admin_forms.LoginForm"
TIME_ZONE = "Asia/Shanghai"
# One city, one time zone: the admin's account page offers no list of 400 English zone names.
WAGTAIL_USER_TIME_ZONES = [TIME_ZONE]
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_URL = "/static/"
STATIC_ROOT = env.STATIC_ROOT
MEDIA_URL = "/media/"
MEDIA_ROOT = env.MEDIA_ROOT
STORAGES = {
    "default": {"BACKEND": env.MEDIA_STORAGE_BACKEND, "OPTIONS": json.loads(env.MEDIA_STORAGE_OPTIONS or "{}")},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Media bytes: Django decides who may see a file (and counts it); catalogue.http sends it, or with
# MEDIA_ACCEL_REDIRECT hands it to nginx's internal location (django-sendfile2's nginx backend).
MEDIA_ACCEL_REDIRECT = env.MEDIA_ACCEL_REDIRECT
if MEDIA_ACCEL_REDIRECT:  # only then: Wagtail's document view also reads SENDFILE_BACKEND
    SENDFILE_BACKEND = "django_sendfile.backends.nginx"
SENDFILE_ROOT = MEDIA_ROOT
SENDFILE_URL = "/internal-media"  # the `internal` location of deploy/nginx/zmd.conf
# Large teaching videos (500 MB - 1 GB) stream to temporary files, never into memory (the teacher's
# form: ops.upload_handler; DATA_UPLOAD_MAX_MEMORY_SIZE limits only the text fields).
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
UPLOAD_TEMP_DIR = env.UPLOAD_TEMP_DIR  # ops.upload_handler (created when missing)
UPLOAD_PROBE_TIMEOUT_SECONDS = env.UPLOAD_PROBE_TIMEOUT_SECONDS
# Resumable (tus) uploads of large main files: review/resumable.py, docs/review.md.
UPLOAD_RESUMABLE_THRESHOLD_BYTES = env.UPLOAD_RESUMABLE_THRESHOLD_MB * 1024 * 1024
UPLOAD_RESUMABLE_CHUNK_BYTES = env.UPLOAD_RESUMABLE_CHUNK_KB * 1024
UPLOAD_RESUMABLE_EXPIRE_SECONDS = env.UPLOAD_RESUMABLE_EXPIRE_HOURS * 3600
UPLOAD_RESUMABLE_DIR = env.UPLOAD_RESUMABLE_DIR  # created when missing
UPLOAD_RESUMABLE_MAX_OPEN = 3  # uploads not yet saved into a draft, per teacher; a new one replaces the oldest
# Upload hardening (ops/uploads.py): type by content, per-kind size limits, no SVG, safe names.
WAGTAILIMAGES_MAX_UPLOAD_SIZE = env.UPLOAD_MAX_MB_IMAGE * 1024 * 1024
WAGTAILIMAGES_MAX_IMAGE_PIXELS = env.UPLOAD_MAX_IMAGE_PIXELS  # also Pillow's MAX_IMAGE_PIXELS (ops.apps)
WAGTAILIMAGES_EXTENSIONS = ["jpg", "jpeg", "png", "gif", "webp"]  # never svg
WAGTAILIMAGES_IMAGE_FORM_BASE = "ops.forms.SafeImageForm"
WAGTAILDOCS_DOCUMENT_FORM_BASE = "ops.forms.SafeDocumentForm"
UPLOAD_MAX_BYTES = {
    "video": env.UPLOAD_MAX_MB_VIDEO * 1024 * 1024,
    "audio": env.UPLOAD_MAX_MB_AUDIO * 1024 * 1024,
    "document": env.UPLOAD_MAX_MB_DOCUMENT * 1024 * 1024,
    "archive": env.UPLOAD_MAX_MB_ARCHIVE * 1024 * 1024,
    "text": 5 * 1024 * 1024,
}
WAGTAILDOCS_MAX_UPLOAD_SIZE = max(UPLOAD_MAX_BYTES.values())
UPLOAD_MAX_REQUEST_BYTES = (
    env.UPLOAD_MAX_MB_REQUEST * 1024 * 1024
    or max(UPLOAD_MAX_BYTES["video"], UPLOAD_MAX_BYTES["audio"], UPLOAD_MAX_BYTES["document"])
    + UPLOAD_MAX_BYTES["document"]
    + 2 * WAGTAILIMAGES_MAX_UPLOAD_SIZE
    + 1024 * 1024
)

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "/"  # after login each role goes to its own page (catalogue.permissions.landing_url)
LOGOUT_REDIRECT_URL = "/"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # a reset link works for one day

# --- federated sign-in, two-factor, captcha (docs/accounts.md) --------------------------------
FEDERATED_LOGIN = {
    "provider": env.FEDERATED_PROVIDER,
    "label": env.FEDERATED_LABEL,
    "client_id": env.FEDERATED_CLIENT_ID,
    "client_secret": env.FEDERATED_CLIENT_SECRET,
    "metadata_url": env.FEDERATED_METADATA_URL,
    "authorize_url": env.FEDERATED_AUTHORIZE_URL,
    "token_url": env.FEDERATED_TOKEN_URL,
    "userinfo_url": env.FEDERATED_USERINFO_URL,
    "scopes": env.FEDERATED_SCOPES,
    "token_auth_method": env.FEDERATED_TOKEN_AUTH_METHOD,
    "pkce": env.FEDERATED_PKCE,
    "redirect_uri": env.FEDERATED_REDIRECT_URI,
    "claims": {
        "subject": env.FEDERATED_CLAIM_SUBJECT,
        "name": env.FEDERATED_CLAIM_NAME,
        "role": env.FEDERATED_CLAIM_ROLE,
        "area": env.FEDERATED_CLAIM_AREA,
        "org_id": env.FEDERATED_CLAIM_ORG_ID,
        "org_name": env.FEDERATED_CLAIM_ORG_NAME,
    },
    "role_map": env.FEDERATED_ROLE_MAP,
    "confirm_teachers": env.FEDERATED_CONFIRM_TEACHERS,
}
TWO_FACTOR_REQUIRED = bool(env.TWO_FACTOR_REQUIRED)  # production.py: on unless set to false
OTP_TOTP_ISSUER = "驻马店特色数字资源库"
OTP_TOTP_THROTTLE_FACTOR = 1  # django-otp: each wrong code doubles the wait before the next try
LOGIN_CAPTCHA_AFTER = env.LOGIN_CAPTCHA_AFTER
LOGIN_CAPTCHA_ADDRESS_AFTER = env.LOGIN_CAPTCHA_ADDRESS_AFTER
LOGIN_FAILURE_WINDOW = env.LOGIN_FAILURE_WINDOW_MINUTES * 60
# django-simple-captcha: arithmetic (pupils read digits more easily than Latin letters), drawn by
# Pillow on the server with the font the package ships.
CAPTCHA_CHALLENGE_FUNCT = "captcha.helpers.math_challenge"
CAPTCHA_MATH_CHALLENGE_OPERATOR = "+"
CAPTCHA_IMAGE_SIZE = (120, 44)
CAPTCHA_FONT_SIZE = 30
CAPTCHA_TIMEOUT = 10  # minutes

WAGTAIL_SITE_NAME = "驻马店特色数字资源库"
WAGTAILADMIN_BASE_URL = env.WAGTAILADMIN_BASE_URL
WAGTAIL_I18N_ENABLED = False
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "doc", "pptx", "ppt", "xlsx", "mp4", "mp3", "m4a", "aac", "zip", "txt"]
WAGTAILAPI_LIMIT_MAX = 100
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_GRAVATAR_PROVIDER_URL = None  # no requests to outside servers from the admin

WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}

# Redis down must not take pages down: ops.cache.TolerantRedisCache answers misses instead.
CACHES = (
    {
        "default": {"BACKEND": "ops.cache.TolerantRedisCache", "LOCATION": env.REDIS_URL},
        # Wagtail's renditions (a page of cards asks for one each): kept in each process in front of
        # Redis, dropped everywhere when a rendition is deleted (ops.cache.LocalFrontCache).
        "renditions": {
            "BACKEND": "ops.cache.LocalFrontCache",
            "LOCATION": "default",
            "TIMEOUT": 3600,
            "OPTIONS": {"VERSION_NAME": "wagtail:renditions:version"},
        },
    }
    if env.REDIS_URL
    else {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
)

# Background work (search indexing, technical checks, roll-ups, notifications). The embedded
# default runs tasks in-process; production queues them in the database for the worker.
if env.TASKS_BACKEND == "database":
    # django-tasks 0.12 ships no database backend; it lives in django-tasks-db (worker: db_worker).
    INSTALLED_APPS.append("django_tasks_db")
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

ELASTICSEARCH_URL = env.ELASTICSEARCH_URL
REDIS_URL = env.REDIS_URL

INDICATORS_MAX_AGE_SECONDS = env.INDICATORS_MAX_AGE_SECONDS
INDICATORS_OVERACTIVE_ITEMS_PER_MINUTE = env.INDICATORS_OVERACTIVE_ITEMS_PER_MINUTE
INDICATORS_OVERACTIVE_ITEMS_PER_DAY = env.INDICATORS_OVERACTIVE_ITEMS_PER_DAY
INDICATORS_OVERACTIVE_ACTIONS_PER_DAY = env.INDICATORS_OVERACTIVE_ACTIONS_PER_DAY
# Platform interconnection: OAI-PMH, COUNTER_SUSHI, the monthly push (docs/interop.md).
OAI_REPOSITORY_IDENTIFIER = env.OAI_REPOSITORY_IDENTIFIER
OAI_ADMIN_EMAIL = env.OAI_ADMIN_EMAIL
SUSHI_RATE_LIMIT_PER_MINUTE = env.SUSHI_RATE_LIMIT_PER_MINUTE
SUSHI_RATE_LIMIT_PER_DAY = env.SUSHI_RATE_LIMIT_PER_DAY
INTEROP_PUSH_URL = env.INTEROP_PUSH_URL
INTEROP_PUSH_SECRET = env.INTEROP_PUSH_SECRET
INTEROP_PUSH_CA_BUNDLE = env.INTEROP_PUSH_CA_BUNDLE
INTEROP_PUSH_FIRST_MONTH = env.INTEROP_PUSH_FIRST_MONTH
INTEROP_PUSH_TIMEOUT = env.INTEROP_PUSH_TIMEOUT

EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env.DEFAULT_FROM_EMAIL

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "catalogue": {"level": "INFO"},
        "review": {"level": "INFO"},
        "search": {"level": "INFO"},
        "indicators": {"level": "INFO"},
        "interop": {"level": "INFO"},
        "ops": {"level": "INFO"},
    },
}
