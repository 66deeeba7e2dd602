"""Benchmark: 50 concurrent simulated organisation users on report pages (locust, headless, loopback only).

The portal runs under gunicorn on the real PostgreSQL server (127.0.0.1:5432, a throwaway database
`concerns_bench`), loaded with a demo batch of 10 organisations through `concerns portal-demo`.
Goal (issue #5): p95 < 150 ms and no errors.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

AS_OF = dt.date(2025, 6, 30)
SERVER = "postgresql://postgres@127.0.0.1:5432"
DATABASE = "concerns_bench"
USERS, SPAWN_RATE, RUN_TIME, WORKERS = 50, 25, "45s", 4
HERE = Path(__file__).parent


def main() -> None:
    import psycopg

    try:
        psycopg.connect(f"{SERVER}/postgres", connect_timeout=3).close()
    except psycopg.Error as error:
        print(f"portal load: SKIPPED, PostgreSQL is not reachable ({error})")
        sys.exit(1)
    with tempfile.TemporaryDirectory(prefix="bench-portal-") as directory:
        folder = Path(directory)
        _recreate_database(psycopg)
        env = os.environ | {"CONCERNS_HOME": str(folder / "home"), "DATABASE_URL": f"{SERVER}/{DATABASE}",
                            "CONCERNS_DEBUG": "0", "DJANGO_SETTINGS_MODULE": "concerns.web.settings"}
        usernames = _load_demo(folder, env)
        port = _free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "concerns.web.wsgi:application", "--bind", f"127.0.0.1:{port}",
             "--workers", str(WORKERS), "--log-level", "warning"], env=env)
        try:
            _wait_for(port)
            stats = _run_locust(folder, port, usernames, env)
        finally:
            server.terminate()
            server.wait(timeout=30)
            _drop_database(psycopg)
    _print(stats)


def _recreate_database(psycopg) -> None:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {DATABASE}")


def _drop_database(psycopg) -> None:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")


def _load_demo(folder: Path, env: dict[str, str]) -> list[str]:
    """A 10-organisation demo batch in the portal; the organisation users' names."""
    from concerns.analytics import Settings, organisation_codes, prepare
    from concerns.ingest import load
    from concerns.report._batch import BatchOptions, write_batch
    from concerns.synth import SynthConfig, write

    data = write(SynthConfig(as_of=AS_OF), folder / "data")
    context = prepare(load(data, today=AS_OF), Settings.as_of(AS_OF))
    codes = organisation_codes(context)[:10]
    write_batch(context, codes, folder / "reports", BatchOptions(AS_OF, formats=("html", "pdf", "json"),
                                                               illustrative=True))
    subprocess.run([sys.executable, "-m", "concerns", "portal-demo", "--reports", str(folder / "reports")],
                   env=env, check=True, stdout=subprocess.DEVNULL)
    return [f"demo-{code.lower()}-{who}" for code in codes[:3] for who in ("md", "hr", "board")]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not start on port {port}")


def _run_locust(folder: Path, port: int, usernames: list[str], env: dict[str, str]) -> list[dict[str, str]]:
    from concerns.commands.portal import DEMO_PASSWORD

    prefix = folder / "locust"
    subprocess.run(
        [sys.executable, "-m", "locust", "-f", str(HERE / "portal" / "locustfile.py"), "--headless",
         "--users", str(USERS), "--spawn-rate", str(SPAWN_RATE), "--run-time", RUN_TIME,
         "--host", f"http://127.0.0.1:{port}", "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING",
         "--stop-timeout", "5"],
        env=env | {"BENCH_USERS": ",".join(usernames), "BENCH_PASSWORD": DEMO_PASSWORD},
        check=False, stdout=subprocess.DEVNULL)
    with open(f"{prefix}_stats.csv", newline="") as stats:
        return list(csv.DictReader(stats))


def _print(stats: list[dict[str, str]]) -> None:
    print(f"portal load: {USERS} users, {RUN_TIME}, gunicorn {WORKERS} workers on PostgreSQL (goal p95 < 150 ms, 0 errors)")
    for row in stats:
        name = row["Name"] if row["Name"] != "Aggregated" else "ALL"
        print(f"  {name:<16} requests {int(row['Request Count']):>6}  errors {int(row['Failure Count']):>3}  "
              f"p50 {row['50%']:>4} ms  p95 {row['95%']:>4} ms  p99 {row['99%']:>4} ms  "
              f"{float(row['Requests/s']):6.1f} req/s")


if __name__ == "__main__":
    main()
