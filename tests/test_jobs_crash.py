"""Jobs survive a crash: a real consumer killed (-9) in the middle of the weekly 督办 job and started again
leaves one sheet, every notification and no duplicate e-mail (a local SMTP sink counts them); and
`dangjian serve` restarts a consumer that dies and stops everything it started on SIGTERM."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from django.db import connection
from django.utils import timezone
from huey.contrib.djhuey import HUEY

import dangjian
from dangjian.accounts.models import User
from dangjian.core.jobs import run_job
from dangjian.core.models import JobRun, Notification
from dangjian.matters.models import SupervisionLines, SupervisionSheet

from .conftest import login
from .smtp_sink import SmtpSink

SRC = str(Path(dangjian.__file__).resolve().parent.parent)


def _env(**extra) -> dict:
    """This test's database, data directory and queue, for processes running the worktree's code."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([SRC, os.environ.get("PYTHONPATH", "")]), **extra)
    name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        env["DANGJIAN_SQLITE_PATH"] = str(name)
    else:
        env["DATABASE_URL"] = urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{name}").geturl()
    env.pop("DANGJIAN_TASKS_IMMEDIATE", None)
    return env


def _wait(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@contextlib.contextmanager
def _real_queue():
    """The queue the consumer reads (this process runs tasks in immediate mode otherwise)."""
    HUEY.immediate = False
    HUEY.flush()
    try:
        yield
    finally:
        HUEY.flush()
        HUEY.immediate = True


@contextlib.contextmanager
def _sheet_table_locked():
    """Hold the 督办单 table from another connection, so that the job stops inside its transaction."""
    if connection.vendor == "sqlite":
        lock = sqlite3.connect(connection.settings_dict["NAME"], timeout=5, isolation_level=None)
        lock.execute("BEGIN IMMEDIATE")  # SQLite has one writer: the job waits at its first write
    else:
        import psycopg

        lock = psycopg.connect(_env()["DATABASE_URL"])
        lock.execute(f"LOCK TABLE {SupervisionSheet._meta.db_table} IN EXCLUSIVE MODE")
    try:
        yield
    finally:
        lock.rollback()
        lock.close()


def _ticked_today() -> None:
    """Today's 08:00 tick on record, so that the consumers started here do not catch it up (a consumer
    starting after 08:00 queues the day's tick when it is not on record)."""
    JobRun.objects.create(key=f"matters.daily_tick:{timezone.localdate()}", job="matters.daily_tick",
                          args=[timezone.localdate().isoformat()], state="done", finished_at=timezone.now())


def _consumer(env, log: Path) -> subprocess.Popen:
    # Without the periodic tasks: the every-minute ones would write while the test holds the table.
    # Polling at most every 0.2 s (10 s by default when idle) keeps the test short.
    return subprocess.Popen([sys.executable, "-m", "dangjian.cli", "run_huey", "--workers", "1", "--no-periodic",
                             "--max-delay", "0.2"], env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT)


def test_a_consumer_killed_mid_job_leaves_one_sheet_every_notification_and_no_duplicate_mail(tx_demo, tmp_path):
    for user in User.objects.filter(person__isnull=False):
        user.email = f"{user.username}@example.org"
        user.save(update_fields=["email"])
    today, log = timezone.localdate(), tmp_path / "consumer.log"
    _ticked_today()
    with SmtpSink() as sink, _real_queue():
        env = _env(DANGJIAN_EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
                   DANGJIAN_EMAIL_HOST="127.0.0.1", DANGJIAN_EMAIL_PORT=str(sink.port))
        page = login("dangwu").post("/matters/supervision/run/", {"what": "week"}, follow=True).content.decode()
        assert "已提交，正在生成本周督办单" in page and HUEY.pending_count() == 1
        run = JobRun.objects.get(key=f"matters.weekly_supervision:{today}")
        with _sheet_table_locked():
            consumer = _consumer(env, log)
            try:
                _wait(lambda: "Executing dangjian.core.jobs.run_job" in log.read_text(), 30,
                      "the consumer to take the job")
                time.sleep(0.5)  # inside the job, waiting for the table
            finally:
                consumer.kill()  # kill -9
                consumer.wait()
        run.refresh_from_db()
        assert run.finished_at is None and run.state in ("queued", "running")
        assert not SupervisionSheet.objects.filter(period="week", end=today).exists()
        # huey lost the task with the consumer (what is left is the start-up's mail sweep)
        assert not [t for t in HUEY.pending() if isinstance(t, run_job.task_class)]
        consumer = _consumer(env, log)
        try:
            def finished():
                run.refresh_from_db()
                return run.state == "done" and not Notification.objects.filter(
                    mail_state__in=["pending", "sending"]).exists()
            _wait(finished, 30, f"the run to be resumed and its mail sent:\n{log.read_text()}")
        finally:
            consumer.send_signal(signal.SIGINT)
            consumer.wait(timeout=20)
    sheet = SupervisionSheet.objects.get(period="week", end=today)
    assert run.attempts >= 1 and run.result == str(sheet.pk)
    rows = SupervisionLines.objects.filter(sheet=sheet)
    owners = {r.owner_id for r in rows if r.owner_id}
    leaders = {line[1] for r in rows for line in r.lines if line[1]}
    with_account = set(User.objects.filter(person__isnull=False).values_list("person__pk", flat=True))
    notes = Notification.objects.filter(category="matter.supervision", link__startswith=f"/matters/supervision/{sheet.pk}/")
    assert notes.count() == len(owners & with_account) + len(leaders & with_account) > 2
    assert set(notes.values_list("mail_state", flat=True)) == {"sent"}
    ids = [m["Message-ID"] for m in sink.messages]
    assert len(ids) == len(set(ids)) == notes.count()  # every note mailed, none twice
    assert sorted(m["To"] for m in sink.messages) == sorted(notes.values_list("recipient__email", flat=True))


def _children(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        out += [int(c) for c in task.read_text().split()]
    return out


def _tree(pid: int) -> list[int]:
    kids = _children(pid)
    return kids + [g for k in kids for g in _tree(k)]


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0] != "Z"
    except (FileNotFoundError, IndexError):
        return False


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except FileNotFoundError:
        return ""


def _consumers(pid: int) -> list[int]:
    return [c for c in _children(pid) if "run_huey" in _cmdline(c) and _alive(c)]


def test_serve_restarts_a_dead_consumer_and_sigterm_stops_the_server_and_the_consumer(tx_demo, tmp_path):
    _ticked_today()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    serve = subprocess.Popen([sys.executable, "-m", "dangjian.cli", "serve"], start_new_session=True,
                             env=_env(DANGJIAN_BIND=f"127.0.0.1:{port}", DANGJIAN_WORKERS="1"),
                             stdout=(tmp_path / "serve.log").open("wb"), stderr=subprocess.STDOUT)
    try:
        first = _wait(lambda: _consumers(serve.pid), 30, "the consumer")[0]
        _wait(lambda: socket.socket().connect_ex(("127.0.0.1", port)) == 0, 30, "the server")
        os.kill(first, signal.SIGKILL)
        second = _wait(lambda: [c for c in _consumers(serve.pid) if c != first], 15, "a new consumer")[0]
        started = _tree(serve.pid)
        assert second in started and any("gunicorn" in _cmdline(p) for p in started)
        serve.send_signal(signal.SIGTERM)
        assert serve.wait(timeout=30) == 0
        _wait(lambda: not any(_alive(p) for p in started), 10, "the server and the consumer to stop")
        # it announced the address it bound (DANGJIAN_BIND), not a fixed :8000
        assert f"服务地址：http://127.0.0.1:{port}" in (tmp_path / "serve.log").read_text(encoding="utf-8")
    finally:
        if serve.poll() is None:
            os.killpg(serve.pid, signal.SIGKILL)
            serve.wait()
