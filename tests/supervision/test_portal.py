"""群众监督 public portal: submission with the offline 验证码, the 查询码 shown once, lookup, supplement, rating,
the rate limits; and the anonymity proof (no address, user agent, user, cookie or session anywhere)."""

import datetime as dt
import logging
import re
import time

from django.apps import apps
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.utils import timezone

from dangjian.core import counters, ratelimit, rule_settings
from dangjian.core.models import AuditEvent
from dangjian.matters.models import Matter
from dangjian.matters.services import do_create_matter
from dangjian.supervision import petitions
from dangjian.supervision.petition_models import (
    Channel,
    Petition,
    PetitionReply,
    PetitionStatus,
    PetitionSupplement,
    ReplyStatus,
)

PROBE_IP = "203.0.113.77"
PROBE_UA = "ProbeBrowser/9.9 (anonymity-probe-ua)"
PDF = b"%PDF-1.4\n%portal\n" + b"0" * 200


def portal_client() -> Client:
    return Client(REMOTE_ADDR=PROBE_IP, HTTP_USER_AGENT=PROBE_UA)


def solved_captcha(response) -> dict:
    """The form's captcha token and its answer, read from the cache where the server keeps it."""
    token = re.search(r'name="captcha_token" value="([^"]+)"', response.content.decode()).group(1)
    return {"captcha_token": token, "captcha": counters.shared().get(f"dangjian:captcha:{token}")}


def submit(client, **fields) -> tuple:
    form = client.get("/gongkai/tijiao/")
    data = {"kind": "accusation", "subject": "某科室违规收受礼品", "content": "2026年11月某日在办公室收受购物卡。",
            "identity": "anonymous", **solved_captcha(form), **fields}
    response = client.post("/gongkai/tijiao/", data)
    match = re.search(r'id="query-code">([A-Z0-9-]+)<', response.content.decode())
    return response, match.group(1) if match else None


def _text_columns():
    for model in apps.get_models():
        for f in model._meta.concrete_fields:
            if f.get_internal_type() in ("CharField", "TextField", "JSONField", "GenericIPAddressField",
                                         "EmailField", "SlugField"):
                yield model._meta.db_table, f.column


def _rows_containing(needle: str) -> list[str]:
    found = []
    with connection.cursor() as cursor:
        for table, column in _text_columns():
            cursor.execute(f'SELECT COUNT(*) FROM "{table}" WHERE CAST("{column}" AS TEXT) LIKE %s', [f"%{needle}%"])
            if cursor.fetchone()[0]:
                found.append(f"{table}.{column}")
    return found


