"""荣誉证书: the teacher of an awarded work downloads a PDF from 我的申报 once it is published; its
text reads in Chinese (pdftotext), its QR code leads to a public verification page."""

import re
import shutil
import subprocess

import pytest

from certificates.models import Certificate
from review import services
from tests.review.conftest import noticed, people, reviewed  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture
def awarded(people):  # noqa: F811
    work = reviewed(people, title="嵖岈山｜花岗岩地貌的形成", colour="0b3d0b", total=95)
    assert work.award == "first"
    return work


def _publish(people, work):  # noqa: F811
    noticed(people, [work])
    services.submissions_publish(submissions=[work], user=people.admin)
    work.refresh_from_db()
    return work


def _pdf_text(pdf: bytes, tmp_path) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed; `make test` installs it as root.")
    path = tmp_path / "certificate.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_no_certificate_before_publication_nor_for_others(client, people, awarded):  # noqa: F811
    url = f"/submit/{awarded.pk}/certificate.pdf"
    client.force_login(people.teacher)
    assert "下载荣誉证书" not in client.get("/submit/").content.decode()
    response = client.get(url)
    assert response.status_code == 403 and "发布入库并获奖后" in response.content.decode()
    _publish(people, awarded)
    for other in (people.teacher2, people.student, people.reviewer):
        client.force_login(other)
        response = client.get(url)
        assert response.status_code == 403
    client.logout()
    assert client.get(url).status_code == 302  # to the login page
    assert not Certificate.objects.exists()


def test_teacher_downloads_the_certificate_and_its_qr_code_verifies_it(client, people, awarded, tmp_path):  # noqa: F811
    import zxingcpp
    from PIL import Image

    work = _publish(people, awarded)
    client.force_login(people.teacher)
    listing = client.get("/submit/").content.decode()
    assert f"/submit/{work.pk}/certificate.pdf" in listing and "下载荣誉证书" in listing
    response = client.get(f"/submit/{work.pk}/certificate.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "%E8%8D%A3%E8%AA%89%E8%AF%81%E4%B9%A6" in response["Content-Disposition"]  # 荣誉证书-…pdf
    pdf = response.content
    text = re.sub(r"\s+", "", _pdf_text(pdf, tmp_path))
    certificate = Certificate.objects.get()
    for expected in (
        "荣誉证书",
        "在2026年驻马店市中小学特色数字资源征集活动中",
        "作品《嵖岈山｜花岗岩地貌的形成》荣获一等奖",
        "特发此证",
        "驻马店市教育局",
        "遂平县第一初级中学",
        f"证书编号：{certificate.number}",
    ):
        assert expected in text, expected
    assert re.search(r"二〇二六年[一二三四五六七八九十]+月[一二三四五六七八九十]+日", text)
    # The same certificate (same number) on every download.
    client.get(f"/submit/{work.pk}/certificate.pdf")
    assert Certificate.objects.count() == 1
    assert re.fullmatch(r"ZMD2026-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", certificate.number)

    # The QR code on the printed page leads to the verification page.
    (tmp_path / "c.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", "-singlefile", str(tmp_path / "c.pdf"), str(tmp_path / "c")], check=True
    )
    decoded = [d.text for d in zxingcpp.read_barcodes(Image.open(tmp_path / "c.png"))]
    assert decoded == [f"http://testserver/certificates/{certificate.number}/"]

    client.logout()
    page = client.get(f"/certificates/{certificate.number}/").content.decode()
    assert "嵖岈山｜花岗岩地貌的形成" in page and "一等奖" in page and "有效" in page
    assert "wangjing@example.cn" not in page  # nothing beyond what the certificate prints
    assert client.get("/certificates/ZMD2026-AAAA-BBBB-CCCC/").status_code == 404

    # Unpublished later: the verification page says it no longer holds.
    from catalogue.models import ResourcePage

    ResourcePage.objects.get(pk=work.page_id).unpublish()
    page = client.get(f"/certificates/{certificate.number}/").content.decode()
    assert "已失效" in page or "不再有效" in page
