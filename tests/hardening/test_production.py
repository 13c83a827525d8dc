"""The production settings module, booted for real: gunicorn + PostgreSQL + Redis on loopback.

These tests start subprocesses and use no test database of pytest's; they are skipped with a
reason when PostgreSQL or redis-server is missing (.ci/run installs and starts both)."""

import re

import pytest
import requests

from .conftest import Gunicorn, RedisServer, free_port, manage, production_env


@pytest.fixture(scope="module")
def stack(production_database, redis_server, static_root):
    env = production_env(DATABASE_URL=production_database, REDIS_URL=redis_server.url, STATIC_ROOT=static_root)
    server = Gunicorn(env).start()
    yield server
    server.stop()


def test_production_serves_the_site_over_https_with_security_headers(stack):
    response = stack.get("/")
    assert response.status_code == 200
    assert "驻马店特色数字资源库" in response.text
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    # Static files come from WhiteNoise with hashed names and long cache lifetimes.
    css = re.search(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', response.text).group(1)
    static = stack.get(css)
    assert static.status_code == 200 and "max-age=315360000" in static.headers["Cache-Control"]


def test_plain_http_is_redirected_and_cookies_are_secure(stack):
    response = requests.get(stack.url + "/", timeout=10, allow_redirects=False)
    assert response.status_code == 301 and response.headers["Location"].startswith("https://")
    login = stack.get("/accounts/login/")
    assert login.status_code == 200
    cookie = login.headers["Set-Cookie"]
    assert "csrftoken=" in cookie and "Secure" in cookie and "HttpOnly" in cookie


def test_health_endpoint_reports_database_and_cache(stack):
    response = requests.get(stack.url + "/healthz/", timeout=10)  # plain HTTP: exempt from the redirect
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "cache": "ok"}


def test_pages_still_serve_and_people_can_log_in_while_redis_is_down(production_database, static_root):
    redis = RedisServer(free_port())
    redis.start()
    env = production_env(DATABASE_URL=production_database, REDIS_URL=redis.url, STATIC_ROOT=static_root)
    result = manage(
        "shell",
        "-c",
        "from catalogue.services import user_create; from catalogue.models import Role;"
        "from django.contrib.auth import get_user_model;"
        "get_user_model().objects.filter(username='redisdown').delete();"
        "user_create(username='redisdown', password='Zmd#redis2026', role=Role.STUDENT)",
        env=env,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    server = Gunicorn(env).start()
    try:
        assert server.get("/").status_code == 200
        redis.stop()  # Redis goes away under a running site
        for _ in range(3):
            assert server.get("/").status_code == 200
        health = requests.get(server.url + "/healthz/", timeout=10)
        assert health.status_code == 200 and health.json()["cache"] == "degraded"
        # Sessions live in PostgreSQL behind the cache: logging in still works.
        # (Secure cookies are not sent over this plain loopback hop, so pass the token by hand.)
        headers = {"X-Forwarded-Proto": "https", "Referer": f"https://127.0.0.1:{server.port}/accounts/login/"}
        page = requests.get(server.url + "/accounts/login/", headers=headers, timeout=10)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        headers["Cookie"] = f"csrftoken={page.cookies['csrftoken']}"
        response = requests.post(
            server.url + "/accounts/login/",
            data={"csrfmiddlewaretoken": token, "username": "redisdown", "password": "Zmd#redis2026"},
            headers=headers,
            timeout=10,
            allow_redirects=False,
        )
        assert response.status_code == 302, response.text[:500]
        assert "sessionid" in response.cookies
    finally:
        server.stop()
        redis.stop()


def test_the_app_recovers_from_a_database_restart_without_being_restarted(throwaway_postgres):
    server = Gunicorn(production_env(DATABASE_URL=throwaway_postgres.url)).start()
    try:
        assert requests.get(server.url + "/healthz/", timeout=10).status_code == 200
        throwaway_postgres.stop()
        down = requests.get(server.url + "/healthz/", timeout=10)
        assert down.status_code == 503 and down.json()["database"] == "unavailable"
        throwaway_postgres.start()
        # The very first request after the restart succeeds: the broken persistent connection is
        # noticed (CONN_HEALTH_CHECKS) and replaced, with the same gunicorn worker.
        assert requests.get(server.url + "/healthz/", timeout=10).status_code == 200
        assert server.process.poll() is None
    finally:
        server.stop()


def test_check_deploy_is_clean(tmp_path):
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env=production_env(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}"),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_flags_a_trial_configuration(tmp_path):
    result = manage(
        "check", "--deploy", env=production_env(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", HTTPS_ONLY="false")
    )
    assert "security.W008" in result.stdout + result.stderr  # SECURE_SSL_REDIRECT off is reported


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = production_env(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    env["SECRET_KEY"] = ""
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
