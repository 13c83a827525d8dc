"""gunicorn's settings: the web service of docker-compose.yml, the Dockerfile's default command and
the benchmarks under bench/ all start gunicorn with `-c gunicorn.conf.py` (docs/operations.md).

Worker class: gthread. nginx buffers whole requests and responses (deploy/nginx/zmd.conf), so no
slow client ever holds a worker, and video bytes are sent by nginx, not Python; what is left for a
worker is rendering pages, where a request waits on PostgreSQL and Redis for part of its time.
Threads let a process use that waiting time for another request, and every thread keeps its own
persistent database connection (CONN_MAX_AGE with health checks, config/settings/base.py).
bench/load_mix.py measures the choice (docs/benchmarks.md).

Count: WEB_WORKERS processes × WEB_THREADS threads. The default, one process per core plus one with
four threads each, keeps every core busy; on the bureau's 2-core server 3 × 4 = 12 requests in
progress at once, and 12 connections of PostgreSQL's default 100.
"""

import multiprocessing
import os

bind = "0.0.0.0:8000"
worker_class = "gthread"
workers = int(os.environ.get("WEB_WORKERS") or multiprocessing.cpu_count() + 1)
threads = int(os.environ.get("WEB_THREADS") or 4)
# A request may take this long (large exports, the technical checks of a 1 GB upload) before the
# worker is restarted; nginx's proxy_read_timeout is longer still.
timeout = 120
graceful_timeout = 30
keepalive = 5
# Recycle a process now and then (jittered so they do not all restart together): a slow leak in any
# library costs nothing.
max_requests = 5000
max_requests_jitter = 500
# No access log here: nginx keeps the one of every request (`docker compose logs nginx`).
