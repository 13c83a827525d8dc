"""Fixtures shared by the catalogue's tests."""

import pytest

from catalogue.models import ResourceGalleryImage, ResourcePage
from catalogue.services import national_index_ensure
from tests import factories


@pytest.fixture
def catalogue_site(site_pages):
    """A catalogue as a visitor meets it: resources with covers, videos, downloads and a gallery,
    national resources, several campaigns, popular items."""
    video = factories.document("微课", name="lesson.mp4", data=b"\x00\x00\x00\x18ftypmp42" + bytes(1000))
    design = factories.document("教学设计", name="设计.pdf")
    first = factories.resource(
        title="嵖岈山｜花岗岩地貌的形成",
        files=[(video, "video"), (design, "document")],
        subjects=("地理", "科学"),
        school=factories.school_(name="遂平县第一初级中学"),
        view_count=12,
    )
    gallery = factories.resource(title="嵖岈山｜奇石图集", resource_type="gallery", subjects=("美术",))
    for caption in ("一", "二", "三"):
        ResourceGalleryImage.objects.create(page=gallery, image=factories.image(f"奇石{caption}"), caption=caption)
    for i in range(14):
        factories.resource(title=f"杨靖宇｜第{i}课", topic="杨靖宇将军纪念馆", view_count=i)
    factories.campaign(year=2025, open_now=False)
    national = national_index_ensure()
    for i in range(3):
        factories.resource(title=f"国家平台资源{i}", parent=national, source=ResourcePage.Source.NATIONAL)
    return {"resource": first, "gallery": gallery}
