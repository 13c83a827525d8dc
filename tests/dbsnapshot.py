"""The starting database of the tests, copied back in bulk after a transactional test.

A transactional test (a live server, several threads or processes, a backup) commits what it does,
so pytest-django empties every table when it ends. The next one must start from the same data as
every other test: the migrated data and the theme and topic pages (tests/conftest.py). Django's
serialized rollback rebuilds that object by object from JSON, 2.5 s a test here; this keeps a
copy of the tables instead and writes it back in one go:

- SQLite (the in-memory test database): SQLite's online backup API, both ways.
- PostgreSQL: COPY … TO STDOUT of every table when the snapshot is taken; TRUNCATE of them all and
  COPY … FROM STDIN to restore, in one transaction (Django's foreign keys are deferred, so the
  order of the tables does not matter). Sequences are left where they are, as after a rollback.
"""

import sqlite3

from django.db import connections, transaction


class Snapshot:
    def __init__(self, alias: str = "default"):
        self.alias = alias
        self._sqlite = None
        self._tables: dict[str, bytes] = {}

    @property
    def connection(self):
        return connections[self.alias]

    def take(self) -> "Snapshot":
        connection = self.connection
        connection.ensure_connection()
        if connection.vendor == "sqlite":
            self._sqlite = sqlite3.connect(":memory:", check_same_thread=False)
            connection.connection.backup(self._sqlite)
        elif connection.vendor == "postgresql":
            names = connection.introspection.django_table_names(only_existing=True, include_views=False)
            with connection.cursor() as cursor:
                for name in sorted(names):
                    table = connection.ops.quote_name(name)
                    with cursor.cursor.copy(f"COPY {table} TO STDOUT (FORMAT BINARY)") as copy:
                        self._tables[name] = b"".join(bytes(block) for block in copy)
        else:  # pragma: no cover — the project runs on these two
            raise NotImplementedError(connection.vendor)
        return self

    def restore(self) -> None:
        connection = self.connection
        connection.ensure_connection()
        if self._sqlite is not None:
            self._sqlite.backup(connection.connection)
            return
        quoted = {name: connection.ops.quote_name(name) for name in self._tables}
        with transaction.atomic(using=self.alias), connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {', '.join(quoted.values())}")
            for name, data in self._tables.items():
                if data:
                    with cursor.cursor.copy(f"COPY {quoted[name]} FROM STDIN (FORMAT BINARY)") as copy:
                        copy.write(data)
