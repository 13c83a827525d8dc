"""docker-compose.yml, the Dockerfile, .env.example, gunicorn.conf.py and deploy/nginx/ agree with
each other and with the settings the tests boot.

No Docker engine runs here, so the stack is checked statically against config/env.py and the
production settings module (which test_production.py boots for real); test_nginx.py runs the nginx
file for real in front of gunicorn."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.urls import reverse

from deploy.nginx.local import body_limit as nginx_body_limit

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
SERVICES = COMPOSE["services"]
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
ENV_NAMES = set(re.findall(r'env_(?:str|bool|int|list)\(\s*"([A-Z0-9_]+)"', (ROOT / "config/env.py").read_text()))
GUNICORN_CONF = (ROOT / "gunicorn.conf.py").read_text(encoding="utf-8")
GUNICORN_NAMES = set(re.findall(r'os\.environ\.get\("([A-Z0-9_]+)"', GUNICORN_CONF))
NGINX_CONF = (ROOT / "deploy" / "nginx" / "zmd.conf").read_text(encoding="utf-8")
NGINX_LIMITS = ROOT / "deploy" / "nginx" / "15-zmd-limits.envsh"
COMPOSE_ONLY = {
    "POSTGRES_DB",
    "POSTGRES_USER",
    "POSTGRES_PASSWORD",
    "SERVER_NAME",
    "TLS_CERT_DIR",
    "TLS_CERT_FILE",
    "TLS_KEY_FILE",
    "HTTP_PORT",
    "HTTPS_PORT",
}


def compose_default(value: str) -> str:
    """A compose value with each ${NAME:-default} replaced by its default."""
    return re.sub(r"\$\{[A-Z0-9_]+:-([^}]*)\}", r"\1", str(value))


def test_the_six_services_of_the_production_shape():
    assert set(SERVICES) == {"nginx", "db", "search", "redis", "web", "worker"}
    assert SERVICES["nginx"]["image"] == "nginx:1.28"
    assert SERVICES["db"]["image"] == "postgres:15"
    assert re.fullmatch(r"docker\.elastic\.co/elasticsearch/elasticsearch:8\.\d+\.\d+", SERVICES["search"]["image"])
    assert SERVICES["redis"]["image"].startswith("redis:")


def test_web_and_worker_run_the_production_settings_module():
    for name in ("web", "worker"):
        env = SERVICES[name]["environment"]
        assert env["DJANGO_SETTINGS_MODULE"] == "config.settings.production"
        assert env["TASKS_BACKEND"] == "database"
        assert env["DATABASE_URL"].startswith("postgres://") and "@db:5432/" in env["DATABASE_URL"]
        assert env["REDIS_URL"] == "redis://redis:6379/0"
        assert env["ELASTICSEARCH_URL"] == "http://search:9200"
    assert "ENV" in DOCKERFILE and "DJANGO_SETTINGS_MODULE=config.settings.production" in DOCKERFILE
    assert "gunicorn config.wsgi:application -c gunicorn.conf.py" in " ".join(SERVICES["web"]["command"])
    assert 'CMD ["gunicorn", "config.wsgi:application", "-c", "gunicorn.conf.py"]' in DOCKERFILE
    assert SERVICES["worker"]["command"][:3] == ["python", "manage.py", "db_worker"]


def test_web_hands_media_to_nginx_and_trusts_exactly_that_one_proxy():
    env = SERVICES["web"]["environment"]
    assert env["MEDIA_ACCEL_REDIRECT"] == "true"
    assert env["TRUSTED_PROXY_COUNT"] == "1"  # fixed: nginx overwrites X-Forwarded-For, one hop


def test_every_app_variable_in_compose_is_read_by_config_env():
    for name in ("web", "worker"):
        unknown = set(SERVICES[name]["environment"]) - ENV_NAMES - GUNICORN_NAMES - {"DJANGO_SETTINGS_MODULE"}
        assert not unknown, f"{name} sets variables config/env.py and gunicorn.conf.py never read: {unknown}"
    required = {
        "SECRET_KEY",
        "DATABASE_URL",
        "REDIS_URL",
        "ELASTICSEARCH_URL",
        "MEDIA_ROOT",
        "TASKS_BACKEND",
        "ALLOWED_HOSTS",
    }
    assert required <= set(SERVICES["web"]["environment"])


def test_env_example_names_only_variables_someone_reads():
    names = re.findall(r"^([A-Z0-9_]+)=", (ROOT / ".env.example").read_text(encoding="utf-8"), re.MULTILINE)
    referenced = set(re.findall(r"\$\{([A-Z0-9_]+)", (ROOT / "docker-compose.yml").read_text()))
    assert {"SECRET_KEY", "POSTGRES_PASSWORD", "ALLOWED_HOSTS"} <= set(names)
    for name in names:
        assert name in referenced, f".env.example sets {name} but docker-compose.yml never passes it on"
        assert name in ENV_NAMES | GUNICORN_NAMES | COMPOSE_ONLY, f"{name} is read by nothing"


def test_every_service_has_a_health_check():
    for name, service in SERVICES.items():
        assert service.get("healthcheck", {}).get("test"), f"{name} has no healthcheck"
    assert "/healthz/" in " ".join(SERVICES["web"]["healthcheck"]["test"])
    assert SERVICES["web"]["depends_on"]["db"]["condition"] == "service_healthy"


def test_health_endpoint_exists_and_is_exempt_from_the_https_redirect():
    assert reverse("ops:healthz") == "/healthz/"
    production = (ROOT / "config/settings/production.py").read_text()
    assert 'SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]' in production


def test_only_nginx_publishes_ports_http_and_https():
    published = {name: s["ports"] for name, s in SERVICES.items() if s.get("ports")}
    assert published == {"nginx": ["${HTTP_PORT:-80}:80", "${HTTPS_PORT:-443}:443"]}
    assert "listen 80;" in NGINX_CONF and "listen 443 ssl http2;" in NGINX_CONF


def test_named_volumes_for_database_search_media_and_static_files():
    assert set(COMPOSE["volumes"]) == {"db-data", "search-data", "media", "resumable", "static"}
    assert "db-data:/var/lib/postgresql/data" in SERVICES["db"]["volumes"]
    assert "search-data:/usr/share/elasticsearch/data" in SERVICES["search"]["volumes"]
    for name in ("web", "worker"):
        assert "media:/data/media" in SERVICES[name]["volumes"]
        assert SERVICES[name]["environment"]["MEDIA_ROOT"] == "/data/media"
        # Unfinished resumable uploads: shared by web (receives) and worker (expires), not in media.
        assert "resumable:/data/resumable" in SERVICES[name]["volumes"]
        assert SERVICES[name]["environment"]["UPLOAD_RESUMABLE_DIR"] == "/data/resumable"
    assert "static:/app/staticfiles" in SERVICES["web"]["volumes"]
    assert "collectstatic --noinput" in " ".join(SERVICES["web"]["command"])  # fills the volume at start-up
    assert {"media:/data/media:ro", "static:/app/staticfiles:ro"} <= set(SERVICES["nginx"]["volumes"])
    assert (
        "chown -R zmd:zmd /data/media /data/resumable /app/staticfiles" in DOCKERFILE
    )  # web may write the static volume


def test_nginx_runs_the_project_file_with_every_variable_it_uses():
    nginx = SERVICES["nginx"]
    volumes = nginx["volumes"]
    assert "./deploy/nginx/zmd.conf:/etc/nginx/templates/default.conf.template:ro" in volumes
    assert "./deploy/nginx/15-zmd-limits.envsh:/docker-entrypoint.d/15-zmd-limits.envsh:ro" in volumes
    assert NGINX_LIMITS.stat().st_mode & 0o111, "the image sources only executable .envsh files"
    env = nginx["environment"]
    assert env["NGINX_ENVSUBST_FILTER"] == "ZMD_"  # nginx's own $variables are left alone
    used = set(re.findall(r"\$\{(ZMD_\w+)\}", NGINX_CONF))
    provided = {k for k in env if k.startswith("ZMD_")} | {"ZMD_CLIENT_MAX_BODY_SIZE"}  # the .envsh sets it
    assert used == provided
    assert "ZMD_CLIENT_MAX_BODY_SIZE" in NGINX_LIMITS.read_text()
    assert env["ZMD_TLS_CERTIFICATE"].startswith("/etc/nginx/certs/")
    assert env["ZMD_TLS_CERTIFICATE_KEY"].startswith("/etc/nginx/certs/")
    assert "${TLS_CERT_DIR:-./certs}:/etc/nginx/certs:ro" in volumes
    assert nginx["depends_on"]["web"]["condition"] == "service_healthy"


def test_nginx_and_the_app_agree_on_paths_ports_and_the_internal_location(settings):
    web = SERVICES["web"]["environment"]
    assert f"alias {web['STATIC_ROOT']}/;" in NGINX_CONF
    assert f"alias {web['MEDIA_ROOT']}/;" in NGINX_CONF and f"alias {web['MEDIA_ROOT']}/images/;" in NGINX_CONF
    assert re.search(r'^bind = "0\.0\.0\.0:8000"$', GUNICORN_CONF, re.MULTILINE)
    assert "proxy_pass http://web:8000;" in NGINX_CONF
    internal = re.search(r"location (/[\w-]+/) \{\s*internal;\s*alias (\S+);", NGINX_CONF)
    assert internal, "zmd.conf has no internal location for X-Accel-Redirect"
    assert internal.group(1) == settings.SENDFILE_URL + "/"
    assert internal.group(2) == web["MEDIA_ROOT"] + "/"
    assert settings.STATIC_URL == "/static/" and settings.MEDIA_URL == "/media/"
    assert "location /static/ {" in NGINX_CONF and "location /media/images/ {" in NGINX_CONF


def test_nginx_overwrites_the_forwarded_headers_the_app_reads():
    """What the client sent in X-Forwarded-For / X-Real-IP must never reach the app."""
    headers = dict(re.findall(r"^\s*proxy_set_header (\S+) (\S+);", NGINX_CONF, re.MULTILINE))
    assert headers["X-Forwarded-For"] == "$remote_addr"
    assert headers["X-Real-IP"] == "$remote_addr"
    assert headers["X-Forwarded-Proto"] == "$scheme"
    assert "$proxy_add_x_forwarded_for" not in NGINX_CONF and "$http_x_" not in NGINX_CONF
    production = (ROOT / "config/settings/production.py").read_text()
    assert 'SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")' in production


def test_nginx_buffers_uploads_and_accepts_the_largest_submission(settings):
    """nginx lets through every request the app accepts (the app, not nginx, refuses what is too
    large, with its Chinese message), and follows the app's limits when they are raised."""
    assert re.search(r"^\s*proxy_request_buffering on;", NGINX_CONF, re.MULTILINE)
    assert re.search(r"^\s*client_max_body_size \$\{ZMD_CLIENT_MAX_BODY_SIZE\};", NGINX_CONF, re.MULTILINE)
    names = [k for k in SERVICES["nginx"]["environment"] if k.startswith("UPLOAD")]
    assert set(names) >= {
        "UPLOAD_MAX_MB_VIDEO",
        "UPLOAD_MAX_MB_AUDIO",
        "UPLOAD_MAX_MB_DOCUMENT",
        "UPLOAD_MAX_MB_IMAGE",
        "UPLOAD_MAX_MB_REQUEST",
    }
    for name in names:
        assert compose_default(SERVICES["nginx"]["environment"][name]) == compose_default(
            SERVICES["web"]["environment"][name]
        )
    env_vars = {name: compose_default(SERVICES["nginx"]["environment"][name]) for name in names}
    limit = nginx_body_limit(env_vars)
    assert limit.endswith("m") and int(limit[:-1]) * 1024 * 1024 > settings.UPLOAD_MAX_REQUEST_BYTES
    raised = nginx_body_limit({**env_vars, "UPLOAD_MAX_MB_VIDEO": "2048"})
    assert int(raised[:-1]) == int(limit[:-1]) + 1024  # raising the app's limit raises nginx's
    assert nginx_body_limit({**env_vars, "UPLOAD_MAX_MB_REQUEST": "3000"}) == "3016m"


