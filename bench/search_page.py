"""What the search page and API add on top of the engine: the whole Django request (middleware,
re-reading the hits through live_resources(), highlighting, template or JSON) on the demo site.

    DATABASE_URL=sqlite:////tmp/searchbench.sqlite3 .venv/bin/python manage.py migrate
    DATABASE_URL=sqlite:////tmp/searchbench.sqlite3 .venv/bin/python manage.py seed_demo
    DATABASE_URL=sqlite:////tmp/searchbench.sqlite3 .venv/bin/python bench/search_page.py

The added cost does not grow with the catalogue (one page of 12 resources is rendered whatever
matched), so page latency at 100k ≈ the engine's latency at 100k (bench/search_latency.py) plus
the "added" column here. In process, through Django's test client: no network, no gunicorn.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.test import Client  # noqa: E402

from search import analysis  # noqa: E402
from search.engines import SearchRequest, embedded_engine  # noqa: E402
from search.vocabulary import ensure_loaded, synonyms  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from search_latency import percentile  # noqa: E402
from search_relevance import JUDGED  # noqa: E402

ROUNDS = 5


def timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000


def main():
    settings.DEBUG = False  # as in production: no query log, no debug templates
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    ensure_loaded(force=True)
    client, engine = Client(), embedded_engine()
    queries = [q for _kind, q, _topics, _words in JUDGED]
    samples = {"engine": [], "page": [], "api": []}
    added = {"page": [], "api": []}
    for q in queries:  # warm-up: templates, dictionaries, connections
        assert client.get("/search/", {"q": q}).status_code == 200
    for _ in range(ROUNDS):
        for q in queries:
            plan = analysis.plan_query(q, synonyms())
            engine_ms = timed(lambda plan=plan: engine.search(SearchRequest(plan=plan)))
            page_ms = timed(lambda q=q: client.get("/search/", {"q": q}))
            api_ms = timed(lambda q=q: client.get("/api/search/", {"q": q}))
            samples["engine"].append(engine_ms)
            samples["page"].append(page_ms)
            samples["api"].append(api_ms)
            added["page"].append(page_ms - engine_ms)
            added["api"].append(api_ms - engine_ms)
    print(f"demo corpus, {len(queries)} judged queries x {ROUNDS} rounds, Django test client, DEBUG off\n")
    print("| request | p50 ms | p95 ms | added over the engine: p50 ms | p95 ms |")
    print("|---|---:|---:|---:|---:|")
    for name in ("engine", "page", "api"):
        values = samples[name]
        extra = added.get(name)
        tail = f"{statistics.median(extra):.1f} | {percentile(extra, 95):.1f}" if extra else "— | —"
        label = {"engine": "engine.search()", "page": "GET /search/", "api": "GET /api/search/"}[name]
        print(f"| {label} | {statistics.median(values):.1f} | {percentile(values, 95):.1f} | {tail} |")


if __name__ == "__main__":
    main()
