"""Shared set-up for the indicators benchmarks: a fresh migrated database (SQLite file or the
PostgreSQL database named by --pg), Django configured with the dev settings."""

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_PORT = os.environ.get("BENCH_PG_PORT", "54329")  # scripts/start-postgres.sh's port
PG_URL = f"postgres://zmd:zmd@127.0.0.1:{PG_PORT}/zmd_indicators"


def setup(engine: str, *, recording: str = "buffer") -> str:
    """engine: "sqlite" (a new temporary file) or "pg" (database zmd_indicators, recreated)."""
    sys.path.insert(0, str(ROOT))
    if engine == "pg":
        import psycopg

        with psycopg.connect(f"postgresql://zmd:zmd@127.0.0.1:{PG_PORT}/postgres", autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS zmd_indicators")
            conn.execute("CREATE DATABASE zmd_indicators")
        os.environ["DATABASE_URL"] = PG_URL
    else:
        path = Path(tempfile.mkdtemp(prefix="zmd-bench-")) / "bench.sqlite3"
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    os.environ["MEDIA_ROOT"] = tempfile.mkdtemp(prefix="zmd-bench-media-")
    import django
    from django.conf import settings

    django.setup()
    settings.INDICATORS_RECORDING = recording
    # As in production, where the worker runs the scheduled refresh: no refresh thread in this
    # process (the benchmarks time the refresh themselves where they mean to).
    settings.INDICATORS_SCHEDULER = "off"
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["*"]
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if engine == "sqlite":
        from django.db import connection

        with connection.cursor() as cursor:  # the production SQLite setting for concurrent writers
            cursor.execute("PRAGMA journal_mode=WAL")
    return os.environ["DATABASE_URL"]


def machine() -> str:
    """CPU model and count, memory, Python, and the load average now (the machine is shared)."""
    import platform

    mem = model = ""
    try:
        with open("/proc/meminfo") as fh:
            mem = f"{int(fh.readline().split()[1]) / 1024 / 1024:.1f} GiB RAM"
        with open("/proc/cpuinfo") as fh:
            model = next((line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")), "")
    except OSError:
        pass
    load = "load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
    return f"{os.cpu_count()} CPU ({model}), {mem}, Python {platform.python_version()}, {load}"
