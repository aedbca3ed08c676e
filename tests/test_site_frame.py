"""Small things of the site's frame (issue 11 item 25): the address `dangjian serve` announces, a silent
check on SQLite, the page title, the favicon, the README's module list and the demo's 文号."""

import re
from io import StringIO
from pathlib import Path

from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import Client

ROOT = Path(__file__).resolve().parent.parent


def test_make_run_leaves_the_address_to_serve():
    """`dangjian serve` says the address it binds (checked on a real serve in tests/test_jobs_crash.py);
    `make run` printed a fixed :8000 before it, whatever DANGJIAN_BIND said."""
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
