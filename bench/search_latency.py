"""Latency of the embedded engine at 10k and 100k synthetic resources.

    DATABASE_URL=sqlite:////tmp/searchlat.sqlite3 .venv/bin/python bench/search_latency.py 10000 100000
    DATABASE_URL=postgres://zmd:zmd@127.0.0.1:54329/zmd_search_bench .venv/bin/python bench/search_latency.py 10000

Synthetic rows go straight into the index tables (no Wagtail pages): titles, topics, descriptions
and metadata are assembled from the demo vocabulary plus filler words, analysed by the real
analysis module, so term frequencies look like a real catalogue that grew a hundredfold. Each
query of the judged relevance set runs through the engine (matching, facets over the whole match
set, one page of hits) with a few filter/sort variants; we print p50/p95/max in milliseconds.
"""

import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from catalogue.demo import content  # noqa: E402
from catalogue.models import Region, ResourceType, School, Stage, Subject, Topic  # noqa: E402
from search import analysis  # noqa: E402
from search.documents import FIELD_WEIGHTS, analysed_fields  # noqa: E402
from search.engines import Filter, SearchRequest, columns, embedded_engine  # noqa: E402
from search.models import SearchDocument, SearchDocumentSubject, SearchIndexState, SearchPosting  # noqa: E402
from search.vocabulary import ensure_loaded, synonyms, taxonomy_names  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from search_relevance import JUDGED  # noqa: E402

FILLER = (
    "课堂 教学 探究 实践 观察 记录 设计 活动 学生 教师 故事 传统 历史 地理 科学 文化 生态 劳动 安全 "
    "阅读 写作 朗诵 歌曲 绘画 摄影 手工 实验 调查 统计 数据 地图 季节 植物 动物 河流 山区 乡村 城市 "
    "英雄 精神 礼仪 节日 美食 民俗 非遗 技艺 传承 保护 家乡 研学 旅行 导览 展馆 文物 诗词 书法 音乐 "
    "舞蹈 体育 健康 环保 水利 农业 工业 交通 科技 人工智能 编程 机器人 天文 气象 地质 岩石 矿物"
).split()


SYLLABLES = "青石龙凤云松梅竹桃李金银玉白红黄紫东西南北清泉明月长乐太平安宁永兴福寿"
PLACE_SUFFIX = ["山", "湖", "河", "村", "寺", "古镇", "文化", "纪念馆", "湿地", "水库"]


