"""Core's jobs on the task queue (huey autodiscovers each app's tasks.py): the tracked-job runner and the
consumer heartbeat (core/jobs.py), and the e-mail delivery queue (core/notify.py)."""

from .jobs import heartbeat, run_job  # noqa: F401  (registered with the consumer)
from .notify import deliver_mail, deliver_mail_sweep  # noqa: F401
