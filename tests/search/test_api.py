"""The public contract of /search/, /api/search/ and /api/search/suggest/ (other tools call it)."""

import pytest

pytestmark = pytest.mark.django_db

RESULT_KEYS = {
    "id",
    "title",
    "url",
    "theme",
    "topic",
    "subjects",
    "stage",
    "resource_type",
    "region",
    "year",
    "highlight",
}
FACET_KEYS = {"theme", "topic", "subject", "stage", "type", "region", "year", "award"}


def test_api_search_contract(client, corpus):
    data = client.get("/api/search/", {"q": "嫘祖"}).json()
    assert set(data) == {"count", "page", "results", "facets"}
    assert data["count"] == 2 and data["page"] == 1
    first = data["results"][0]
    assert set(first) == RESULT_KEYS
    assert first["title"] == "嫘祖文化｜嫘祖养蚕缫丝的传说"
    assert first["url"] == corpus["leizu_legend"].url
    assert first["theme"] == "传统文化" and first["topic"] == "嫘祖文化"
    assert first["subjects"] == ["语文"] and first["stage"] == "小学"
    assert first["resource_type"] == "微课视频" and first["region"] == "西平县" and first["year"] == 2026
    assert "<mark>嫘祖</mark>" in first["highlight"]["title"]
    assert set(data["facets"]) == FACET_KEYS
    assert {"value": "语文", "count": 1} in data["facets"]["subject"]
    assert all(set(item) == {"value", "count"} for values in data["facets"].values() for item in values)


def test_api_filters_by_the_chinese_names_shown_in_facets(client, corpus):
    data = client.get("/api/search/", {"q": "嫘祖", "subject": "科学", "stage": "初中", "year": "2026"}).json()
    assert [r["title"] for r in data["results"]] == ["从蚕茧到丝绸的科学探究"]
    assert data["facets"]["subject"] == [{"value": "科学", "count": 1}]


def test_award_facet_and_filter(client, corpus):
    from catalogue.models import ResourcePage
    from search.services import search_documents_sync

    ResourcePage.objects.filter(pk=corpus["chayashan"].pk).update(award="一等奖")
    search_documents_sync(resource_ids=[corpus["chayashan"].pk])
    data = client.get("/api/search/", {"q": "嵖岈山"}).json()
    assert data["facets"]["award"] == [{"value": "一等奖", "count": 1}]
    only = client.get("/api/search/", {"q": "嵖岈山", "award": "一等奖"}).json()
    assert [r["id"] for r in only["results"]] == [corpus["chayashan"].pk]


def test_pagination(client, publish):
    for i in range(14):
        publish(title=f"铜山湖湿地生态 第{i + 1}课", topic="铜山湖", region="泌阳县")
    first = client.get("/api/search/", {"q": "铜山湖"}).json()
    second = client.get("/api/search/", {"q": "铜山湖", "page": 2}).json()
    assert first["count"] == 14 and len(first["results"]) == 12 and second["page"] == 2 and len(second["results"]) == 2
    assert not {r["id"] for r in first["results"]} & {r["id"] for r in second["results"]}
    beyond = client.get("/api/search/", {"q": "铜山湖", "page": 99}).json()
    assert beyond["page"] == 2
    html = client.get("/search/", {"q": "铜山湖"}).content.decode()
    assert "第 1 / 2 页" in html and "page=2" in html


@pytest.mark.parametrize(
    "q",
    [
        '"',
        "/",
        "*",
        ":",
        "(",
        "'",
        "--",
        '嫘祖" OR 1=1 --',
        "title:(嫘祖*) AND /regex/",
        "'; DROP TABLE search_searchposting; --",
        "%_%\\",
        "\x00嫘祖",
        "嫘" * 5000,
        "leizu " * 400,
        "🙂🙂🙂",
        "   ",
    ],
)
def test_bad_queries_get_a_normal_page(client, corpus, q):
    for url in ("/search/", "/api/search/", "/api/search/suggest/"):
        response = client.get(url, {"q": q, "page": "abc", "sort": "bogus", "year": "x' or 1=1", "subject": "不存在"})
        assert response.status_code == 200, url
    assert client.get("/api/search/", {"q": '嫘祖" OR 1=1 --'}).json()["count"] == 2


def test_search_page_shows_highlights_facets_and_sorts(client, corpus):
    response = client.get("/search/", {"q": "嫘祖"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<mark>嫘祖</mark>" in html
    assert "“嫘祖” 共找到 2 个资源" in html
    assert 'data-facet="subject"' in html and "科学" in html
    assert "sort=newest" in html and "sort=popular" in html
    assert "<script>" not in html and "onclick" not in html and "style=" not in html
    assert "search/suggest.js" in html
    narrowed = client.get("/search/", {"q": "嫘祖", "subject": "科学"}).content.decode()
    assert "从蚕茧到丝绸的科学探究" in narrowed and "嫘祖养蚕缫丝的传说" not in narrowed
    assert "学科：科学" in narrowed  # the chosen filter, with a link to remove it


def test_search_page_escapes_what_was_typed(client, corpus):
    html = client.get("/search/", {"q": "<script>alert(1)</script>嫘祖"}).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_no_results_page_gives_tips(client, corpus):
    html = client.get("/search/", {"q": "qqqzzzxxx"}).content.decode()
    assert "没有找到相关资源" in html and "拼音" in html


def test_suggest_contract(client, corpus):
    data = client.get("/api/search/suggest/", {"q": "lei"}).json()
    assert set(data) == {"suggestions"}
    assert all(set(s) == {"text", "url"} for s in data["suggestions"])
    texts = [s["text"] for s in data["suggestions"]]
    assert texts[0] == "嫘祖文化"  # the topic first
    assert "嫘祖文化｜嫘祖养蚕缫丝的传说" in texts
    chinese = [s["text"] for s in client.get("/api/search/suggest/", {"q": "嵖"}).json()["suggestions"]]
    assert "嵖岈山｜花岗岩地貌的形成" in chinese
    initials = [s["text"] for s in client.get("/api/search/suggest/", {"q": "cys"}).json()["suggestions"]]
    assert "嵖岈山" in initials
    assert client.get("/api/search/suggest/", {"q": ""}).json() == {"suggestions": []}


def test_unpublished_never_in_suggestions(client, corpus, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        corpus["zhugou"].unpublish()
    texts = [s["text"] for s in client.get("/api/search/suggest/", {"q": "竹沟"}).json()["suggestions"]]
    assert "“小延安”竹沟的故事" not in texts
