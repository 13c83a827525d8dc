"""Wagtail API v2 is read-only and shows only live pages and the files of live resources."""

import pytest

from tests import factories

pytestmark = pytest.mark.django_db


def test_pages_api_lists_live_resources_only(client, site_pages):
    live = factories.resource(title="嵖岈山｜已发布")
    draft = factories.resource(title="嵖岈山｜草稿", publish=False)
    data = client.get("/api/v2/pages/?type=catalogue.ResourcePage&fields=theme,topic,year").json()
    ids = {item["id"] for item in data["items"]}
    assert live.pk in ids and draft.pk not in ids
    assert client.get(f"/api/v2/pages/{draft.pk}/").status_code == 404


def test_documents_and_images_api_hide_drafts_files(client, site_pages):
    public_doc = factories.document("公开课件")
    draft_doc = factories.document("草稿课件")
    live = factories.resource(title="嵖岈山｜已发布", files=[(public_doc, "document")])
    draft = factories.resource(title="嵖岈山｜草稿", publish=False, files=[(draft_doc, "document")])
    docs = {d["id"] for d in client.get("/api/v2/documents/").json()["items"]}
    assert public_doc.pk in docs and draft_doc.pk not in docs
    images = {i["id"] for i in client.get("/api/v2/images/").json()["items"]}
    assert live.cover_image_id in images and draft.cover_image_id not in images


def test_api_is_read_only(client, site_pages):
    assert client.post("/api/v2/pages/", {"title": "x"}).status_code == 405
