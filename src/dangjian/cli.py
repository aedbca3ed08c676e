"""The `dangjian` command: serve, demo, gen, bench, backup, and every manage.py command."""

import os
import signal
import subprocess
import sys


def _setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")


def serve(argv: list[str]) -> None:
    """Serve with gunicorn (a production-grade WSGI server), static files by WhiteNoise."""
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
            "--access-logfile", "-", "--forwarded-allow-ips", "127.0.0.1", *argv]
    # The task queue's consumer (periodic jobs: weekly 督办, reminders) runs beside the web server.
    consumer = subprocess.Popen([sys.executable, "-m", "dangjian.cli", "run_huey", "--quiet"])
    try:
        subprocess.call([sys.executable, "-m", *args])
    except KeyboardInterrupt:
        pass
    finally:
        consumer.send_signal(signal.SIGINT)
        try:
            consumer.wait(timeout=10)
        except subprocess.TimeoutExpired:
            consumer.kill()


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
