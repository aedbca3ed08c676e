"""Requests per second of list pages against the bare page (/healthz), on a real gunicorn.

    python -m bench.throughput --user USERNAME --page NAME=URL [--page ...] [--clients 8] [--seconds 10]

Run by bench.run (the roster, on the foundation suite's database) and bench.matters (the matters
list, on its own), in a process whose environment names the database. It starts gunicorn with
2 sync workers on a free loopback port, signs the user in by a session stored in the database (as
the log-in view leaves it), and drives each page with ``--clients`` concurrent clients for a fixed
time: a bounded loop, each client one request at a time on a new connection (sync workers close
it). The bare page is driven before and after the list pages and their mean is the reference, so
that a change of the machine's load during the run counts against neither side. The workers'
resident memory is read after the run. The clients are asyncio coroutines in this one process, so
that the load generator takes as little of the shared cores as it can.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from bench.stats import pct

GOAL_RATIO = 0.5


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def session_cookie(username: str) -> str:
    """A session for the user as a real log-in leaves it (login_at for the absolute lifetime)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    from dangjian.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    session = client.session
    session["login_at"] = time.time()
    session.save()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


async def _one(port: int, request: bytes) -> int:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(request)
        head = await reader.readuntil(b"\r\n")
        await reader.read()  # to the end: the worker closes the connection
        return int(head.split()[1])
    finally:
        writer.close()


async def _drive(port: int, path: str, cookie: str, clients: int, seconds: float) -> dict:
    request = (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
               + (f"Cookie: {cookie}\r\n" if cookie else "") + "\r\n").encode()
    statuses: dict[int, int] = {}
    latencies: list[float] = []
    end = time.perf_counter() + seconds

    async def client():
        while time.perf_counter() < end:
            t = time.perf_counter()
            try:
                status = await _one(port, request)
            except (OSError, asyncio.IncompleteReadError, ValueError):
                status = 0
            latencies.append(time.perf_counter() - t)
            statuses[status] = statuses.get(status, 0) + 1

    start = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    elapsed = time.perf_counter() - start
    ok = statuses.get(200, 0)
    return {"path": path, "requests_ok": ok, "statuses": {str(k): v for k, v in sorted(statuses.items())},
            "seconds": round(elapsed, 2), "requests_per_second": round(ok / elapsed, 1),
            "latency_p50_ms": round(pct(latencies, 50) * 1000, 1) if latencies else None,
            "latency_p95_ms": round(pct(latencies, 95) * 1000, 1) if latencies else None,
            "load_average_1m_after": round(os.getloadavg()[0], 2)}


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def _workers(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children")
    return [int(x) for x in children.read_text().split()] if children.exists() else []


def _wait_ready(port: int, proc: subprocess.Popen, limit_s: float = 60) -> None:
    deadline = time.time() + limit_s
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {proc.returncode}")
        try:
            if asyncio.run(_one(port, b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")) == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer /healthz")


def measure(username: str, pages: dict[str, str], clients: int = 8, seconds: float = 10.0,
            workers: int = 2, references: dict[str, str] | None = None) -> dict:
    """``pages`` are driven signed in and held to the goal; ``references`` (pages for anyone, such as the
    log-in page the issue first compared with) only reported beside them."""
    references = references or {}
    cookie = session_cookie(username)
    port = _free_port()
    env = dict(os.environ)
    env.pop("DANGJIAN_DEBUG", None)
    cmd = [sys.executable, "-m", "gunicorn", "dangjian.wsgi:application", "--workers", str(workers),
           "--bind", f"127.0.0.1:{port}", "--log-level", "warning"]
    proc = subprocess.Popen(cmd, env=env)
    try:
        _wait_ready(port, proc)
        for path in [*pages.values(), *references.values(), "/healthz"]:  # warm each worker's caches
            asyncio.run(_drive(port, path, cookie if path in pages.values() else "", clients, 1.0))
        load_before = round(os.getloadavg()[0], 2)
        runs = {"healthz_before": asyncio.run(_drive(port, "/healthz", "", clients, seconds))}
        for name, path in pages.items():
            runs[name] = asyncio.run(_drive(port, path, cookie, clients, seconds))
        for name, path in references.items():
            runs[name] = asyncio.run(_drive(port, path, "", clients, seconds))
        runs["healthz_after"] = asyncio.run(_drive(port, "/healthz", "", clients, seconds))
        rss = [_rss_mb(pid) for pid in _workers(proc.pid)]
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    bare = (runs["healthz_before"]["requests_per_second"] + runs["healthz_after"]["requests_per_second"]) / 2
    ratios = {name: round(runs[name]["requests_per_second"] / bare, 3) if bare else 0.0
              for name in [*pages, *references]}
    return {
        "goal": f"each list page >= {GOAL_RATIO} x the requests/s of /healthz on the same server, same run",
        "server": f"gunicorn, {workers} sync workers, loopback", "clients": clients, "seconds_per_page": seconds,
        "user": username, "runs": runs, "bare_requests_per_second": round(bare, 1), "ratio_to_bare": ratios,
        "worker_rss_mb_after": rss, "load_average_1m_before": load_before, "cores": os.cpu_count(),
        "errors": sum(v for r in runs.values() for k, v in r["statuses"].items() if k != "200"),
        "goal_met": all(ratios[name] >= GOAL_RATIO for name in pages),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--user", required=True)
    parser.add_argument("--page", action="append", required=True, help="NAME=URL")
    parser.add_argument("--reference", action="append", default=[], help="NAME=URL, driven without a session")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--out", default="")
    args = parser.parse_args(argv)
    result = measure(args.user, dict(p.split("=", 1) for p in args.page), args.clients, args.seconds,
                     references=dict(p.split("=", 1) for p in args.reference))
    text = json.dumps(result, ensure_ascii=False, indent=2)
    Path(args.out).write_text(text) if args.out else print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
