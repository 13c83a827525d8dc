"""Relevance of our search vs Wagtail's stock database search on the demo corpus.

    DATABASE_URL=sqlite:////tmp/searchbench.sqlite3 .venv/bin/python manage.py migrate
    DATABASE_URL=sqlite:////tmp/searchbench.sqlite3 .venv/bin/python manage.py seed_demo
    DATABASE_URL=sqlite:////tmp/searchbench.sqlite3 .venv/bin/python bench/search_relevance.py

Each judged query names what a searcher wants: resources of some topics and/or resources whose
title or description contains some words. recall@10 = relevant found in the top 10 / min(|relevant|, 10);
nDCG@10 with binary gains. Printed as a Markdown table for docs/benchmarks-search.md.
"""

import math
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from catalogue.models import ResourcePage  # noqa: E402
from catalogue.selectors import live_resources  # noqa: E402
from search.selectors import search_resources  # noqa: E402

# (kind, query, topics that are relevant, words whose presence in title/description makes a resource relevant)
JUDGED = [
    # two-character names
    ("2-char", "嫘祖", ["嫘祖文化"], ["嫘祖"]),
    ("2-char", "竹沟", ["竹沟革命根据地"], ["竹沟"]),
    ("2-char", "梁祝", ["梁祝文化"], ["梁祝"]),
    ("2-char", "盘古", ["盘古文化"], ["盘古"]),
    ("2-char", "重阳", ["重阳文化"], ["重阳"]),
    ("2-char", "候鸟", [], ["候鸟"]),
    ("2-char", "英模", ["驻马店英模人物"], ["英模"]),
    ("2-char", "铁花", ["确山打铁花"], ["铁花"]),
    ("2-char", "奇石", [], ["奇石"]),
    ("2-char", "湿地", [], ["湿地"]),
    # longer phrases
    ("phrase", "杨靖宇将军纪念馆", ["杨靖宇将军纪念馆"], []),
    ("phrase", "嵖岈山花岗岩地貌", [], ["花岗岩地貌"]),
    ("phrase", "嫘祖养蚕缫丝的传说", [], ["养蚕缫丝的传说"]),
    ("phrase", "梁祝小提琴协奏曲", [], ["小提琴协奏曲"]),
    ("phrase", "确山打铁花非遗技艺", [], ["非遗技艺"]),
    ("phrase", "宿鸭湖的候鸟", [], ["宿鸭湖的候鸟"]),
    ("phrase", "薄山湖的水循环", [], ["薄山湖的水循环"]),
    ("phrase", "老乐山森林探秘", [], ["老乐山森林探秘"]),
    ("phrase", "盘古开天的神话", [], ["盘古开天的神话"]),
    ("phrase", "重阳登高与敬老", [], ["重阳登高与敬老"]),
    # several words
    ("multi", "嫘祖 养蚕", [], ["养蚕"]),
    ("multi", "嵖岈山 定向越野", [], ["嵖岈山定向越野"]),
    ("multi", "梁祝 课本剧", [], ["梁祝故事课本剧"]),
    ("multi", "竹沟 研学", [], ["竹沟研学"]),
    ("multi", "湿地 人工智能", [], ["识别湿地植物"]),
    ("multi", "候鸟 人工智能", [], ["识别候鸟"]),
    # full pinyin
    ("pinyin", "leizu", ["嫘祖文化"], ["嫘祖"]),
    ("pinyin", "chayashan", ["嵖岈山"], ["嵖岈山"]),
    ("pinyin", "cha ya shan", ["嵖岈山"], ["嵖岈山"]),
    ("pinyin", "zhugou", ["竹沟革命根据地"], ["竹沟"]),
    ("pinyin", "liangzhu", ["梁祝文化"], ["梁祝"]),
    ("pinyin", "tongshanhu", ["铜山湖"], ["铜山湖"]),
    ("pinyin", "suyahu", ["宿鸭湖"], ["宿鸭湖"]),
    ("pinyin", "laoleshan", ["老乐山"], ["老乐山"]),
    ("pinyin", "yangjingyu", ["杨靖宇将军纪念馆"], ["杨靖宇"]),
    ("pinyin", "boshanhu", ["薄山湖"], ["薄山湖"]),
    # initials
    ("initials", "lz", ["嫘祖文化", "梁祝文化"], ["嫘祖", "梁祝"]),
    ("initials", "cys", ["嵖岈山"], ["嵖岈山"]),
    ("initials", "yjy", ["杨靖宇将军纪念馆"], ["杨靖宇"]),
    ("initials", "syh", ["宿鸭湖"], ["宿鸭湖"]),
    ("initials", "dth", ["确山打铁花"], ["打铁花"]),
    ("initials", "lls", ["老乐山"], ["老乐山"]),
    # typos of place names (homophones typed with the wrong character)
    ("typo", "查牙山", ["嵖岈山"], ["嵖岈山"]),
    ("typo", "嵖牙山", ["嵖岈山"], ["嵖岈山"]),
    ("typo", "雷祖", ["嫘祖文化"], ["嫘祖"]),
    ("typo", "竹勾", ["竹沟革命根据地"], ["竹沟"]),
    ("typo", "宿鸭胡", ["宿鸭湖"], ["宿鸭湖"]),
    ("typo", "铜山胡", ["铜山湖"], ["铜山湖"]),
    ("typo", "杨靖雨", ["杨靖宇将军纪念馆"], ["杨靖宇"]),
    ("typo", "确山打铁画", ["确山打铁花"], ["打铁花"]),
]


