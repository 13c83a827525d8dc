import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
from ops.wsgi import CompleteBody  # noqa: E402

# A body cut off before its Content-Length is refused, never parsed as complete (ops/wsgi.py).
application = CompleteBody(get_wsgi_application())

# Uploads a killed web process left half-received or half-written (ops/upload_handler.py).
from ops.upload_handler import leftovers_remove  # noqa: E402

leftovers_remove()
