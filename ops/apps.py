from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Operations and hardening: audit of security events, upload checks, backups, personal data."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "ops"
    verbose_name = "运维与安全"

    def ready(self):
        from django.conf import settings
        from PIL import Image

        # Pillow's own decompression-bomb guard follows the upload limit: it warns above the
        # limit and refuses to decode twice the limit, wherever an image is opened (not only forms).
        limit = getattr(settings, "WAGTAILIMAGES_MAX_IMAGE_PIXELS", None)
        if limit:
            Image.MAX_IMAGE_PIXELS = limit

        from . import audit, auth  # noqa: F401  (connect the audit and failure-counting receivers)

        audit.connect_profile_audit()
