"""Small things of the site's frame (issue 11 item 25): the address `dangjian serve` announces, a silent
check on SQLite, the page title, the favicon, the README's module list and the demo's 文号."""

import re
from io import StringIO
from pathlib import Path

from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import Client

from dangjian import cli

ROOT = Path(__file__).resolve().parent.parent


def test_serve_announces_the_address_it_binds(monkeypatch, capsys):
    started = []
    monkeypatch.setenv("DANGJIAN_BIND", "0.0.0.0:8123")
    monkeypatch.setattr("django.core.management.call_command", lambda *a, **k: None)  # no collectstatic

    class Consumer:
        def send_signal(self, _sig): pass
        def wait(self, timeout): pass

    monkeypatch.setattr(cli.subprocess, "Popen", lambda args: Consumer())
    monkeypatch.setattr(cli.subprocess, "call", lambda args: started.append(args))
    cli.serve([])
    assert "服务地址：http://0.0.0.0:8123" in capsys.readouterr().out
    assert started[0][started[0].index("--bind") + 1] == "0.0.0.0:8123"
    assert "8000" not in (ROOT / "Makefile").read_text(encoding="utf-8").split("\nrun:")[1].split("\n\n")[0]


def test_the_system_check_that_migrate_runs_prints_no_warning(db):
    out, err = StringIO(), StringIO()
    call_command("check", stdout=out, stderr=err)
    assert "WARNINGS" not in out.getvalue() + err.getvalue()
    assert "no issues" in out.getvalue()


def test_the_login_page_title_and_a_local_favicon(db):
    html = Client().get("/accounts/login/").content.decode()
    assert "<title>登录 · 规矩党建工作管理</title>" in html
    icon = re.search(r'<link rel="icon" href="([^"]+)"', html).group(1)
    assert icon.startswith("/static/") and finders.find(icon.removeprefix("/static/"))


def test_the_readme_lists_each_module_once():
    tree = (ROOT / "README.md").read_text(encoding="utf-8").split("src/dangjian/")[1].split("```")[0]
    names = re.findall(r"^\s{2}(\w+)/", tree, flags=re.M)
    assert "hardening" in names and len(names) == len(set(names)), names


def test_the_demo_rules_each_have_their_own_document_number(demo):
    from dangjian.duties.models import Institution

    numbers = list(Institution.objects.exclude(doc_number="").values_list("doc_number", flat=True))
    assert len(numbers) >= 3 and len(numbers) == len(set(numbers)), numbers
