"""Office documents read in the page: converted to PDF by LibreOffice after publication where it is
installed; where it is not (or the file cannot be converted) the page says so and offers the
download."""

import shutil
import subprocess

import pytest
from django.urls import reverse

from catalogue import previews
from catalogue.models import DocumentPreview
from tests import factories

pytestmark = pytest.mark.django_db


def _publish_worksheet(data: bytes, name="renwudan.docx"):
    doc = factories.document("学习任务单", name=name, data=data)
    return factories.resource(
        title="竹沟｜革命故事学习任务单", topic="竹沟革命根据地", resource_type="worksheet", files=[(doc, "document")]
    )


def test_without_libreoffice_the_page_offers_the_download_and_says_why(
    client, site_pages, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(previews, "libreoffice_binary", lambda: None)
    with django_capture_on_commit_callbacks(execute=True):
        page = _publish_worksheet(b"PK\x03\x04" + b"0" * 400)
    preview = DocumentPreview.objects.get(document=page.files.get().document)
    assert preview.status == DocumentPreview.Status.UNAVAILABLE and not preview.file
    html = client.get(page.url).content.decode()
    assert "服务器未安装 LibreOffice" in html and "data-pdf" not in html
    assert "下载学习任务单" in html
    assert client.get(reverse("catalogue:document_preview", args=[page.files.get().pk])).status_code == 404


@pytest.mark.skipif(
    not previews.libreoffice_binary(), reason="LibreOffice is not installed (apt-get install libreoffice-writer)"
)
def test_a_published_docx_is_read_in_the_page_as_pdf(client, site_pages, tmp_path, django_capture_on_commit_callbacks):
    source = tmp_path / "renwudan.txt"
    source.write_text("竹沟革命根据地学习任务单：阅读材料，回答三个问题。\n", encoding="utf-8")
    subprocess.run(
        [previews.libreoffice_binary(), f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
         "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(tmp_path), str(source)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        page = _publish_worksheet((tmp_path / "renwudan.docx").read_bytes())
    f = page.files.get()
    assert DocumentPreview.objects.get(document=f.document).status == DocumentPreview.Status.READY
    url = reverse("catalogue:document_preview", args=[f.pk])
    assert f'data-pdf="{url}"' in client.get(page.url).content.decode()
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = b"".join(response.streaming_content) if response.streaming else response.content
    if shutil.which("pdftotext"):
        (tmp_path / "out.pdf").write_bytes(pdf)
        text = subprocess.run(["pdftotext", str(tmp_path / "out.pdf"), "-"], capture_output=True, text=True).stdout
        assert "竹沟革命根据地学习任务单" in text
    # Unpublished: the rendering is gone from public view with the document.
    page.unpublish()
    assert client.get(url).status_code == 404