def test_anonymous_submission_leaves_no_address_agent_user_cookie_or_session(demo, caplog):
    caplog.set_level(logging.DEBUG)
    _inside_one_window()
    sessions = Session.objects.count()
    events = AuditEvent.objects.count()
    client = portal_client()
    response, code = submit(client, attachments=[SimpleUploadedFile("证据.pdf", PDF)])
    assert response.status_code == 200 and code, response.content.decode()[:2000]
    assert "请立即抄写或截图保存查询码" in response.content.decode()
    assert response["Cache-Control"] == "no-store" and not response.cookies and not client.cookies
    petition = Petition.objects.get(query_code_hash=petitions.hash_query_code(code))
    assert petition.org == demo["orgs"]["SXX"] and petition.anonymous and petition.created_by is None
    assert petition.channel == Channel.PORTAL and petition.attachments.count() == 1
    # A follow-up: lookup, supplement with a file; and a refused upload (a security event of the portal).
    assert client.post("/gongkai/chaxun/", {"code": code}).status_code == 200
    assert client.post("/gongkai/chaxun/", {"code": code, "action": "supplement", "text": "补充：还有一张发票",
                                            "attachments": [SimpleUploadedFile("发票.pdf", PDF)]}).status_code == 200
    refused = client.post("/gongkai/chaxun/", {"code": code, "action": "supplement", "text": "再补充",
                                               "attachments": [SimpleUploadedFile("x.pdf", b"MZ not a pdf" * 9)]})
    assert refused.status_code == 400 and "附件" in refused.content.decode()
    assert PetitionSupplement.objects.filter(petition=petition).count() == 1
    # And a rate-limit block of the lookups (its security event).
    rule_settings.set_rule("supervision.portal_lookup_per_minute", 3, actor=None)  # three lookups so far
    assert client.post("/gongkai/chaxun/", {"code": code}).status_code == 429

    # A lapsed staff session cookie sent to the portal: its security event names no address either.
    stale = portal_client()
    stale.cookies["sessionid"] = "lapsed-session-key"
    assert stale.get("/gongkai/").status_code == 200
    assert AuditEvent.objects.filter(action="session.unknown_cookie").exists()

    assert Session.objects.count() == sessions and not client.cookies
    new_events = AuditEvent.objects.order_by("pk")[events:]
    actions = {e.action for e in new_events}
    assert {"supervision.petition_receive", "supervision.petition_attach", "supervision.petition_supplement",
            "upload.refused", "ratelimit.block", "session.unknown_cookie"} <= actions, actions
    assert all(e.actor_id is None and not e.actor_name and not e.ip for e in new_events
               if e.action != "rule.set")
    for needle in (PROBE_IP, "anonymity-probe-ua", code, code.replace("-", "")):
        assert not _rows_containing(needle), needle
        assert needle not in caplog.text
    # Every column a request could carry the address in is empty, not only the ones scanned by text.
    assert not AuditEvent.objects.filter(pk__in=[e.pk for e in new_events], ip__isnull=False).exclude(ip="")


def test_bad_submission_names_each_field_and_stores_nothing(demo):
    rule_settings.set_rule("supervision.portal_submit_per_minute", 100, actor=None)  # failures count too
    client = portal_client()
    form = client.get("/gongkai/tijiao/")
    assert form.status_code == 200 and "<img src=\"data:image/svg+xml;base64," in form.content.decode()
    response = client.post("/gongkai/tijiao/", {**solved_captcha(form), "captcha": "00000x", "subject": " ",
                                               "content": "", "kind": "accusation", "identity": "named"})
    text = response.content.decode()
    assert response.status_code == 400
    for message in ("验证码：填写错误或已过期", "标题：不能为空", "内容：不能为空", "联系人：实名提交时请填写姓名"):
        assert message in text
    # A right answer to a used-up picture fails too (single use), and a right one to a fresh picture passes.
    used = solved_captcha(form)
    assert used["captcha"] is None
    assert not Petition.objects.filter(channel=Channel.PORTAL).exists()
    fresh = client.get("/gongkai/tijiao/")
    data = {"kind": "suggestion", "subject": "建议", "content": "内容", "identity": "named", "contact_name": "张三",
            "contact_phone": "13800138000", **solved_captcha(fresh)}
    ok = client.post("/gongkai/tijiao/", data)
    code = re.search(r'id="query-code">([A-Z0-9-]+)<', ok.content.decode()).group(1)
    assert code and Petition.objects.filter(channel=Channel.PORTAL).count() == 1
    again = client.post("/gongkai/tijiao/", data)  # the page re-sent: its picture was used up
    assert again.status_code == 400 and "验证码：填写错误或已过期" in again.content.decode()
    assert Petition.objects.filter(channel=Channel.PORTAL).count() == 1
    named = Petition.objects.get(query_code_hash=petitions.hash_query_code(code))
    assert not named.anonymous and named.contact_name == "张三" and named.contact_phone == "13800138000"
    replay = client.post("/gongkai/tijiao/", {"kind": "complaint", "subject": "再来一次", "content": "内容",
                                             "identity": "anonymous", "captcha_token": "forged", "captcha": "12345"})
    assert replay.status_code == 400 and "验证码：" in replay.content.decode()
    assert not Petition.objects.filter(subject="再来一次").exists()


