"""The Chinese analysis module: segmentation with our dictionary, pinyin, folding, synonyms."""

import pytest

from search import analysis
from search.vocabulary import ensure_loaded

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _lexicon(db):
    ensure_loaded(force=True)


def test_local_names_stay_whole():
    tokens = analysis.index_tokens("嵖岈山花岗岩地貌的形成")
    assert "嵖岈山" in tokens and "花岗岩" in tokens
    assert "嵖" not in tokens and "的" not in tokens  # no split names, no function words
    assert "嫘祖" in analysis.index_tokens("西平县被认定为嫘祖故里")


def test_search_mode_keeps_long_words_and_the_words_inside():
    tokens = analysis.index_tokens("确山县竹沟镇中心小学")
    assert {"确山县", "竹沟"} <= set(tokens)


def test_taxonomy_names_join_the_dictionary(django_capture_on_commit_callbacks):
    from catalogue.models import Region, School

    assert "驿城区第九实验学校" not in analysis.index_tokens("驿城区第九实验学校的课")
    with django_capture_on_commit_callbacks(execute=True):
        School.objects.create(region=Region.objects.get(name="驿城区"), name="驿城区第九实验学校")
    ensure_loaded()
    assert "驿城区第九实验学校" in analysis.index_tokens("驿城区第九实验学校的课")


def test_pinyin_full_and_initials():
    assert analysis.to_pinyin("嵖岈山") == ("chayashan", "cys")
    assert analysis.to_pinyin("嫘祖") == ("leizu", "lz")
    tokens = analysis.pinyin_tokens("嫘祖文化｜嫘祖养蚕缫丝的传说")
    assert {"leizu", "lz", "leizuwenhua", "lzwh"} <= tokens


def test_folding_traditional_full_width_and_case():
    assert analysis.fold("嫘祖傳說") == "嫘祖传说"
    assert analysis.fold("ＬｅｉＺｕ") == "leizu"
    assert analysis.query_words("驻马店國家級非遺") == analysis.query_words("驻马店国家级非遗")


def test_bigrams_cover_unknown_words():
    assert analysis.bigrams("嵖岈山") == {"嵖岈", "岈山"}


def test_synonyms_expand_each_word_both_ways():
    mapping = analysis.synonym_map([["红色文化", "革命传统"], ["非遗", "非物质文化遗产"]])
    assert mapping["红色文化"] == {"革命传统"} and mapping["革命传统"] == {"红色文化"}
    plan = analysis.plan_query("革命传统", mapping)
    first = plan.tiers[0]
    assert len(first.groups) == 1 and {"革命传统", "红色文化"} <= first.groups[0].terms


def test_split_synonym_terms_accepts_chinese_punctuation():
    assert analysis.split_synonym_terms("红色文化、革命传统，红色基因; 初心") == [
        "红色文化",
        "革命传统",
        "红色基因",
        "初心",
    ]


def test_query_plans():
    plan = analysis.plan_query("cha ya shan")
    assert plan.tiers[0].groups[0].prefixes == frozenset({"chayashan"})
    assert plan.tiers[1].min_match == 3
    typo = analysis.plan_query("查牙山")
    relaxed = typo.tiers[-1]
    assert relaxed.min_match == 1 and any("chayashan" in g.terms for g in relaxed.groups)
    assert analysis.plan_query("").is_empty
    nonsense = analysis.plan_query("\"*:('--")
    assert nonsense.nothing and not nonsense.is_empty
    long = analysis.plan_query("嫘祖" * 1000)
    assert len(long.text) == analysis.MAX_QUERY_CHARS


def test_highlight_escapes_and_marks():
    plan = analysis.plan_query("嫘祖")
    assert analysis.highlight("<b>嫘祖</b>故里", plan) == "&lt;b&gt;<mark>嫘祖</mark>&lt;/b&gt;故里"
    pinyin = analysis.plan_query("cys")
    assert analysis.highlight("嵖岈山奇石", pinyin) == "<mark>嵖岈山</mark>奇石"
    snippet = analysis.highlight("一" * 200 + "嫘祖" + "二" * 200, plan, snippet_chars=40)
    assert "<mark>嫘祖</mark>" in snippet and snippet.startswith("…") and snippet.endswith("…")
