"""Two app servers sharing PostgreSQL and Redis (production settings, gunicorn, loopback only):
1. a page published through one server's code path is visible at once on both servers;
2. a bounded load: N connections (default 16) for D seconds (default 60) spread over both
   servers on a mix of public pages; prints req/s, p50/p99 and the number of errors.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test_security \\
        nice -n 10 .venv/bin/python bench/two_servers_bench.py [--seconds 60] [--connections 16]

The database must hold the seed (a test database filled by the suite does). Redis at
REDIS_URL (default redis://127.0.0.1:6379/7, a database number of its own)."""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str, timeout: float = 60) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, b""


def start_servers(env: dict, workdir: Path, count: int = 2) -> list[tuple[str, subprocess.Popen]]:
    servers = []
    for i in range(count):
        port = free_port()
        log = (workdir / f"gunicorn-{i}.log").open("w")
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "portal.wsgi", "--bind", f"127.0.0.1:{port}",
             "--workers", "2", "--timeout", "120"], env=env, cwd=ROOT, stdout=log,
            stderr=subprocess.STDOUT)
        servers.append((f"http://127.0.0.1:{port}", process))
    for url, _process in servers:
        for _ in range(180):
            try:
                if fetch(url + "/healthz", timeout=5)[0] == 200:
                    break
            except OSError:
                time.sleep(0.5)
        else:
            raise RuntimeError(f"{url} did not start")
    return servers


def publish_is_visible_everywhere(servers) -> float:
    """Publish a new title through Wagtail's revision publish and time until both servers
    show it (they share PostgreSQL and the Redis cache keyed on the data version)."""
    import django

    django.setup()
    from projects.models import ProjectPage

    page = ProjectPage.objects.live().get(slug="1000-jours-pour-savourer-la-vie")
    original = page.title
    for url, _ in servers:  # warm both caches with the old title
        assert original.encode() in fetch(url + page.url)[1]
    marker = f"{original} (banc {int(time.time())})"
    try:
        page.title = marker
        page.save_revision().publish()
        started = time.monotonic()
        for url, _ in servers:
            body = fetch(url + page.url)[1].decode()
            assert marker in body, f"{url} still shows the old title"
            listing = fetch(url + "/projets/?q=savourer")[1].decode()
            assert marker in listing, f"{url} listing still shows the old title"
        return time.monotonic() - started
    finally:
        page = ProjectPage.objects.get(pk=page.pk)
        page.title = original
        page.save_revision().publish()


def load(servers, seconds: float, connections: int, paths: list[str]) -> dict:
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker(n: int):
        i = n
        while time.monotonic() < deadline:
            url = servers[i % len(servers)][0] + paths[i % len(paths)]
            i += 1
            started = time.monotonic()
            try:
                status, _body = fetch(url)
                ok = status < 400
            except OSError as error:
                status, ok = repr(error), False
            with lock:
                latencies.append(time.monotonic() - started)
                if not ok:
                    errors.append(f"{status} {url}")

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latencies.sort()
    return {"requests": len(latencies), "errors": errors, "rps": len(latencies) / seconds,
            "p50": statistics.median(latencies),
            "p99": latencies[int(0.99 * (len(latencies) - 1))]}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")
    redis = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/7")
    workdir = Path(tempfile.mkdtemp(prefix="two-servers-"))
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings.production", "DEBUG": "0",
           "SECRET_KEY": "bench-only-secret", "ALLOWED_HOSTS": "127.0.0.1",
           "SECURE_COOKIES": "0", "SECURE_SSL_REDIRECT": "0", "SECURE_HSTS_SECONDS": "0",
           "CACHE_URL": redis, "STATIC_ROOT": str(workdir / "static")}
    os.environ["CACHE_URL"] = redis  # this process publishes: it bumps the same cache version
    print("collectstatic…", flush=True)
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], env=env,
                   cwd=ROOT, check=True)
    servers = start_servers(env, workdir)
    try:
        delay = publish_is_visible_everywhere(servers)
        print(f"publish visible on both servers: yes, {delay * 1000:.0f} ms for the 4 pages")
        from projects.models import ProjectPage

        project = ProjectPage.objects.live().get(slug="1000-jours-pour-savourer-la-vie").url
        paths = ["/", "/projets/", project, "/suivi/", "/api/projets/", "/healthz",
                 "/projets/?programme=faad", "/static/portal/portal.css"]
        print(f"load: {args.connections} connections, {args.seconds:.0f} s, 2 servers × 2 "
              "workers…", flush=True)
        result = load(servers, args.seconds, args.connections, paths)
        load_average = os.getloadavg()
        print(f"{result['requests']} requests, {result['rps']:.1f} req/s, p50 "
              f"{result['p50']:.2f} s, p99 {result['p99']:.2f} s, errors {len(result['errors'])}"
              f" (load average {load_average[0]:.1f} {load_average[1]:.1f} "
              f"{load_average[2]:.1f})")
        for error in result["errors"][:10]:
            print("  error:", error)
    finally:
        for _url, process in servers:
            process.terminate()
            process.wait(timeout=30)


if __name__ == "__main__":
    main()