def test_lookup_progress_reply_supplement_and_one_rating(demo, frozen_today):
    rule_settings.set_rule("supervision.portal_lookup_per_minute", 100, actor=None)
    client = portal_client()
    unknown = client.post("/gongkai/chaxun/", {"code": petitions.new_query_code()})
    typo = client.post("/gongkai/chaxun/", {"code": "ABCD"})
    # A guessed code and a mistyped one get the same answer: nothing tells whether a code exists.
    assert unknown.status_code == typo.status_code == 400 and "查询码：未找到对应的诉求" in unknown.content.decode()
    assert unknown.content == typo.content
    original, code = petitions.do_receive_petition(Petition(
        org=demo["orgs"]["SXX"], kind="complaint", channel=Channel.PORTAL, received_at=timezone.now(),
        subject="小区路灯不亮", content="路灯坏了一个月"))
    duplicate, dup_code = petitions.do_receive_petition(Petition(
        org=demo["orgs"]["SXX"], kind="complaint", channel=Channel.PORTAL, received_at=timezone.now(),
        subject="路灯坏了", content="同一条路的路灯"))
    page = client.post("/gongkai/chaxun/", {"code": code.lower()}).content.decode()
    assert "小区路灯不亮" in page and "待分类" in page and "评价答复" not in page
    early = client.post("/gongkai/chaxun/", {"code": code, "action": "rate", "satisfaction": "satisfied"})
    assert early.status_code == 400 and "满意度：答复发布后才能评价" in early.content.decode()

    # Staff accept it as a Matter of kind 群众诉求, merge the duplicate, and publish the reply (the staff side's
    # services are built elsewhere; the records are what they leave).
    dangwu = demo["users"]["dangwu"]
    matter = do_create_matter(Matter(kind="petition", title=original.subject, org=original.org,
                                     received_on=dt.date(2026, 11, 2)), actor=dangwu)
    Petition.objects.filter(pk=original.pk).update(status=PetitionStatus.ACCEPTED, matter=matter)
    Petition.objects.filter(pk=duplicate.pk).update(status=PetitionStatus.MERGED, matter=matter, duplicate_of=original,
                                                    merged_at=timezone.now())
    page = client.post("/gongkai/chaxun/", {"code": code}).content.decode()
    assert "已受理" in page and "前答复" in page
    PetitionReply.objects.create(matter=matter, org=matter.org, text="已更换路灯，感谢监督。",
                                 status=ReplyStatus.PUBLISHED, published_at=timezone.now())
    for each in (code, dup_code):  # every member of the group reads the reply
        page = client.post("/gongkai/chaxun/", {"code": each}).content.decode()
        assert "已更换路灯" in page and "评价答复" in page and "同一条路的路灯" not in page.replace("路灯坏了", "")
    merged_page = client.post("/gongkai/chaxun/", {"code": dup_code}).content.decode()
    assert "已归并" in merged_page and "小区路灯不亮" not in merged_page  # nothing of the original shows

    bad = client.post("/gongkai/chaxun/", {"code": code, "action": "rate", "satisfaction": "great"})
    assert bad.status_code == 400 and "满意度：请选择" in bad.content.decode()
    rated = client.post("/gongkai/chaxun/", {"code": code, "action": "rate", "satisfaction": "basic"})
    assert rated.status_code == 200 and "评价已提交" in rated.content.decode()
    again = client.post("/gongkai/chaxun/", {"code": code, "action": "rate", "satisfaction": "unsatisfied"})
    assert again.status_code == 400 and "已经评价过" in again.content.decode()
    stored = Petition.objects.get(pk=original.pk)
    assert stored.satisfaction == "basic" and stored.rated_at is not None
    event = AuditEvent.objects.get(action="supervision.petition_rate", target_id=str(original.pk))
    assert event.actor_id is None and not event.ip

    # Staff record the rating a petitioner gave by phone: the event names them.
    petitions.do_rate_reply(duplicate, satisfaction="satisfied", actor=dangwu)
    assert AuditEvent.objects.get(action="supervision.petition_rate", target_id=str(duplicate.pk)).actor == dangwu

    empty = client.post("/gongkai/chaxun/", {"code": code, "action": "supplement", "text": "  "})
    assert empty.status_code == 400 and "补充内容：不能为空" in empty.content.decode()
    added = client.post("/gongkai/chaxun/", {"code": code, "action": "supplement", "text": "路灯又坏了"})
    assert "补充信息已提交" in added.content.decode() and "路灯又坏了" in added.content.decode()


