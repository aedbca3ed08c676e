"""Several app servers on one database (issue 10 item 8, issue 11 item 4): a file uploaded through one
is downloaded through the other, and a rule changed through one is in force at once on the other.

Two gunicorn processes with this worktree's code, one worker each, on the test database (SQLite in WAL,
or PostgreSQL with DATABASE_URL) and one shared upload directory (DANGJIAN_MEDIA_ROOT).
"""

import hashlib
import re

from dangjian.accounts.models import User
from dangjian.core.models import AuditEvent
from dangjian.duties.models import Institution
from dangjian.orgs.models import Org, OrgKind

from .servers import app_servers, browser_for, csrf_post, process_env

PDF = b"%PDF-1.4\n% shared upload\n" + bytes(range(256)) * 40
RULE = "duties.due_soon_workdays"


def _rule_value(browser, base: str) -> str:
    page = browser.get(f"{base}/settings/rules/{RULE}/", timeout=30)
    assert page.status_code == 200, page.text[:300]
    return re.search(r'name="value"[^>]*value="([^"]*)"', page.text).group(1)


def test_an_upload_and_a_rule_change_through_one_server_hold_on_the_other(tx_demo, tmp_path):
    shared = tmp_path / "shared-media"
    env = process_env(DANGJIAN_MEDIA_ROOT=shared)
    dangwu = browser_for(User.objects.get(username="dangwu"))
    admin = browser_for(User.objects.get(username="admin"))
    agency = Org.objects.filter(kind=OrgKind.AGENCY).order_by("path").first()
    with app_servers(2, env, tmp_path) as (one, two):
        # an upload through server one, through store_upload (a plain stored path) ...
        response = csrf_post(dangwu, f"{one}/duties/rules/new/", {
            "title": "市XX机关文件管理办法（两台服务器）", "doc_number": "", "category": "conduct",
            "issuer": "中共市XX党组", "issued_on": "2026-03-02", "org": agency.pk, "body": "文件统一存放"},
            files={"upload": ("办法.pdf", PDF, "application/pdf")})
        assert response.status_code == 302, response.text[:1000]
        item = Institution.objects.get(title="市XX机关文件管理办法（两台服务器）")
        assert (shared / item.file).read_bytes() == PDF  # in the shared directory, not a server's own disk
        # ... is downloaded through server two, through the scoped view
        download = dangwu.get(f"{two}/duties/rules/{item.pk}/file/", timeout=30)
        assert download.status_code == 200
        assert hashlib.sha256(download.content).hexdigest() == hashlib.sha256(PDF).hexdigest()
        assert AuditEvent.objects.filter(action="file.download", target_id=str(item.pk)).count() == 1

        # server two has the rule in its cache; it changes through server one ...
        assert _rule_value(admin, two) == "5"
        response = csrf_post(admin, f"{one}/settings/rules/{RULE}/", {"value": "8", "reason": "两台服务器测试"})
        assert response.status_code == 302, response.text[:1000]
        # ... and the very next request to server two has the new value in force
        assert _rule_value(admin, two) == "8"
        assert _rule_value(admin, one) == "8"
