# The production image: web (gunicorn) and worker (django-tasks db_worker) run from it.
# Build: docker compose build   (see docs/operations.md)
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production \
    MEDIA_ROOT=/data/media \
    STATIC_ROOT=/app/staticfiles

# ffprobe (technical checks of videos) and a CJK font (generated cover images).
RUN apt-get update \
    && apt-get install -y --no-install-recommends ffmpeg fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# Static files are collected at build time (WhiteNoise serves them when the image runs alone); in
# docker-compose the web service collects them again at start-up into the volume nginx serves, which
# is why zmd owns the folder. The key is a throwaway used only by this build step (production
# refuses to start without a real SECRET_KEY).
RUN SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput \
    && useradd --system --uid 1000 --home /app zmd \
    && mkdir -p /data/media /data/resumable \
    && chown -R zmd:zmd /data/media /data/resumable /app/staticfiles

USER zmd
EXPOSE 8000
# Worker class, count and timeouts: gunicorn.conf.py.
CMD ["gunicorn", "config.wsgi:application", "-c", "gunicorn.conf.py"]
