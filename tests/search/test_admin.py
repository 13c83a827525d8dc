"""The resource admin edits search synonyms in Wagtail's admin; they apply to the next search."""

import pytest
from django.contrib.auth import get_user_model

from search.models import Synonym

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    get_user_model().objects.create_superuser("boss", "boss@example.com", "Pass#word123")
    client.login(username="boss", password="Pass#word123")
    return client


def test_admin_adds_a_synonym_that_search_then_uses(admin_client, corpus, django_capture_on_commit_callbacks):
    assert admin_client.get("/api/search/", {"q": "抗日老区"}).json()["count"] == 0
    listing = admin_client.get("/admin/snippets/search/synonym/")
    assert listing.status_code == 200 and "搜索同义词" in listing.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/admin/snippets/search/synonym/add/", {"terms": "抗日老区、小延安", "note": "竹沟"}
        )
    assert response.status_code == 302
    assert Synonym.objects.get().term_list == ["抗日老区", "小延安"]
    titles = [r["title"] for r in admin_client.get("/api/search/", {"q": "抗日老区"}).json()["results"]]
    assert titles == ["“小延安”竹沟的故事"]


def test_a_synonym_needs_two_terms(admin_client):
    response = admin_client.post("/admin/snippets/search/synonym/add/", {"terms": "红色文化", "note": ""})
    assert response.status_code == 200
    assert "请至少填写两个不同的词" in response.content.decode()
    assert not Synonym.objects.exists()
