"""Real processes on the test database: app servers (gunicorn) and `dangjian` commands.

Each runs this worktree's code with the test run's environment (same data directory, keys and Redis
database), pointed at the test database, which the test must have committed (transactional tests).
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests
from django.conf import settings
from django.test import Client


def database_url(db: dict, name: str | None = None) -> str:
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name or db['NAME']}"


def process_env(**extra) -> dict:
    """The environment of a process that works on the test database."""
    db = settings.DATABASES["default"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p), "DANGJIAN_TASKS_IMMEDIATE": "1"}
    if settings.IS_POSTGRES:
        env["DATABASE_URL"] = database_url(db)
    else:
        env["DANGJIAN_SQLITE_PATH"] = str(db["NAME"])
    env.update({k: str(v) for k, v in extra.items()})
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def dangjian(*args, env: dict, timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dangjian.cli", *args], env=env, capture_output=True, text=True,
                          timeout=timeout)


@contextlib.contextmanager
def app_servers(count: int, env: dict, log_dir: Path):
    """``count`` gunicorn servers on free loopback ports, each with one worker; their base URLs."""
    procs, urls = [], []
    try:
        for i in range(count):
            port = free_port()
            log = open(log_dir / f"server{i}.log", "w")
            procs.append((subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "dangjian.wsgi:application", "--bind", f"127.0.0.1:{port}",
                 "--workers", "1", "--timeout", "60"], env=env, stdout=log, stderr=subprocess.STDOUT), log))
            urls.append(f"http://127.0.0.1:{port}")
        deadline = time.monotonic() + 60
        for (proc, _), url in zip(procs, urls, strict=True):
            while True:
                assert proc.poll() is None, (log_dir / "server0.log").read_text()[-2000:]
                with contextlib.suppress(requests.ConnectionError):
                    if requests.get(f"{url}/accounts/login/", timeout=10).status_code == 200:
                        break
                assert time.monotonic() < deadline, "应用服务器 60 秒内没有启动"
                time.sleep(0.2)
        yield urls
    finally:
        for proc, _log in procs:
            proc.terminate()
        for proc, log in procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            log.close()


def browser_for(user) -> requests.Session:
    """A requests session signed in as ``user`` (a session row in the shared database, as after log-in)."""
    client = Client()
    client.force_login(user)
    session = client.session
    session["login_at"] = time.time()
    session.save()
    browser = requests.Session()
    browser.cookies.set(settings.SESSION_COOKIE_NAME, session.session_key)
    return browser


def csrf_post(browser: requests.Session, url: str, data: dict, files: dict | None = None) -> requests.Response:
    """Post a form as a browser does: fetch the page first for the CSRF cookie and token."""
    page = browser.get(url, timeout=30)
    assert page.status_code == 200, page.text[:500]
    marker = 'name="csrfmiddlewaretoken" value="'
    token = page.text.split(marker, 1)[1].split('"', 1)[0]
    return browser.post(url, data={**data, "csrfmiddlewaretoken": token}, files=files, allow_redirects=False,
                        timeout=30, headers={"Referer": url})