def relevant_ids(topics, words, corpus):
    out = set()
    for r in corpus:
        text = r.title + " " + r.description
        if (r.topic and r.topic.name in topics) or any(w in text for w in words):
            out.add(r.pk)
    return out


def metrics(ranked, relevant):
    top = ranked[:10]
    ideal = min(len(relevant), 10)
    found = sum(1 for i in top if i in relevant)
    dcg = sum(1 / math.log2(rank + 2) for rank, i in enumerate(top) if i in relevant)
    idcg = sum(1 / math.log2(rank + 2) for rank in range(ideal))
    return found / ideal, dcg / idcg


def ours(q):
    return [item.resource.pk for item in search_resources({"q": q}).results][:10]


def wagtail_stock(q):
    return [p.pk for p in ResourcePage.objects.live().search(q)[:10]]


def main():
    corpus = list(live_resources())
    if not corpus:
        sys.exit("The corpus is empty: run `manage.py seed_demo` against this DATABASE_URL first.")
    call_command("search_index", "--rebuild", stdout=open(os.devnull, "w"))
    call_command("update_index", stdout=open(os.devnull, "w"))  # Wagtail's own index, fresh too
    rows, totals = [], {"ours": [0.0, 0.0], "wagtail": [0.0, 0.0]}
    by_kind: dict = {}
    for kind, q, topics, words in JUDGED:
        relevant = relevant_ids(topics, words, corpus)
        assert relevant, q
        r1, n1 = metrics(ours(q), relevant)
        r2, n2 = metrics(wagtail_stock(q), relevant)
        rows.append((kind, q, len(relevant), r1, n1, r2, n2))
        for name, (r, n) in (("ours", (r1, n1)), ("wagtail", (r2, n2))):
            totals[name][0] += r
            totals[name][1] += n
            k = by_kind.setdefault((kind, name), [0.0, 0.0, 0])
            k[0] += r
            k[1] += n
            k[2] += 1
    n = len(JUDGED)
    print(f"Corpus: {len(corpus)} live resources; {n} judged queries.\n")
    print("| kind | query | relevant | ours recall@10 | ours nDCG@10 | Wagtail recall@10 | Wagtail nDCG@10 |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for kind, q, size, r1, n1, r2, n2 in rows:
        print(f"| {kind} | {q} | {size} | {r1:.2f} | {n1:.2f} | {r2:.2f} | {n2:.2f} |")
    print("\n| kind | queries | ours recall@10 | ours nDCG@10 | Wagtail recall@10 | Wagtail nDCG@10 |")
    print("|---|---:|---:|---:|---:|---:|")
    for kind in dict.fromkeys(k for k, *_ in JUDGED):
        o, w = by_kind[(kind, "ours")], by_kind[(kind, "wagtail")]
        print(f"| {kind} | {o[2]} | {o[0] / o[2]:.3f} | {o[1] / o[2]:.3f} | {w[0] / w[2]:.3f} | {w[1] / w[2]:.3f} |")
    o, w = totals["ours"], totals["wagtail"]
    print(f"| **all** | {n} | **{o[0] / n:.3f}** | **{o[1] / n:.3f}** | {w[0] / n:.3f} | {w[1] / n:.3f} |")


if __name__ == "__main__":
    main()
