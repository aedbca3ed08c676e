"""Item 7: upload checks (type by content, size, names) and rate limiting per address."""

import io
import multiprocessing
import time
import zipfile

import pytest
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import Workbook

from dangjian.accounts.models import ApiToken
from dangjian.core import ratelimit, rule_settings, uploads
from dangjian.core.models import AuditEvent
from dangjian.orgs.models import Person
from tests.conftest import PASSWORD, signed_in


def xlsx_bytes():
    wb = Workbook()
    wb.active.append(["姓名"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def docx_like(extra=None):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return out.getvalue()


PDF = b"%PDF-1.7\n%\xe2\xe3\n1 0 obj\n<<>>\nendobj\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def f(name, data):
    return SimpleUploadedFile(name, data)


@pytest.mark.parametrize("name,data,kind", [
    ("花名册.xlsx", None, "xlsx"), ("通知.docx", "docx", "docx"), ("报告.pdf", PDF, "pdf"), ("照片.PNG", PNG, "png"),
    ("照片.jpeg", JPG, "jpg"), ("2024.年度.报告.pdf", PDF, "pdf"),
])
def test_genuine_files_are_accepted_by_content(db, name, data, kind):
    data = xlsx_bytes() if data is None else docx_like() if data == "docx" else data
    assert uploads.validate_upload(f(name, data)) == kind


@pytest.mark.parametrize("name,data,message", [
    ("报告.pdf", b"MZ\x90\x00 this is an exe", "文件内容：不是"),        # disguised executable
    ("报告.pdf", PNG, "文件扩展名：与内容不符"),                          # a picture named .pdf
    ("花名册.xlsx", None, "文件扩展名：与内容不符"),                        # placeholder replaced below
    ("通知.pdf.exe", PDF, "可执行文件"),
    ("照片.php.jpg", JPG, "可执行文件"),
    ("通知.docx.pdf", PDF, "多重扩展名"),
    ("无扩展名", PDF, "缺少扩展名"),
    ("页面.html", b"<script>alert(1)</script>", "可执行文件"),
    ("图.svg", b"<svg onload=alert(1)>", "可执行文件"),
    ("宏.docx", "macro", "文件内容：不是"),                               # a .docm renamed .docx
    ("空.pdf", b"", "空文件"),
    ("旧.doc", b"\xd0\xcf\x11\xe0", "文件类型：请上传"),
])
def test_disguised_or_dangerous_files_are_refused_with_a_reason(db, name, data, message):
    if data is None:
        name, data = "花名册.xlsx", docx_like()  # a Word file renamed .xlsx
    elif data == "macro":
        data = docx_like({"word/vbaProject.bin": b"\x00"})
    with pytest.raises(ValidationError, match=message):
        uploads.validate_upload(f(name, data))


def test_the_size_limit_is_a_rule(db):
    assert rule_settings.get("security.upload_max_mb") == 20
    with pytest.raises(ValidationError, match="文件大小：不能超过 1 KB"):
        uploads.validate_upload(f("报告.pdf", PDF * 50), max_bytes=1024)
    rule_settings.set_rule("security.upload_max_mb", "1", actor=None)
    with pytest.raises(ValidationError, match="文件大小：不能超过 1 MB"):
        uploads.validate_upload(f("报告.pdf", PDF + b"0" * (1024 * 1024)))


def test_stored_files_get_random_names_and_no_execute_bit(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    upload = f("../../etc/通知.pdf", PDF)
    kind = uploads.validate_upload(upload)
    relative = uploads.store_upload(upload, "attachments", kind)
    stored = tmp_path / relative
    assert stored.parent == tmp_path / "attachments" and stored.suffix == ".pdf" and "通知" not in stored.name
    assert stored.read_bytes() == PDF
    assert stored.stat().st_mode & 0o111 == 0
    with pytest.raises(ValueError):
        uploads.store_upload(upload, "../x", kind)


def test_the_roster_import_refuses_a_disguised_file_and_writes_nothing(demo):
    client = signed_in(demo["users"]["dangwu"])
    business = AuditEvent.objects.filter(category=AuditEvent.Category.BUSINESS)
    people, events = Person.objects.count(), business.count()
    for name, data, message in (("花名册.xlsx", docx_like(), "不是 Excel"), ("花名册.php.xlsx", xlsx_bytes(), "可执行"),
                                ("花名册.xlsx", b"MZ\x90\x00", "不是 Excel")):
        upload = io.BytesIO(data)
        upload.name = name
        response = client.post("/people/import/", {"file": upload})
        assert response.status_code == 200 and message in response.content.decode()
    assert (Person.objects.count(), business.count()) == (people, events)
    refused = AuditEvent.objects.filter(action="upload.refused").order_by("id")
    assert refused.count() == 3 and all(not e.success and e.actor.username == "dangwu" for e in refused)
    assert "花名册.php.xlsx" in refused[1].message and "可执行" in refused[1].message


def test_every_module_refuses_a_disguised_upload_logs_it_and_writes_nothing(demo):
    """Duties (制度文件, 签字扫描件), matters (进展附件) and meetings (活动照片) share core.uploads."""
    import datetime as dt

    from django.core.files.base import ContentFile

    from dangjian.duties import letters, register
    from dangjian.duties.models import Institution, ResponsibilityLetter
    from dangjian.matters import services as matter_services
    from dangjian.matters.models import Matter, Progress
    from dangjian.meetings import activities
    from dangjian.meetings.models import Activity

    dangwu = demo["users"]["dangwu"]
    exe = ContentFile(b"MZ\x90\x00" + b"\x00" * 64, name="扫描件.pdf")
    business = AuditEvent.objects.filter(category=AuditEvent.Category.BUSINESS)
    before = business.count()
    attempts = [
        lambda: register.do_save_institution(Institution(
            title="探针制度", org=demo["orgs"]["SXX"], issued_on=dt.date(2026, 1, 5)), actor=dangwu, upload=exe),
        lambda: letters.do_sign_letter(ResponsibilityLetter.objects.first(), actor=dangwu,
                                       signed_on=dt.date(2026, 1, 5), scan=exe),
        lambda: matter_services.do_add_progress(
            Progress(matter=Matter.objects.first(), text="进展", attachment=exe), actor=dangwu),
        lambda: activities.do_add_photo(Activity.objects.first(), exe, "照片", actor=dangwu),
    ]
    for attempt in attempts:
        exe.seek(0)
        with pytest.raises(ValidationError) as refused:
            attempt()
        assert "文件" in str(refused.value)  # names what is wrong: content, or type for a photo
    assert business.count() == before
    assert AuditEvent.objects.filter(action="upload.refused", actor=dangwu, success=False).count() == len(attempts)


def test_a_refused_form_token_is_a_security_event(demo):
    client = signed_in(demo["users"]["dangyuan"], enforce_csrf_checks=True)
    response = client.post("/accounts/password/", {"old_password": "x"})
    assert response.status_code == 403 and "表单令牌" in response.content.decode()
    event = AuditEvent.objects.get(action="csrf.refused")
    assert not event.success and event.actor.username == "dangyuan" and "/accounts/password/" in event.message


def test_a_forged_session_cookie_is_logged_once_and_dropped(demo):
    client = Client()
    client.cookies["sessionid"] = "forged0000000000000000000000000000000"
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert AuditEvent.objects.filter(action="session.unknown_cookie", success=False).count() == 1
    assert response.cookies["sessionid"].value == "" and response.cookies["sessionid"]["max-age"] == 0


def test_login_posts_are_rate_limited_per_address_with_a_chinese_429(demo):
    limit = rule_settings.get("security.rate_login_per_minute")
    attacker, other = Client(REMOTE_ADDR="10.9.9.9"), Client(REMOTE_ADDR="10.9.9.10")
    for _ in range(limit):
        assert attacker.post("/accounts/login/", {"username": "nobody", "password": "x"}).status_code == 200
    refused = attacker.post("/accounts/login/", {"username": "dangwu", "password": PASSWORD})
    assert refused.status_code == 429 and "请求过于频繁" in refused.content.decode() and "一分钟后再试" in refused.content.decode()
    assert int(refused["Retry-After"]) <= 60
    assert attacker.get("/accounts/login/").status_code == 200  # the form still shows
    # Another address is not affected, and the first refusal is a security event (once per window).
    assert other.post("/accounts/login/", {"username": "dangwu", "password": PASSWORD}).status_code == 302
    attacker.post("/accounts/login/", {"username": "dangwu", "password": PASSWORD})
    assert AuditEvent.objects.filter(action="ratelimit.block", target_repr="login").count() == 1


def test_api_token_failures_are_rate_limited_but_a_valid_token_is_not(demo):
    limit = rule_settings.get("security.rate_api_auth_failures_per_minute")
    bad = Client(REMOTE_ADDR="10.8.8.8", HTTP_AUTHORIZATION="Bearer guessed-token")
    for _ in range(limit):
        assert bad.get("/api/v1/people").status_code == 401
    refused = bad.get("/api/v1/people")
    assert refused.status_code == 429 and "请求过于频繁" in refused.json()["detail"]
    _, key = ApiToken.issue(demo["users"]["dangwu"], "测试")
    good = Client(REMOTE_ADDR="10.8.8.9", HTTP_AUTHORIZATION=f"Bearer {key}")
    for _ in range(limit + 5):
        assert good.get("/api/v1/people").status_code == 200


def _hit_many(times):
    for _ in range(times):
        ratelimit.hit("hammer", "10.7.7.7", 10_000)  # under the limit: counts only, writes no event


def test_the_workers_of_a_server_count_together_exactly(db):
    """Gunicorn's workers are processes sharing the "ratelimit" cache: no hit is lost to a
    read-then-write race (on the file cache without its lock, 3 × 200 hits counted 198)."""
    if ratelimit.retry_after() < 10:  # stay inside one window
        time.sleep(ratelimit.retry_after() + 0.1)
    workers = [multiprocessing.get_context("fork").Process(target=_hit_many, args=(200,)) for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert [w.exitcode for w in workers] == [0, 0, 0]
    assert caches["ratelimit"].get(ratelimit._key("hammer", "10.7.7.7")) == 600