def test_nginx_error_pages_exist_in_chinese():
    for _code, page in re.findall(r"error_page ([\d ]+) (/static/\S+);", NGINX_CONF):
        path = ROOT / "static" / page.removeprefix("/static/")
        assert path.exists(), page
        html = path.read_text(encoding="utf-8")
        assert 'lang="zh-Hans"' in html and 'name="viewport"' in html
    assert "error_page 413 " in NGINX_CONF


def test_the_operations_manual_shows_the_nginx_file_as_it_is():
    manual = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```nginx\n(.*?)```", manual, re.DOTALL)
    assert NGINX_CONF in blocks, "docs/operations.md must show deploy/nginx/zmd.conf verbatim"


def test_elasticsearch_is_a_single_node_with_security_settings_stated():
    env = SERVICES["search"]["environment"]
    assert env["discovery.type"] == "single-node"
    assert "xpack.security.enabled" in env
    text = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    assert "internal network" in text and "xpack.security.enabled=true" in text  # the reasoning is written down


def test_dockerfile_builds_the_image_the_tests_assume():
    assert DOCKERFILE.splitlines()[2].startswith("FROM python:3.11-slim") or "FROM python:3.11-slim" in DOCKERFILE
    for needed in (
        "ffmpeg",
        "fonts-noto-cjk",
        "pip install -r requirements.txt",
        "collectstatic --noinput",
        "USER zmd",
    ):
        assert needed in DOCKERFILE


