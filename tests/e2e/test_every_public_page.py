"""Every public page type, as every public role, at a phone's and a laptop's size.

Fails on horizontal overflow (the page or any element wider than the viewport), on English words a
user can read, and on a page (error pages included) without the site's layout. Saves a screenshot
of each under the folder it prints (SHOTS_DIR, default /tmp/shots/uipublic/every-page)."""

import io
import os
import re
from pathlib import Path

import pytest
from PIL import Image as PILImage

from catalogue.models import ResourceGalleryImage, Role
from tests import factories
from tests.e2e.staff_pages import OVERFLOW_JS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SIZES = {"phone": (390, 844), "desktop": (1366, 768)}
ROLES = ("anonymous", Role.STUDENT, Role.PARENT, Role.TEACHER)
PASSWORD = "Pass#word123"
# Words users may see in Latin letters: file formats, codecs, and the brand of the messaging app.
ALLOWED_LATIN = {
    "MP4",
    "MP3",
    "PDF",
    "PPT",
    "PPTX",
    "DOC",
    "DOCX",
    "XLS",
    "XLSX",
    "JPG",
    "PNG",
    "H",
    "AAC",
    "KB",
    "MB",
    "GB",
}
NAMES = {Role.STUDENT: "王小明", Role.PARENT: "王小明家长", Role.TEACHER: "李老师"}
# The search tips show that pinyin works: these are examples to type, not English.
PINYIN_HINTS = {"chayashan", "cys", "leizu"}
WECHAT_UA = (
    "Mozilla/5.0 (Linux; Android 13; V2148A Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 XWEB/1160065 MMWEBSDK/20231202 MMWEBID/2246 "
    "MicroMessenger/8.0.47.2560(0x28002F35) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64"
)


def _pdf_bytes() -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (595, 842), (250, 250, 240)).save(buffer, format="PDF")
    return buffer.getvalue()


def _catalogue():
    """One published resource of each of the seven types, and the pages around them."""
    from catalogue.demo.media import SAMPLE_AUDIO, SAMPLE_VIDEO
    from catalogue.services import national_index_ensure

    video = factories.document("微课", name="chayashan.mp4", data=SAMPLE_VIDEO.read_bytes())
    pages = {
        "video": factories.resource(title="嵖岈山｜花岗岩地貌的形成", files=[(video, "video")], award="一等奖"),
        "audio": factories.resource(
            title="梁祝｜化蝶的故事",
            topic="梁祝文化",
            resource_type="audio",
            files=[(factories.document("音频", name="liangzhu.mp3", data=SAMPLE_AUDIO.read_bytes()), "audio")],
        ),
        "courseware": factories.resource(
            title="嫘祖｜丝绸之源课件",
            topic="嫘祖文化",
            resource_type="courseware",
            files=[(factories.document("课件", name="kejian.pdf", data=_pdf_bytes()), "document")],
        ),
        "design": factories.resource(
            title="嵖岈山地质探秘教学设计",
            resource_type="design",
            files=[(factories.document("教学设计", name="jiaoxuesheji.pdf", data=_pdf_bytes()), "document")],
        ),
        "worksheet": factories.resource(
            title="竹沟｜革命故事学习任务单",
            topic="竹沟革命根据地",
            resource_type="worksheet",
            files=[(factories.document("任务单", name="renwudan.docx", data=b"PK\x03\x04" + b"0" * 400), "document")],
        ),
        "gallery": factories.resource(title="嵖岈山｜奇石图集", resource_type="gallery", subjects=("美术",)),
        "link": factories.resource(
            title="薄山湖｜湿地生态", topic="薄山湖", resource_type="link", external_url="https://basic.smartedu.cn/"
        ),
    }
    for n in range(3):
        ResourceGalleryImage.objects.create(
            page=pages["gallery"], image=factories.image(f"奇石{n}"), caption=f"奇石{n}"
        )
    national = national_index_ensure()
    factories.resource(
        title="国家平台｜地球的运动", parent=national, source="national", external_url="https://basic.smartedu.cn/x"
    )
    return pages


