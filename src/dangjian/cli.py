"""The `dangjian` command: serve, demo, gen, bench, backup, and every manage.py command."""

import os
import signal
import subprocess
import sys
import time


def _setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")


CONSUMER = [sys.executable, "-m", "dangjian.cli", "run_huey", "--quiet"]
# A consumer that keeps dying is started again after 1, 2, 4 … at most 60 seconds; a minute up resets it.
MAX_BACKOFF = 60.0


def _stop(proc: subprocess.Popen, sig: int, timeout: float = 10) -> None:
    if proc.poll() is None:
        proc.send_signal(sig)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def supervise(server_cmd: list[str]) -> int:
    """Run the web server and the task consumer; start the consumer again whenever it dies; on SIGTERM or
    Ctrl+C (or when the server ends) stop both before returning, so that nothing is left behind."""
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(signal.SIGTERM))
    signal.signal(signal.SIGINT, lambda *_: stopping.append(signal.SIGINT))
    server = subprocess.Popen(server_cmd)
    consumer, started, backoff = subprocess.Popen(CONSUMER), time.monotonic(), 1.0
    try:
        while not stopping and server.poll() is None:
            if consumer.poll() is not None:
                if time.monotonic() - started > 60:
                    backoff = 1.0
                print(f"任务队列进程已退出（状态 {consumer.returncode}），{backoff:.0f} 秒后重新启动", file=sys.stderr,
                      flush=True)
                deadline = time.monotonic() + backoff
                while not stopping and time.monotonic() < deadline:
                    time.sleep(0.2)
                if stopping:
                    break
                consumer, started, backoff = subprocess.Popen(CONSUMER), time.monotonic(), min(backoff * 2, MAX_BACKOFF)
            time.sleep(0.2)
    finally:
        # gunicorn stops gracefully on SIGTERM; huey's consumer finishes its running tasks on SIGINT.
        _stop(server, signal.SIGTERM)
        _stop(consumer, signal.SIGINT)
    return server.returncode or 0


def serve(argv: list[str]) -> None:
    """Serve with gunicorn (a production-grade WSGI server), static files by WhiteNoise, beside the task
    queue's consumer (periodic jobs: weekly 督办, reminders, e-mail delivery), supervised."""
    import django
    from django.core.management import call_command

    django.setup()
    call_command("collectstatic", interactive=False, verbosity=0)
    bind = os.environ.get("DANGJIAN_BIND", "127.0.0.1:8000")
    workers = os.environ.get("DANGJIAN_WORKERS", "3")
    # Said here, where the address is chosen, so that it is the one gunicorn listens on.
    where = bind if bind.startswith(("unix:", "fd://")) else f"http://{bind}"
    print(f"服务地址：{where}  （Ctrl+C 停止）", flush=True)
    args = ["gunicorn", "dangjian.wsgi:application", "--bind", bind, "--workers", workers,
            "--access-logfile", "-", "--logger-class", "dangjian.core.access_log.AccessLogger",
            "--forwarded-allow-ips", "127.0.0.1", *argv]
    sys.exit(supervise([sys.executable, "-m", *args]))


def main() -> None:
    _setup()
    argv = sys.argv[1:]
    if argv and argv[0] == "serve":
        serve(argv[1:])
        return
    from django.core.management import execute_from_command_line

    execute_from_command_line(["dangjian", *argv])


if __name__ == "__main__":
    main()
