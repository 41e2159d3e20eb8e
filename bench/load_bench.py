"""Throughput under gunicorn with the production settings, on loopback only: requests per
second of the uncached listing, of the same listing from the whole-page cache, and of a
static file served by whitenoise, and their ratios (the issue's targets: uncached ÷ static
≥ 0.05, cached ÷ static ≥ 0.3).

Bounded: a fixed number of client threads (`--clients`, 4) for a fixed time per case
(`--seconds`, 10), against 127.0.0.1 only. The database is a bench database of
`listing_bench.py` (`--database perf_bench_10000` by default; run that bench first). The
uncached listing adds a changing, ignored parameter to each request (`v=<n>`), so that every
request computes the page; the cached one repeats one address.

    nice -n 10 .venv/bin/python bench/load_bench.py --database perf_bench_10000
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
LISTING = "/projets/?territoire=59&thematique=bench-theme-3&statut=en-cours"


#: Production redirects plain HTTP to HTTPS; behind the load balancer it is told the
#: original scheme (SECURE_PROXY_SSL_HEADER), as here.
HEADERS = {"X-Forwarded-Proto": "https"}


def get(url: str, timeout: float = 60):
    return urllib.request.urlopen(urllib.request.Request(url, headers=HEADERS), timeout=timeout)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url(name: str) -> str:
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    return urlunsplit(urlsplit(base)._replace(path=f"/{name}"))


def commune_codes(url: str) -> list[str]:
    """INSEE codes of communes of the home region, in a fixed order (psycopg, before the
    server starts): a different one per request of the cold case."""
    import psycopg

    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT code FROM maps_territory WHERE scale = 'commune' "
                            "AND code LIKE ANY(ARRAY['59%%', '62%%', '02%%', '60%%', '80%%']) "
                            "ORDER BY code").fetchall()
    return [code for (code,) in rows]


def load(url_for, seconds: float, clients: int) -> tuple[float, int]:
    """(requests per second, errors) of `clients` threads asking `url_for(n)` for
    `seconds`."""
    counter = itertools.count()
    done, errors = [0], [0]
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker():
        while time.monotonic() < deadline:
            try:
                with get(url_for(next(counter))) as answer:
                    answer.read()
                    ok = answer.status == 200
            except OSError:
                ok = False
            with lock:
                if ok:
                    done[0] += 1
                else:
                    errors[0] += 1

    started = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return done[0] / (time.monotonic() - started), errors[0]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", default="perf_bench_10000")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as workdir:
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings.production",
               "DEBUG": "0", "SECRET_KEY": "load-bench-only", "SECURE_COOKIES": "0",
               "ALLOWED_HOSTS": "127.0.0.1", "DATABASE_URL": database_url(args.database),
               "STATIC_ROOT": str(Path(workdir) / "static")}
        env.pop("CACHE_URL", None)
        subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
                       env=env, cwd=ROOT, check=True)
        manifest = json.loads((Path(workdir) / "static" / "staticfiles.json").read_text())
        static_path = "/static/" + manifest["paths"]["portal/portal.css"]
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        log = open(Path(workdir) / "gunicorn.log", "w")  # noqa: SIM115 - closed below
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "portal.wsgi", "--bind", f"127.0.0.1:{port}",
             "--workers", str(args.workers), "--timeout", "120"],
            env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 90
            while True:
                try:
                    with get(base + "/healthz", timeout=5):
                        break
                except OSError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        log.flush()
                        print((Path(workdir) / "gunicorn.log").read_text()[-2000:])
                        return 1
                    time.sleep(0.5)
            for _ in range(3):  # warm both workers (cached choices, the page cache)
                get(base + LISTING).read()
            print(f"gunicorn, production settings, {args.workers} workers, {args.clients} "
                  f"clients × {args.seconds:.0f} s per case, database {args.database}; "
                  f"load average {os.getloadavg()[0]:.1f}", flush=True)
            communes = commune_codes(env["DATABASE_URL"])
            results = {}
            for label, url_for in (
                    ("static file (whitenoise)", lambda n: base + static_path),
                    ("listing, from the page cache", lambda n: base + LISTING),
                    ("listing, uncached (v=<n> on each request)",
                     lambda n: f"{base}{LISTING}&v={n}"),
                    # Nothing of this territory cached yet (its covering projects, their
                    # levels, its reading): the listing as a stream of different visitors.
                    ("listing, uncached, a new commune each time",
                     lambda n: f"{base}/projets/?territoire={communes[n % len(communes)]}"
                               "&thematique=bench-theme-3&statut=en-cours")):
                rate, errors = load(url_for, args.seconds, args.clients)
                results[label] = rate
                print(f"{label:44} {rate:8.1f} req/s  ({errors} errors; load average "
                      f"{os.getloadavg()[0]:.1f})", flush=True)
            static = results["static file (whitenoise)"]
            print(f"uncached listing ÷ static: {results['listing, uncached (v=<n> on each request)'] / static:.3f} (target ≥ 0.05)")  # noqa: E501
            print(f"uncached listing, new commune each time ÷ static: {results['listing, uncached, a new commune each time'] / static:.3f}")  # noqa: E501
            print(f"cached listing ÷ static:   {results['listing, from the page cache'] / static:.3f} (target ≥ 0.3)")  # noqa: E501
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
            log.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