def _paths(pages) -> dict:
    video = pages["video"]
    topic_url = video.topic.page.url
    return {
        "home": "/",
        "theme": video.theme.page.url,
        "topic": topic_url,
        "topic-filtered": topic_url + f"?subject={video.subjects.first().pk}",
        "campaign": video.get_parent().url,
        "national": "/national/",
        **{f"resource-{code}": page.url for code, page in pages.items()},
        "search": "/search/?q=嵖岈山",
        "search-none": "/search/?q=火星上的长城",
        "login": "/accounts/login/",
        "notifications": "/notifications/",
        "my-library": "/me/",
        "not-found": "/no-such-page/",
    }


def _check(page, label):
    result = page.evaluate(OVERFLOW_JS)
    assert result["scroll"] <= result["client"], f"{label}: page pans sideways {result}"
    assert not result["wide"], f"{label}: wider than the screen: {result['wide']}"
    assert page.locator("header.site-header").count() == 1, f"{label}: no site header"
    assert page.locator("footer.site-footer").count() == 1, f"{label}: no site footer"
    text = page.evaluate("() => document.body.innerText")
    words = {
        w for w in re.findall(r"[A-Za-z][A-Za-z0-9]+", text) if w.upper() not in ALLOWED_LATIN and w not in PINYIN_HINTS
    }
    assert not words, f"{label}: English a user can see: {sorted(words)[:10]}"


def _header_height_ok(page, label):
    """On a phone the header is one line plus the search box: brand and menu button share a row."""
    box = page.locator("header.site-header").bounding_box()
    assert box["height"] <= 140, f"{label}: header is {box['height']} px tall"
    assert page.locator(".menu-button").is_visible(), f"{label}: no menu button"
    assert not page.locator("#site-menu").is_visible(), f"{label}: theme menu not collapsed"


def test_every_public_page_fits_every_role_at_both_sizes(live_server, browser, site_pages):
    factories.campaign()
    pages = _catalogue()
    paths = _paths(pages)
    users = {}
    for role in ROLES[1:]:
        users[role] = factories.user(role, username=f"every-{role}", password=PASSWORD)
        users[role].profile.display_name = NAMES[role]
        users[role].profile.save(update_fields=["display_name"])
    from review.models import Notification

    Notification.objects.create(
        user=users[Role.TEACHER],
        kind=Notification.Kind.choices[0][0],
        message="您的作品已通过县区初审。",
        link="/submit/",
    )
    shots = Path(os.environ.get("SHOTS_DIR", "/tmp/shots/uipublic/every-page"))
    shots.mkdir(parents=True, exist_ok=True)
    print(f"\nscreenshots: {shots}")
    for role in ROLES:
        for size_name, (width, height) in SIZES.items():
            user_agent = WECHAT_UA if size_name == "phone" else None
            context = browser.new_context(
                locale="zh-CN", viewport={"width": width, "height": height}, user_agent=user_agent
            )
            page = context.new_page()
            page.set_default_timeout(20000)
            try:
                if role != "anonymous":
                    page.goto(live_server.url + "/accounts/login/")
                    page.fill("input[name=username]", f"every-{role}")
                    page.fill("input[name=password]", PASSWORD)
                    page.locator("main button[type=submit]").click()
                    page.wait_for_load_state()
                    assert "/accounts/login/" not in page.url, f"{role} could not sign in"
                for name, path in paths.items():
                    if role == "anonymous" and name in ("notifications", "my-library"):
                        continue  # they send an anonymous reader to the login page, checked as "login"
                    label = f"{role} {size_name} {name}"
                    response = page.goto(live_server.url + path)
                    expected = 404 if name == "not-found" else 200
                    assert response.status == expected, f"{label}: HTTP {response.status}"
                    page.wait_for_load_state("load")
                    _check(page, label)
                    if size_name == "phone":
                        _header_height_ok(page, label)
                    if name == "search" and size_name == "phone":
                        # Results before the filters: the first result is on the first screen.
                        first = page.locator("ol.hits li.hit").first.bounding_box()
                        assert first and first["y"] < height, f"{label}: first result at {first}"
                    page.screenshot(path=str(shots / f"{role}-{size_name}-{name}.png"), full_page=False)
                if role == Role.TEACHER:
                    badge = page.locator(".site-header .badge").first
                    assert badge.inner_text() == "1"
            finally:
                context.close()
