from django.core.exceptions import ImproperlyConfigured

from config import env

from .base import *  # noqa: F403

DEBUG = False
if not env.SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set in the environment for production.")
SECRET_KEY = env.SECRET_KEY
# 等保 2.0 level 3: staff sign in with a second factor unless TWO_FACTOR_REQUIRED=false.
TWO_FACTOR_REQUIRED = env.TWO_FACTOR_REQUIRED is not False
ALLOWED_HOSTS = env.ALLOWED_HOSTS
CSRF_TRUSTED_ORIGINS = env.CSRF_TRUSTED_ORIGINS

STORAGES = {
    **STORAGES,  # noqa: F405  (media: MEDIA_STORAGE_BACKEND, local disk unless configured)
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# TLS ends at the bureau's reverse proxy, which sets X-Forwarded-Proto (docs/operations.md).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.SECURE_SSL_REDIRECT
SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]  # the container health check speaks plain HTTP
SESSION_COOKIE_SECURE = env.HTTPS_ONLY
CSRF_COOKIE_SECURE = env.HTTPS_ONLY
SECURE_HSTS_SECONDS = env.SECURE_HSTS_SECONDS if env.HTTPS_ONLY else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
# X_FRAME_OPTIONS stays SAMEORIGIN (base.py): Wagtail's live preview shows the page in a frame of
# the admin, on the same origin. Other sites still cannot frame ours (CSP frame-ancestors 'self').
SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "security.W019"]  # noqa: F405
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

if env.REDIS_URL:
    # Sessions in Redis with the database behind them: a Redis outage loses no session.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

if env.EMAIL_URL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env.EMAIL_URL_HOST
    EMAIL_PORT = env.EMAIL_PORT

LOGGING["root"]["level"] = "INFO"  # noqa: F405  (gunicorn's stdout goes to `docker compose logs`)
