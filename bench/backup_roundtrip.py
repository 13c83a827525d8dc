"""Time `backup` and `restore` of the demo site (seed_demo) on a throwaway SQLite database.

    .venv/bin/python bench/backup_roundtrip.py

Prints rows, media files, archive size and the seconds each step took. Bounded: one demo site.
"""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(*args, env):
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"{' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return time.perf_counter() - start, result.stdout


def main():
    with tempfile.TemporaryDirectory() as work:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.dev",
            "DATABASE_URL": f"sqlite:///{work}/db.sqlite3",
            "MEDIA_ROOT": f"{work}/media",
        }
        run("migrate", "--noinput", env=env)
        run("seed_demo", env=env)
        archive = Path(work) / "backup.tar"
        t_backup, out_backup = run("backup", str(archive), env=env)
        t_restore, out_restore = run("restore", str(archive), "--noinput", env=env)
        print(out_backup.strip())
        print(out_restore.strip())
        print(f"archive size: {archive.stat().st_size / 1e6:.1f} MB")
        print(f"backup: {t_backup:.1f} s   restore (incl. migrate check, reindex, count check): {t_restore:.1f} s")


if __name__ == "__main__":
    main()
