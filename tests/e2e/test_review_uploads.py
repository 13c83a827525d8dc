"""The teacher's submission form in the browser: a 图片图集 with several images goes through the real
form and its upload script; a refused file is reported beside its field and nothing is stored."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from wagtail.images import get_image_model

from catalogue.models import ResourcePage
from review.models import FileCheck, Stage, Submission
from tests.e2e.signin import fill_the_form, teacher_at_the_form
from tests.review import media

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _fill(page, *, title, resource_type):
    fill_the_form(page, title=title, resource_type=resource_type, description="嵖岈山四季的花岗岩奇石，一组照片。")


def _stored() -> set[str]:
    root = Path(settings.MEDIA_ROOT)
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def test_a_gallery_of_several_images_is_submitted_through_the_form(live_server, browser):
    page = teacher_at_the_form(browser, live_server, viewport={"width": 1280, "height": 900})
    _fill(page, title="嵖岈山｜四季奇石图集", resource_type="图片图集")
    images = [
        {"name": f"嵖岈山{n}.jpg" if n % 2 else f"嵖岈山{n}.png", "mimeType": "image/png", "buffer": data}
        for n, data in enumerate(
            [
                media.jpeg(size=(1600, 900)),
                media.png(colour=(20, 90, 40)),
                media.jpeg(size=(900, 1200)),
                media.png(colour=(200, 120, 40)),
            ],
            start=1,
        )
    ]
    page.set_input_files("#id_gallery", images)
    page.set_input_files("#id_cover", {"name": "封面.png", "mimeType": "image/png", "buffer": media.png()})
    page.get_by_role("button", name="保存并提交评审").click()
    page.wait_for_url(re.compile(r".*/submit/\d+/$"))
    assert page.locator("#submission-status").inner_text() == "县区初审中"
    submission = Submission.objects.get()
    assert submission.status == Stage.COUNTY_REVIEW
    draft = submission.page.get_latest_revision_as_object()
    gallery = [item.image for item in draft.gallery_images.all()]
    assert len(gallery) == 4
    assert sorted((i.width, i.height) for i in gallery) == [(900, 1200), (1280, 720), (1280, 720), (1600, 900)]
    assert ResourcePage.objects.get(pk=submission.page_id).gallery_images.count() == 4
    stored = _stored()
    assert {i.file.name for i in get_image_model().objects.all()} == {
        f for f in stored if f.startswith("original_images/")
    }
    assert len([f for f in stored if f.startswith("original_images/")]) == 5  # four images and the cover
    assert FileCheck.objects.filter(role="image", state=FileCheck.State.PASSED).count() == 4


def test_a_refused_file_is_shown_beside_its_field(live_server, browser):
    page = teacher_at_the_form(browser, live_server, viewport={"width": 1280, "height": 900})
    _fill(page, title="嵖岈山｜微课", resource_type="微课视频")
    page.set_input_files("#id_main_file", {"name": "微课.mp4", "mimeType": "video/mp4", "buffer": media.windows_exe()})
    page.set_input_files("#id_cover", {"name": "封面.png", "mimeType": "image/png", "buffer": media.png()})
    page.get_by_role("button", name="保存草稿").click()
    error = page.locator(".field.has-error").filter(has=page.locator("#id_main_file")).locator("p.error")
    assert error.inner_text().startswith("《微课.mp4》是可执行文件或脚本，不允许上传。请选择作品本身的文件（")
    assert "没有保存" in page.locator("#form-errors").inner_text()
    assert not Submission.objects.exists() and _stored() == set()


def test_a_file_over_its_limit_is_flagged_before_anything_is_sent(live_server, browser, settings):
    page = teacher_at_the_form(browser, live_server, viewport={"width": 1280, "height": 900})
    _fill(page, title="嵖岈山｜微课", resource_type="微课视频")
    requests = []
    page.on("request", lambda r: requests.append(r) if r.method == "POST" else None)
    big = {"name": "封面.png", "mimeType": "image/png", "buffer": media.png() + b"\0" * (21 * 1024 * 1024)}
    page.set_input_files("#id_cover", big)
    error = page.locator(".field.has-error").filter(has=page.locator("#id_cover")).locator("p.error")
    assert re.fullmatch(r"《封面\.png》有 21\.\d MB，超过了上限 20\.0 MB。请压缩后再上传。", error.inner_text())
    page.get_by_role("button", name="保存草稿").click()
    assert "超过了上限 20.0 MB" in page.locator("#form-errors").inner_text()
    assert requests == [] and not Submission.objects.exists() and _stored() == set()