def _inside_one_window():
    """The limits count per minute: start a test's counting early enough in a window to end inside it."""
    if ratelimit.retry_after() < 10:
        time.sleep(ratelimit.retry_after() + 0.1)


def test_submissions_are_rate_limited_per_address(demo):
    _inside_one_window()
    rule_settings.set_rule("supervision.portal_submit_per_minute", 1, actor=None)
    client = portal_client()
    first, code = submit(client)
    assert code
    second, _ = submit(client)
    assert second.status_code == 429 and "请求过于频繁" in second.content.decode()
    assert Petition.objects.filter(channel=Channel.PORTAL).count() == 1
    # Another address is not held back.
    other = Client(REMOTE_ADDR="198.51.100.9")
    assert submit(other)[0].status_code == 200


def test_public_pages_open_without_log_in_and_set_no_cookie(demo):
    client = Client()
    for path in ("/gongkai/", "/gongkai/tijiao/", "/gongkai/chaxun/", "/gongkai/tongji/"):
        response = client.get(path)
        assert response.status_code == 200 and not response.cookies, path
        assert "群众监督" in response.content.decode()
    assert "群众监督：意见建议、投诉、检举控告" in client.get("/accounts/login/").content.decode()


def test_the_access_log_keeps_no_address_or_agent_of_portal_visitors():
    """gunicorn's access line (dangjian serve's --logger-class) for a portal request names neither."""
    import datetime
    import io
    from types import SimpleNamespace

    from gunicorn.config import Config

    from dangjian.core.access_log import AccessLogger

    cfg = Config()
    cfg.set("accesslog", "-")
    cfg.set("access_log_format", cfg.access_log_format + ' "{x-forwarded-for}i" "{remote_addr}e"')
    logger = AccessLogger(cfg)
    out = io.StringIO()
    for handler in logger.access_log.handlers:
        handler.setStream(out)

    def line(path):
        environ = {"REMOTE_ADDR": PROBE_IP, "HTTP_USER_AGENT": PROBE_UA, "REQUEST_METHOD": "POST",
                   "RAW_URI": path, "PATH_INFO": path, "SERVER_PROTOCOL": "HTTP/1.1", "HTTP_REFERER": "/x"}
        request = SimpleNamespace(headers=[("USER-AGENT", PROBE_UA), ("X-FORWARDED-FOR", PROBE_IP)])
        logger.access(SimpleNamespace(status="200 OK", headers=[], sent=10), request, environ,
                      datetime.timedelta(milliseconds=5))
        return out.getvalue().splitlines()[-1]

    portal = line("/gongkai/chaxun/")
    assert "/gongkai/chaxun/" in portal and " 200 " in portal
    assert PROBE_IP not in portal and "anonymity-probe-ua" not in portal
    staff = line("/supervision/")
    assert PROBE_IP in staff and "anonymity-probe-ua" in staff  # elsewhere the log is gunicorn's own


def test_a_deployment_with_several_agencies_asks_which_one(demo):
    from dangjian.orgs.models import Org, OrgKind

    other = Org.add_root(name="市YY局", kind=OrgKind.AGENCY, code="SYY", order=9)
    client = portal_client()
    form = client.get("/gongkai/tijiao/")
    assert "受理单位" in form.content.decode() and "市YY局" in form.content.decode()
    missing = client.post("/gongkai/tijiao/", {**solved_captcha(form), "kind": "complaint", "subject": "标题",
                                               "content": "内容", "identity": "anonymous"})
    assert missing.status_code == 400 and "受理单位：请选择" in missing.content.decode()
    response, code = submit(client, org=str(other.pk))
    assert code and petitions.find_by_code(code).org == other
    assert "市YY局" in client.get("/gongkai/tongji/").content.decode()