def test_the_worker_command_exists_with_the_database_backend():
    env = {"DJANGO_SETTINGS_MODULE": "config.settings.dev", "TASKS_BACKEND": "database", "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "manage.py", "help", "db_worker"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "--queue-name" in result.stdout


@pytest.mark.parametrize("service", ["web", "worker"])
def test_settings_from_the_compose_environment_resolve(service):
    """The production settings module, given exactly the compose environment, is importable and
    picks the backends the stack provides."""
    env = {k: compose_default(v) for k, v in SERVICES[service]["environment"].items()}
    env = {k: re.sub(r"\$\{[A-Z0-9_]+:\?[^}]*\}", "from-env-file", v) for k, v in env.items()}
    env["PATH"] = "/usr/bin:/bin"
    code = (
        "import django; from django.conf import settings; django.setup();"
        "print(settings.DATABASES['default']['HOST'], settings.CACHES['default']['BACKEND'],"
        " settings.TASKS['default']['BACKEND'], settings.MEDIA_ROOT, settings.SECURE_SSL_REDIRECT,"
        " settings.MEDIA_ACCEL_REDIRECT, settings.SENDFILE_BACKEND, settings.TRUSTED_PROXY_COUNT)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "db",
        "ops.cache.TolerantRedisCache",
        "django_tasks_db.DatabaseBackend",
        "/data/media",
        "True",
        "True",
        "django_sendfile.backends.nginx",
        "1",
    ]
