"""Error pages a person actually meets, with DEBUG off as in production: Chinese, inside the site's
layout, saying what happened and offering a way back; a 403 says why when the code knows."""

import pytest
from django.db import connections
from django.test import Client

from catalogue.models import Role
from tests import factories
from tests.review.conftest import good_files

pytestmark = pytest.mark.django_db

LAYOUT = ('class="site-header"', 'class="site-footer"', "驻马店特色数字资源库")


@pytest.fixture(autouse=True)
def production_errors(settings):
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["testserver", "localhost"]


def _page(response):
    html = response.content.decode()
    for marker in LAYOUT:
        assert marker in html, marker
    assert 'href="/"' in html  # a way home
    for english in ("Not Found", "Forbidden", "Server Error", "Bad Request", "CSRF"):
        assert english not in html
    return html


def test_404_is_chinese_inside_the_layout_with_search(client, site_pages):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = _page(response)
    assert "找不到这个页面" in html
    assert 'action="/search/"' in html and "返回上一页" in html


def test_403_for_a_reviewer_of_another_county_says_why(client, site_pages):
    from review import services

    teacher = factories.user(Role.TEACHER, region="遂平县")
    other = factories.user(Role.COUNTY_REVIEWER, region="驿城区")
    factories.campaign()
    draft = factories.submission(teacher=teacher, files=good_files())
    submitted = services.submission_submit(submission=draft, user=teacher)
    client.force_login(other)
    response = client.get(f"/review/{submitted.pk}/")
    assert response.status_code == 403
    html = _page(response)
    assert "这件作品属于其他县区" in html
    assert submitted.title not in html


def test_403_for_a_student_at_the_submission_form_says_only_teachers(client, site_pages):
    client.force_login(factories.user(Role.STUDENT))
    response = client.get("/submit/")
    assert response.status_code == 403
    assert "只有教师账号可以申报作品" in _page(response)


def test_403_never_shows_the_text_of_a_foreign_permission_denied(rf, site_pages):
    from django.contrib.auth.models import AnonymousUser
    from django.core.exceptions import PermissionDenied

    from catalogue.errors import permission_denied

    request = rf.get("/x/")
    request.user = factories.user(Role.STUDENT)
    html = permission_denied(request, PermissionDenied("internal detail: rule 7b")).content.decode()
    assert "internal detail" not in html and "没有权限访问这个页面" in html
    request.user = AnonymousUser()
    html = permission_denied(request, PermissionDenied("internal")).content.decode()
    assert "请先登录" in html and "/accounts/login/?next=/x/" in html


def test_400_on_a_forged_host_header_is_chinese(client, site_pages):
    response = client.get("/", HTTP_HOST="evil.example.com")
    assert response.status_code == 400
    assert "请求无法处理" in _page(response)


def test_csrf_failure_is_a_chinese_page_and_nothing_is_stored(site_pages):
    from django.contrib.auth import get_user_model

    csrf_client = Client(enforce_csrf_checks=True)
    before = get_user_model().objects.count()
    response = csrf_client.post("/accounts/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    html = _page(response)
    assert "提交没有成功" in html and "Cookie" in html
    assert get_user_model().objects.count() == before


def test_500_renders_in_the_layout_even_when_the_database_is_down(client, site_pages, monkeypatch):
    """A view that fails while the database is unreachable: the 500 page needs no query."""
    from django.urls import path

    import config.urls

    def broken(request):
        raise RuntimeError("boom")

    monkeypatch.setattr(config.urls, "urlpatterns", [path("boom/", broken), *config.urls.urlpatterns])
    from django.urls import clear_url_caches

    clear_url_caches()

    def no_database(*args, **kwargs):
        raise RuntimeError("database is down")

    client.raise_request_exception = False
    for connection in connections.all():
        monkeypatch.setattr(connection, "cursor", no_database)
    try:
        response = client.get("/boom/")
    finally:
        monkeypatch.undo()
        clear_url_caches()
    assert response.status_code == 500
    html = _page(response)
    assert "服务器出了点问题" in html and "boom" not in html
