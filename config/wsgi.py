import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
application = get_wsgi_application()

# Uploads a killed web process left half-received or half-written (ops/upload_handler.py).
from ops.upload_handler import leftovers_remove  # noqa: E402

leftovers_remove()
