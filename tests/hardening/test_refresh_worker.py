"""The production worker keeps the figures fresh by itself: after `migrate` (each web start) the
refresh task is queued; django-tasks-db's real `db_worker` runs it, and it queues its own next run,
so a new visit is counted a minute later with nobody looking. PostgreSQL and the production
settings, as docker-compose runs them."""

import datetime

import psycopg
import pytest

from .conftest import manage, production_env

pytestmark = pytest.mark.postgres

TASK = "indicators.tasks.rollups_refresh_task"


def db(url):
    return psycopg.connect(url.replace("postgres://", "postgresql://"), autocommit=True)


def queued(conn):
    return conn.execute(
        "SELECT id, status, run_after FROM django_tasks_database_dbtaskresult WHERE task_path = %s ORDER BY enqueued_at",
        [TASK],
    ).fetchall()


def worker_batch(env):
    """db_worker until nothing is ready (a deferred run is not ready), as the compose worker would."""
    result = manage("db_worker", "--batch", "--interval", "0", "--no-startup-delay", env=env, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]


def test_the_worker_runs_the_refresh_and_queues_the_next_one_itself(production_database):
    env = production_env(DATABASE_URL=production_database)
    with db(production_database) as conn:
        forget_the_visit(conn)  # the database is shared by the session's production tests
        conn.execute("DELETE FROM django_tasks_database_dbtaskresult WHERE task_path = %s", [TASK])
        conn.execute("UPDATE indicators_rollupstate SET next_run_at = NULL, refreshed_at = NULL")

        result = manage("migrate", "--noinput", env=env)  # what every web start runs
        assert result.returncode == 0, result.stderr[-3000:]
        ((first_id, status, _at),) = queued(conn)
        assert status == "READY"

        worker_batch(env)
        rows = {row[0]: row for row in queued(conn)}
        assert rows[first_id][1] == "SUCCESSFUL"
        (following,) = [row for row in rows.values() if row[1] == "READY"]
        now = conn.execute("SELECT now()").fetchone()[0]
        assert datetime.timedelta(seconds=30) < following[2] - now <= datetime.timedelta(seconds=60)
        refreshed = conn.execute("SELECT refreshed_at FROM indicators_rollupstate").fetchone()[0]
        assert refreshed is not None

        # A visit arrives (as the web process writes it) and a minute passes; nobody opens a page.
        conn.execute(
            "INSERT INTO indicators_accessevent (time, resource_id, action, role, session_hash, client_key, "
            "ip_hash, user_agent, exclusion, source) VALUES (now(), 987654, 'view', '', '', 'h:worker-test', '', "
            "'Mozilla/5.0', '', 'live')"
        )
        conn.execute(
            "INSERT INTO indicators_rollupdirtyday (day) VALUES ((now() AT TIME ZONE 'Asia/Shanghai')::date) "
            "ON CONFLICT DO NOTHING"
        )
        conn.execute("UPDATE django_tasks_database_dbtaskresult SET run_after = now() WHERE id = %s", [following[0]])

        worker_batch(env)
        total = conn.execute(
            "SELECT sum(total) FROM indicators_dailyresourcerollup WHERE resource_id = 987654"
        ).fetchone()[0]
        assert total == 1
        assert conn.execute("SELECT refreshed_at FROM indicators_rollupstate").fetchone()[0] > refreshed
        assert [row[1] for row in queued(conn)].count("READY") == 1  # one chain, still alive
        forget_the_visit(conn)


def forget_the_visit(conn):
    for table in ("indicators_accessevent", "indicators_dailyresourcerollup", "indicators_dailyrollup"):
        conn.execute(f"DELETE FROM {table} WHERE resource_id = 987654")
