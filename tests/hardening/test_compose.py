"""docker-compose.yml, the Dockerfile and .env.example agree with the settings the tests boot.

No Docker engine runs here, so the stack is checked statically against config/env.py and the
production settings module (which test_production.py boots for real)."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
SERVICES = COMPOSE["services"]
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
ENV_NAMES = set(re.findall(r'env_(?:str|bool|int|list)\(\s*"([A-Z0-9_]+)"', (ROOT / "config/env.py").read_text()))
COMPOSE_ONLY = {"POSTGRES_DB", "POSTGRES_USER", "POSTGRES_PASSWORD", "WEB_PORT", "WEB_WORKERS"}


def test_the_five_services_of_the_production_shape():
    assert set(SERVICES) == {"db", "search", "redis", "web", "worker"}
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
    assert "gunicorn config.wsgi:application" in " ".join(SERVICES["web"]["command"])
    assert SERVICES["worker"]["command"][:3] == ["python", "manage.py", "db_worker"]


def test_every_app_variable_in_compose_is_read_by_config_env():
    for name in ("web", "worker"):
        unknown = set(SERVICES[name]["environment"]) - ENV_NAMES - {"DJANGO_SETTINGS_MODULE"}
        assert not unknown, f"{name} sets variables config/env.py never reads: {unknown}"
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
        assert name in ENV_NAMES or name in COMPOSE_ONLY, f"{name} is read by nothing"


def test_every_service_has_a_health_check():
    for name, service in SERVICES.items():
        assert service.get("healthcheck", {}).get("test"), f"{name} has no healthcheck"
    assert "/healthz/" in " ".join(SERVICES["web"]["healthcheck"]["test"])
    assert SERVICES["web"]["depends_on"]["db"]["condition"] == "service_healthy"


def test_health_endpoint_exists_and_is_exempt_from_the_https_redirect():
    assert reverse("ops:healthz") == "/healthz/"
    production = (ROOT / "config/settings/production.py").read_text()
    assert 'SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]' in production


def test_published_ports_are_bound_to_loopback_only():
    published = [(name, p) for name, s in SERVICES.items() for p in s.get("ports", [])]
    assert published, "the web port must be published for the reverse proxy"
    for name, port in published:
        assert str(port).startswith("127.0.0.1:"), f"{name} publishes {port} on every interface"
    for name in ("db", "redis", "search"):
        assert "ports" not in SERVICES[name], f"{name} must stay on the internal network"


def test_named_volumes_for_database_search_and_media():
    assert set(COMPOSE["volumes"]) == {"db-data", "search-data", "media"}
    assert "db-data:/var/lib/postgresql/data" in SERVICES["db"]["volumes"]
    assert "search-data:/usr/share/elasticsearch/data" in SERVICES["search"]["volumes"]
    for name in ("web", "worker"):
        assert "media:/data/media" in SERVICES[name]["volumes"]
        assert SERVICES[name]["environment"]["MEDIA_ROOT"] == "/data/media"


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
    env = {k: str(v) for k, v in SERVICES[service]["environment"].items()}
    env = {k: re.sub(r"\$\{[A-Z0-9_]+:-([^}]*)\}", r"\1", v) for k, v in env.items()}
    env = {k: re.sub(r"\$\{[A-Z0-9_]+:\?[^}]*\}", "from-env-file", v) for k, v in env.items()}
    env["PATH"] = "/usr/bin:/bin"
    code = (
        "import django; from django.conf import settings; django.setup();"
        "print(settings.DATABASES['default']['HOST'], settings.CACHES['default']['BACKEND'],"
        " settings.TASKS['default']['BACKEND'], settings.MEDIA_ROOT, settings.SECURE_SSL_REDIRECT)"
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
    ]
