"""The Wagtail admin is fully Chinese: strings missing from Wagtail 8.0.1's shipped zh_Hans
catalogues come from the project catalogue in locale/zh_Hans (see docs/i18n.md).

Every English string asserted absent here was verified to appear in the admin before that catalogue
existed (and config.admin_forms.LoginForm for the login "Password" label).
"""

import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_zh(site_pages):
    user = get_user_model().objects.create_superuser("i18n-admin", "i18n@example.com", "pw-123456-xyz")
    client = Client()
    client.force_login(user)
    return client


def _html(response):
    assert response.status_code == 200
    return response.content.decode()


def test_login_form_is_chinese():
    html = _html(Client().get("/admin/login/"))
    label = re.search(r'<label[^>]*for="id_password"[^>]*>(.*?)<', html, re.S).group(1).strip()
    assert label == "密码"
    assert "Password" not in html


def test_dashboard_is_chinese(admin_client_zh):
    html = _html(admin_client_zh.get("/admin/"))
    # Site summary counts ("17 Pages created in ...", "0 Images", "0 Documents")
    assert re.search(r"\d+ 个页面", html)
    assert re.search(r"\d+ 张图片", html)
    assert re.search(r"\d+ 个文档", html)
    assert "创建于" in html
    assert not re.search(r"\d+ (Pages?|Images?|Documents?)\b", html)
    assert "created in" not in html
    # Search box placeholder
    assert "搜索所有页面…" in html
    assert "Search all pages" not in html
    # Editor guide link in the account summary
    assert "编辑指南" in html
    assert "editor guide" not in html


def test_page_explorer_is_chinese(admin_client_zh):
    html = _html(admin_client_zh.get("/admin/pages/3/"))
    assert "页面类型" in html
    for english in ["Page type", "Date updated", "Has child pages", "Edited by"]:
        assert english not in html, english


def test_page_editor_is_chinese(admin_client_zh):
    html = _html(admin_client_zh.get("/admin/pages/3/edit/"))
    for chinese in ["内容指标", "阅读时间", "可读性", "自动保存已暂停"]:
        assert chinese in html, chinese
    for english in ["Content metrics", "Reading time", "Readability", "Autosave is paused"]:
        assert english not in html, english


def test_image_index_is_chinese(admin_client_zh):
    html = _html(admin_client_zh.get("/admin/images/"))
    for chinese in ["网格布局", "列表布局", "使用次数：（从低到高）"]:
        assert chinese in html, chinese
    for english in ["Grid layout", "List layout", "Usage count"]:
        assert english not in html, english


def test_javascript_catalog_has_editor_strings(admin_client_zh):
    js = _html(admin_client_zh.get("/admin/jsi18n/"))
    # JavaScriptCatalog serialises with ensure_ascii, so look for the escaped form.
    assert json.dumps("输入内容，或键入“/”插入区块")[1:-1] in js
    assert json.dumps("正在自动保存…")[1:-1] in js
