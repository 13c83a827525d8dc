"""A resource admin gives the provincial platform a COUNTER API key (shown once) and resends a
monthly push from the admin; the key then works against /r51/ and the old one stops working."""

import hashlib
from pathlib import Path

import pytest
import requests

from catalogue.models import Role
from interop.models import PushDelivery, PushStatus, SushiConsumer
from tests import factories

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SHOTS = Path("/tmp/shots/interop")


def shoot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in ((390, 844), (1366, 768)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_admin_issues_a_key_once_and_resends_a_delivery(live_server, page, settings):
    factories.user(Role.RESOURCE_ADMIN, username="ziyuan", region="", password="Pass#word123")
    page.goto(live_server.url + "/accounts/login/?next=/admin/sushi_consumers/new/")
    page.fill("#id_username", "ziyuan")
    page.fill("#id_password", "Pass#word123")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/admin/sushi_consumers/new/")
    page.fill("#id_name", "河南省智慧教育平台")
    page.fill("#id_contact", "省平台运维 0371-0000000")
    page.get_by_label("遂平县").check()
    page.get_by_role("button", name="创建").click()
    page.wait_for_load_state()
    key_box = page.locator("#sushi-key")
    key_box.wait_for()
    key = key_box.input_value()
    assert page.get_by_text("密钥只显示这一次").is_visible()
    assert page.get_by_text("zmd-suiping").is_visible()
    shoot(page, "key-issued")

    consumer = SushiConsumer.objects.get(name="河南省智慧教育平台")
    assert consumer.key_digest == hashlib.sha256(key.encode()).hexdigest() and key not in str(vars(consumer))

    def status(api_key, customer_id="zmd-suiping"):
        params = {"customer_id": customer_id, "api_key": api_key}
        return requests.get(live_server.url + "/r51/reports", params=params, timeout=30).status_code

    assert status(key) == 200 and status(key, "zmd-runan") == 403

    page.get_by_role("link", name="我已保存密钥，返回列表").click()
    page.get_by_text(consumer.key_prefix).wait_for()
    assert key not in page.content()
    shoot(page, "consumers")
    page.get_by_role("link", name="重新生成密钥").click()
    page.get_by_role("button", name="生成新密钥").click()
    new_key = page.locator("#sushi-key").input_value()
    assert new_key != key and status(new_key) == 200 and status(key) == 401

    # A delivery that failed: the admin sees why and resends it (same body, same delivery id).
    region = consumer.regions.first()
    delivery = PushDelivery.objects.create(
        month="2026-10-01",
        unit_kind="county",
        region=region,
        body="{}",
        status=PushStatus.FAILED,
        attempts=12,
        last_error="HTTP 500: database is down",
    )
    settings.INTEROP_PUSH_URL = "https://127.0.0.1:9/unreachable"
    settings.INTEROP_PUSH_SECRET = "s"
    page.goto(live_server.url + "/admin/push_deliveries/")
    assert (
        page.get_by_text("HTTP 500: database is down").is_visible()
        and page.get_by_role("cell", name="发送失败").is_visible()
    )
    shoot(page, "deliveries")
    page.get_by_role("link", name="重新发送").click()
    page.get_by_role("button", name="重新发送").click()
    page.wait_for_url("**/admin/push_deliveries/")
    delivery.refresh_from_db()
    assert delivery.attempts == 1 and delivery.status == PushStatus.RETRYING  # a fresh round of retries
    assert "ConnectionError" in delivery.last_error
    page.get_by_role("link", name="2026-10 遂平县").click()
    page.get_by_text(str(delivery.delivery_id)).wait_for()
    shoot(page, "delivery-inspect")


def test_other_roles_cannot_reach_the_interop_admin(client):
    for role in (Role.TEACHER, Role.COUNTY_REVIEWER, Role.CITY_EXPERT):
        client.force_login(factories.user(role))
        for url in ("/admin/sushi_consumers/", "/admin/sushi_consumers/new/", "/admin/push_deliveries/"):
            assert client.get(url).status_code in (302, 403), (role, url)
