"""Jobs that survive a crash (docs/architecture.md, Tasks).

A tracked job is a function registered under a name (``@job("matters.weekly_supervision")``). Each run is a
``JobRun`` row keyed by the job and its arguments: written when the run is submitted (queued), when it
starts (running) and when it ends (done or failed), each in its own committed transaction. huey takes a
task off its queue when a worker starts it, so a consumer killed mid-run loses the task; the row stays
queued or running, and ``resume_unfinished`` (run when a consumer starts) puts every such run back on the
queue. A job must therefore be safe to run twice: a second run completes what the first left undone.

The consumer also records a heartbeat every minute; ``consumer_stale`` tells the pages when it has not
run for several of its periods, so that administrators are warned that nothing is being generated.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task

from .models import JobRun
from .notify import deliver_mail
from .panels import Notice
from .scope import has_capability

log = logging.getLogger(__name__)

JOBS: dict[str, tuple[str, Callable]] = {}  # name → (label, function)
HEARTBEAT_KEY = "core.heartbeat"
HEARTBEAT_PERIOD = dt.timedelta(minutes=1)
# Warned after five missed beats: a busy consumer (a long weekly run on two threads) may skip one or two.
STALE_AFTER = 5 * HEARTBEAT_PERIOD


def job(name: str, label: str):
    """Register ``fn(*args)`` as a tracked job; its arguments must be JSON values (they are stored)."""
    def register(fn):
        JOBS[name] = (label, fn)
        return fn
    return register


def run_key(name: str, args) -> str:
    return ":".join([name, *map(str, args)])[:120]


def submit(name: str, *args) -> JobRun:
    """Queue a run of ``name`` (after the caller's commit). A run of the same job and arguments is the same
    row, put back in the queue: the job completes what is missing and does nothing twice."""
    if name not in JOBS:
        raise KeyError(name)
    with transaction.atomic():
        run, _ = JobRun.objects.select_for_update().get_or_create(
            key=run_key(name, args), defaults={"job": name, "args": list(args)})
        JobRun.objects.filter(pk=run.pk).update(state=JobRun.State.QUEUED, queued_at=timezone.now(), finished_at=None,
                                                error="")
        transaction.on_commit(lambda: run_job(run.pk))
    run.refresh_from_db()
    return run


def submit_once(name: str, *args) -> JobRun | None:
    """Queue a run of ``name`` unless one for the same arguments is on record (whatever its state: an
    unfinished one is resumed by ``resume_unfinished``); None when there was one."""
    key = run_key(name, args)
    if JobRun.objects.filter(key=key).exists():  # read first: a consumer starting writes nothing needlessly
        return None
    try:
        with transaction.atomic():
            run = JobRun.objects.create(key=key, job=name, args=list(args))
            transaction.on_commit(lambda: run_job(run.pk))
    except IntegrityError:  # on record already, or another consumer starting at the same moment made it
        return None
    return run


def run_tracked(name: str, *args):
    """Run ``name`` now, recording its start and end; the job's own transaction sits between the two."""
    _, fn = JOBS[name]
    run, _ = JobRun.objects.get_or_create(key=run_key(name, args), defaults={"job": name, "args": list(args)})
    JobRun.objects.filter(pk=run.pk).update(state=JobRun.State.RUNNING, started_at=timezone.now(), finished_at=None,
                                            attempts=F("attempts") + 1, error="")
    try:
        result = fn(*args)
    except Exception as exc:
        JobRun.objects.filter(pk=run.pk).update(state=JobRun.State.FAILED, finished_at=timezone.now(),
                                                error=f"{type(exc).__name__}: {exc}"[:2000])
        raise
    JobRun.objects.filter(pk=run.pk).update(state=JobRun.State.DONE, finished_at=timezone.now(),
                                            result=str(result if result is not None else "")[:200])
    return result


@db_task()
def run_job(run_id: int):
    run = JobRun.objects.filter(pk=run_id).first()
    if run is None or run.job not in JOBS:
        return None
    return run_tracked(run.job, *run.args)


def resume_unfinished() -> list[int]:
    """Queue again every run that was queued or started and never finished, unless it is still in the queue."""
    waiting = set()
    for task in HUEY.pending():
        if isinstance(task, run_job.task_class) and task.args:
            waiting.add(task.args[0])
    resumed = []
    for run in JobRun.objects.filter(state__in=[JobRun.State.QUEUED, JobRun.State.RUNNING]).exclude(pk__in=waiting):
        if run.job not in JOBS:
            continue
        # Two consumers starting together: the one that moves queued_at on resumes the run.
        if JobRun.objects.filter(pk=run.pk, queued_at=run.queued_at).update(queued_at=timezone.now()):
            log.warning("重新执行未完成的任务：%s", run)
            run_job(run.pk)
            resumed.append(run.pk)
    return resumed


@HUEY.on_startup()
def _on_consumer_start():
    # Each worker thread runs the start-up hooks; the claim in resume_unfinished keeps it to one.
    try:
        resume_unfinished()
        deliver_mail()  # e-mail copies a dead consumer committed but did not send
    except Exception:  # a start-up hook that raises would stop the worker; log and go on
        log.exception("恢复未完成任务失败")


@db_periodic_task(crontab())
def heartbeat():
    """Every minute: the consumer is alive (read by ``consumer_stale``)."""
    now = timezone.now()
    JobRun.objects.update_or_create(key=HEARTBEAT_KEY, defaults={
        "job": HEARTBEAT_KEY, "state": JobRun.State.DONE, "started_at": now, "finished_at": now, "queued_at": now})


def last_heartbeat() -> dt.datetime | None:
    return JobRun.objects.filter(key=HEARTBEAT_KEY).values_list("finished_at", flat=True).first()


def consumer_stale(now: dt.datetime | None = None) -> str:
    """A warning when the task consumer has not run for longer than its period ("" when it has)."""
    now = now or timezone.now()
    beat = last_heartbeat()
    if beat is None:
        return "任务队列（后台任务进程）尚未运行过：督办单等定期任务不会生成，请检查 dangjian serve 是否在运行。"
    if now - beat > STALE_AFTER:
        minutes = int((now - beat).total_seconds() // 60)
        return (f"任务队列（后台任务进程）已 {minutes} 分钟未运行（应每分钟运行一次），最后一次在"
                f"{timezone.localtime(beat):%Y-%m-%d %H:%M}：督办单等定期任务不会生成，请检查 dangjian serve 是否在运行。")
    return ""


def stale_notices(link: str = "") -> list:
    """The home-page warning (core.panels) when the consumer has not run for longer than its period."""
    beat = last_heartbeat()
    if not consumer_stale():
        return []
    value = f"{int((timezone.now() - beat).total_seconds() // 60)} 分钟" if beat else "从未运行"
    return [Notice("后台任务进程未运行：定期任务（督办单、通知邮件）不会执行", value, link)]


def queue_notices(user) -> list:
    """The 系统管理员's panel: the task consumer's state."""
    return stale_notices() if has_capability(user, "setting.manage") else []


def run_label(run: JobRun) -> str:
    """What a run is for, as a page shows it: the job's registered label and its day (一周一督办：督办单（2026-11-30）)."""
    label = JOBS[run.job][0] if run.job in JOBS else run.job
    return f"{label}（{'，'.join(map(str, run.args))}）" if run.args else label


def recent_runs(prefix: str, limit: int = 5) -> list[JobRun]:
    runs = list(JobRun.objects.filter(job__startswith=prefix).order_by("-queued_at", "-id")[:limit])
    for run in runs:
        run.label = run_label(run)
    return runs
