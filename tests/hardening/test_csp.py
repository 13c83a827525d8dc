"""Content-Security-Policy: strict on the public site (no inline script or style), and no inline
script, style attribute or event handler in any template of ours."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from tests import factories

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)


def directives(header: str) -> dict[str, list[str]]:
    parts = [p.strip().split() for p in header.split(";") if p.strip()]
    return {p[0]: p[1:] for p in parts}


def test_public_pages_send_a_strict_policy(client, site_pages):
    resource = factories.resource()
    for url in ["/", resource.url, "/accounts/login/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        policy = directives(response["Content-Security-Policy"])
        assert policy["script-src"] == ["'self'"], url
        assert policy["style-src"] == ["'self'"], url
        assert policy["object-src"] == ["'none'"]
        assert policy["frame-ancestors"] == ["'self'"]
        assert policy["base-uri"] == ["'self'"]
        assert "'unsafe-eval'" not in response["Content-Security-Policy"]


def test_admin_policy_is_separate_and_still_forbids_plugins_and_other_origins(client):
    admin = factories.user("resource_admin", username="cspadmin", region="")
    client.force_login(admin)
    response = client.get("/admin/")
    policy = directives(response["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    assert all(src.startswith("'") or src in ("data:", "blob:") for values in policy.values() for src in values)


OUR_TEMPLATES = sorted(
    [p for p in (ROOT / "templates").rglob("*.html")]
    + [p for app in ("catalogue", "ops") for p in (ROOT / app / "templates").rglob("*.html")]
)


@pytest.mark.parametrize("template", OUR_TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_templates_have_no_inline_script_style_or_handlers(template):
    html = template.read_text(encoding="utf-8")
    for match in re.finditer(r"<script\b([^>]*)>", html, re.IGNORECASE):
        attrs = match.group(1)
        assert "src=" in attrs or "application/json" in attrs, f"inline <script> in {template}"
    assert not re.search(r"<style\b", html, re.IGNORECASE), f"<style> block in {template}"
    assert not re.search(r"\sstyle\s*=", html, re.IGNORECASE), f"style attribute in {template}"
    assert not re.search(r"\son[a-z]+\s*=", html, re.IGNORECASE), f"event handler attribute in {template}"
    assert "javascript:" not in html.lower(), f"javascript: URL in {template}"


def test_security_headers_on_public_pages(client, site_pages):
    response = client.get("/")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert response["Referrer-Policy"] == "same-origin"
