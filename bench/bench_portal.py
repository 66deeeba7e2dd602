"""Benchmark: 50 concurrent simulated organisation users on report pages (locust, headless, loopback only).

The portal runs under gunicorn on the real PostgreSQL server (127.0.0.1:5432, a throwaway database
`concerns_bench`), loaded with a demo batch of 10 organisations through `concerns portal-demo`.
Goal (issue #5): p95 < 150 ms and no errors.
"""

from __future__ import annotations

import datetime as dt
import json
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
USERS, SECONDS, WORKERS = 50, 60, 4
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
        env = os.environ | {
            "CONCERNS_HOME": str(folder / "home"),
            "DATABASE_URL": f"{SERVER}/{DATABASE}",
            "CONCERNS_DEBUG": "0",
            "DJANGO_SETTINGS_MODULE": "concerns.web.settings",
        }
        (folder / "home" / "static").mkdir(parents=True)  # whitenoise serves from the finders here
        usernames = _load_demo(folder, env)
        port = _free_port()
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "concerns.web.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(WORKERS),
                "--log-level",
                "warning",
            ],
            env=env,
        )
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
    from concerns.ingest import load
    from concerns.report import BatchOptions, make_batch
    from concerns.synth import SynthConfig, write

    dataset = load(write(SynthConfig(as_of=AS_OF), folder / "data"), today=AS_OF)
    codes = sorted(dataset.organisations["org_code"])[:10]
    make_batch(dataset, folder / "reports", BatchOptions(AS_OF, formats=("html", "pdf", "json")), codes=codes)
    subprocess.run(
        [sys.executable, "-m", "concerns", "portal-demo", "--reports", str(folder / "reports")],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
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


def _run_locust(folder: Path, port: int, usernames: list[str], env: dict[str, str]) -> dict:
    from concerns.commands.portal import DEMO_PASSWORD

    out = folder / "load.json"
    subprocess.run(
        [
            sys.executable,
            str(HERE / "portal" / "run_load.py"),
            f"http://127.0.0.1:{port}",
            str(USERS),
            str(SECONDS),
            str(out),
        ],
        env=env | {"BENCH_USERS": ",".join(usernames), "BENCH_PASSWORD": DEMO_PASSWORD},
        check=True,
    )
    return json.loads(out.read_text())


def _print(result: dict) -> None:
    sign_in = result["sign_in"]
    print(
        f"portal load: {USERS} organisation users, gunicorn {WORKERS} workers on PostgreSQL, loopback; "
        f"goal p95 < 150 ms, 0 errors"
    )
    print(
        f"  sign-in burst: {sign_in['signed_in']} users signed in within {sign_in['seconds']:.1f} s "
        f"(argon2; p50 {sign_in['sign-in']['p50']:.0f} ms), then measured for {SECONDS} s:"
    )
    for name, row in sorted(result["pages"].items(), key=lambda item: item[0] == "ALL"):
        if not row["requests"]:
            continue
        print(
            f"  {name:<16} requests {row['requests']:>6}  errors {row['errors']:>3}  p50 {row['p50']:>5.0f} ms  "
            f"p95 {row['p95']:>5.0f} ms  p99 {row['p99']:>5.0f} ms  {row['rps']:6.1f} req/s"
        )
    for error in result["errors"]:
        print(f"  error: {error}")


if __name__ == "__main__":
    main()
