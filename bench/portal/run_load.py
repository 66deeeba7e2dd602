"""Run the locust scenario as a library: sign every user in, then measure report pages for a fixed time.

Usage: python run_load.py HOST USERS SECONDS OUT.json   (BENCH_USERS and BENCH_PASSWORD in the environment)
Sign-ins are reported apart: 50 argon2 verifications at once are a burst no reader waits on twice.
"""

from __future__ import annotations

import gevent.monkey

gevent.monkey.patch_all()

import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import gevent  # noqa: E402
import locustfile  # noqa: E402
from locust.env import Environment  # noqa: E402


def _row(entry, seconds: float) -> dict[str, float]:
    return {
        "requests": entry.num_requests,
        "errors": entry.num_failures,
        "p50": entry.get_response_time_percentile(0.50),
        "p95": entry.get_response_time_percentile(0.95),
        "p99": entry.get_response_time_percentile(0.99),
        "rps": entry.num_requests / seconds,
    }


def main(host: str, users: int, seconds: float, out: str) -> None:
    environment = Environment(user_classes=[locustfile.OrganisationUser], host=host)
    runner = environment.create_local_runner()
    runner.start(users, spawn_rate=users)
    started = time.monotonic()
    while locustfile.signed_in < users and time.monotonic() - started < 180:
        gevent.sleep(0.2)
    sign_in = {
        "seconds": time.monotonic() - started,
        "signed_in": locustfile.signed_in,
        "sign-in": _row(environment.stats.get("sign-in", "POST"), 1.0),
    }
    environment.stats.reset_all()
    gevent.sleep(seconds)
    runner.quit()
    stats = {name: _row(entry, seconds) for (name, _method), entry in environment.stats.entries.items()}
    stats["ALL"] = _row(environment.stats.total, seconds)
    errors = [str(error.error) for error in environment.stats.errors.values()]
    with open(out, "w") as handle:
        json.dump({"sign_in": sign_in, "pages": stats, "errors": errors}, handle, indent=2)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4])