def synthetic_taxonomy(n: int, rng):
    """A catalogue a hundred times larger also has a larger taxonomy: about one topic per 300
    resources and one school per 150, next to the real ones (which keep their real names)."""
    topics = [(t.name, t.pk, t.theme_id, t.theme.name, t.description) for t in Topic.objects.select_related("theme")]
    themes = [(t[2], t[3]) for t in topics]
    for k in range(max(0, n // 300 - len(topics))):
        name = rng.choice(SYLLABLES) + rng.choice(SYLLABLES) + rng.choice(PLACE_SUFFIX)
        theme_id, theme_name = rng.choice(themes)
        topics.append((name, 100_000 + k, theme_id, theme_name, f"{name}的历史、地理与文化。"))
    rng.shuffle(topics)
    regions = list(Region.objects.all())
    schools = [(s.name, s.region_id) for s in School.objects.all()]
    for k in range(max(0, n // 150 - len(schools))):
        region = rng.choice(regions)
        schools.append((f"{region.name}第{k + 1}{rng.choice(['小学', '初级中学', '高级中学'])}", region.pk))
    return topics, regions, schools


def synthetic_rows(n: int, seed: int = 7):
    rng = random.Random(seed)
    topics, regions, schools = synthetic_taxonomy(n, rng)
    region_names = {r.pk: r.name for r in regions}
    subjects = list(Subject.objects.all())
    stages = list(Stage.objects.all())
    types = list(ResourceType.objects.all())
    angles = {t: items for t, (_region, items) in content.TOPICS.items()}
    cache: dict = {}

    def fields(key, **parts):
        if key not in cache:
            cache[key] = analysed_fields(**parts)
        return cache[key]

    now = timezone.now()
    topic_weights = [1 / (i + 1) ** 0.6 for i in range(len(topics))]
    for i in range(n):
        topic_name, topic_id, theme_id, theme_name, topic_description = rng.choices(topics, weights=topic_weights)[0]
        if topic_name in angles:
            angle = rng.choice(angles[topic_name])
            phrase, sentence = angle[0], angle[1]
        else:
            a, b = rng.sample(FILLER, 2)
            phrase, sentence = f"{topic_name}{a}{b}", f"围绕{topic_name}开展{a}与{b}。"
        extra = rng.sample(FILLER, 3)
        school_name, region_id = rng.choice(schools)
        author = rng.choice(content.AUTHORS)
        subject_rows = rng.sample(subjects, rng.choice((1, 1, 2)))
        parts = [
            fields(("t", topic_name, phrase), title=f"{topic_name}｜{phrase}", topic=topic_name, meta=[], body=""),
            fields(("d", sentence, topic_description), title="", topic="", meta=[], body=sentence + topic_description),
            fields(("x", extra[0]), title=extra[0], topic="", meta=[], body=""),
            fields(("b", extra[1], extra[2]), title="", topic="", meta=[], body=f"{extra[1]}与{extra[2]}"),
            fields(("m", theme_name, school_name, author), title="", topic="",
                   meta=[theme_name, region_names[region_id], school_name, author], body=""),
        ]
        postings: dict[str, int] = {}
        for part in parts:
            for name, tokens in part.items():
                w = FIELD_WEIGHTS[name]
                for token in tokens:
                    if postings.get(token, 0) < w:
                        postings[token] = w
        yield {
            "id": 1_000_000 + i,
            "title": f"{topic_name}｜{phrase}{extra[0]}",
            "description": f"{sentence}{topic_description}本资源适合{extra[1]}与{extra[2]}教学。",
            "topic_id": topic_id,
            "topic_name": topic_name,
            "theme_id": theme_id,
            "stage_id": rng.choice(stages).pk,
            "type_id": rng.choice(types).pk,
            "region_id": region_id,
            "year": rng.choice((2023, 2024, 2025, 2026)),
            "award": rng.choices(("", "一等奖", "二等奖", "三等奖"), weights=(85, 3, 5, 7))[0],
            "published_at": now - timezone.timedelta(minutes=i),
            "view_count": int(rng.paretovariate(1.2)) - 1,
            "subjects": [s.pk for s in subject_rows],
            "postings": postings,
        }


def fill(n: int) -> int:
    doc, post, subj = SearchDocument._meta.db_table, SearchPosting._meta.db_table, SearchDocumentSubject._meta.db_table
    with transaction.atomic():
        SearchPosting.objects.all()._raw_delete(connection.alias)
        SearchDocumentSubject.objects.all()._raw_delete(connection.alias)
        SearchDocument.objects.all()._raw_delete(connection.alias)
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX IF EXISTS search_posting_term")
    total, docs, subs, posts = 0, [], [], []

    def flush():
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {doc} (resource_id, title, topic_name, description, url, theme_id, topic_id, stage_id,"
                " resource_type_id, region_id, year, award, published_at, view_count, indexed_at)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                docs,
            )
            cursor.executemany(f"INSERT INTO {subj} (document_id, subject_id) VALUES (%s, %s)", subs)
            cursor.executemany(f"INSERT INTO {post} (term, document_id, weight) VALUES (%s, %s, %s)", posts)
        docs.clear(), subs.clear(), posts.clear()

    now = timezone.now()
    for row in synthetic_rows(n):
        docs.append((row["id"], row["title"], row["topic_name"], row["description"], f"/ziyuan/{row['id']}/", row["theme_id"], row["topic_id"], row["stage_id"], row["type_id"],
                     row["region_id"], row["year"], row["award"], row["published_at"], row["view_count"], now))
        subs.extend((row["id"], s) for s in row["subjects"])
        posts.extend((t[:64], row["id"], w) for t, w in row["postings"].items())
        total += len(row["postings"])
        if len(docs) >= 2000:
            flush()
    flush()
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE INDEX search_posting_term ON {post} (term, document_id, weight)")
        if connection.vendor == "postgresql":
            # What autovacuum does within a minute or so of a bulk load; without it PostgreSQL's
            # index-only scans still visit the table (p95 at 100k measured 42.5 ms instead of 26.9).
            cursor.execute(f"VACUUM ANALYZE {doc}, {subj}, {post}")
        else:
            cursor.execute("ANALYZE")
    SearchIndexState.touch()  # rows went in behind the engine's back: tell every process's columns
    return total


def percentile(values, p):
    values = sorted(values)
    k = (len(values) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def requests():
    names = taxonomy_names()
    by_name = {f: {v: k for k, v in m.items()} for f, m in names.items()}
    out = []
    for _kind, q, _topics, _words in JUDGED:
        plan = analysis.plan_query(q, synonyms())
        out.append(("query", SearchRequest(plan=plan)))
    for q in ("嫘祖", "chayashan", "竹沟 研学", "lz"):
        plan = analysis.plan_query(q, synonyms())
        out.append(("query+filter", SearchRequest(plan=plan, filters=[Filter("subject", "语文", by_name["subject"]["语文"])])))
        out.append(("query+sort", SearchRequest(plan=plan, sort="popular")))
        out.append(("query+page 5", SearchRequest(plan=plan, offset=48)))
    out.append(("browse all", SearchRequest(plan=analysis.plan_query(""))))
    out.append(("browse+filter", SearchRequest(plan=analysis.plan_query(""), filters=[Filter("stage", "初中", by_name["stage"]["初中"])])))
    return out


def main(sizes):
    call_command("migrate", verbosity=0)
    ensure_loaded(force=True)
    engine = embedded_engine()
    print(f"database: {connection.vendor}\n")
    print("| resources | postings | fill s | queries | p50 ms | p95 ms | max ms | browse-all ms | largest match "
          "| columns load ms | view-count reload ms | columns MB |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    slowest = []
    for n in sizes:
        started = time.perf_counter()
        if REUSE and SearchDocument.objects.count() == n:
            postings = SearchPosting.objects.count()  # already filled by an earlier run: time queries only
        else:
            postings = fill(n)
        fill_s = time.perf_counter() - started
        reqs = requests()
        for _label, req in reqs:  # warm up caches
            engine.search(req)
        timings, browse, largest, per_query = [], [], 0, {}
        for _ in range(3):
            for label, req in reqs:
                t0 = time.perf_counter()
                result = engine.search(req)
                ms = (time.perf_counter() - t0) * 1000
                largest = max(largest, result.total if label != "browse all" else 0)
                (browse if label == "browse all" else timings).append(ms)
                key = f"{label}: {req.plan.text or '(empty)'}"
                per_query[key] = max((ms, result.total), per_query.get(key, (0, 0)))
        slowest.append((n, sorted(per_query.items(), key=lambda kv: -kv[1][0])[:5]))
        # The first search after a write to the index reloads this process's facet columns.
        tokens = columns.current_tokens()
        loads, reloads = [], []
        for _ in range(3):
            t0 = time.perf_counter()
            snapshot = columns.load(tokens)
            loads.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            columns.reload_views(snapshot, tokens)
            reloads.append((time.perf_counter() - t0) * 1000)
        size_mb = sum(a.nbytes for a in (snapshot.ids, snapshot.subjects, snapshot.views, snapshot.recency,
                                         *snapshot.codes.values(), *snapshot.values.values())) / 2**20
        print(
            f"| {n:,} | {postings:,} | {fill_s:.0f} | {len(reqs) - 1} × 3 | {statistics.median(timings):.1f} | "
            f"{percentile(timings, 95):.1f} | {max(timings):.1f} | {statistics.median(browse):.1f} | {largest:,} "
            f"| {statistics.median(loads):.0f} | {statistics.median(reloads):.0f} | {size_mb:.1f} |"
        )
        sys.stdout.flush()
    for n, rows in slowest:
        print(f"\nslowest at {n:,}: " + "; ".join(f"{k} {ms:.0f} ms ({total:,} matches)" for k, (ms, total) in rows))


REUSE = "--reuse" in sys.argv  # keep an index of the same size from an earlier run (PostgreSQL fills slowly)

if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:] if a.isdigit()] or [10_000, 100_000])
