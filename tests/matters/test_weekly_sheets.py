"""The weekly 督办单: kept compactly per 责任人, generated from its page (the job's true state shown),
downloaded as .docx, run twice without loss, archived per year beyond the retention rule; e-mail after commit."""

import datetime as dt
import gzip
import io
import json

import pytest
from django.core import mail
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone
from docx import Document

from dangjian.core import jobs, rule_settings
from dangjian.core.models import AuditEvent, JobRun, Notification
from dangjian.core.notify import deliver_pending, notify
from dangjian.matters import supervision, tasks
from dangjian.matters.models import Matter, Status, SupervisionLines, SupervisionSheet

pytestmark = pytest.mark.django_db
MONDAY = dt.date(2026, 11, 30)


def test_a_second_run_of_the_weekly_job_writes_the_notifications_the_first_did_not(demo, monday_without_sheet):
    """A run that kept the sheet but died before its notifications: running it again completes them, once."""
    sheet = supervision.issue_weekly_sheet(MONDAY, notify_people=False)
    notes = Notification.objects.filter(category="matter.supervision", link__startswith=f"/matters/supervision/{sheet.pk}/")
    assert not notes.exists()
    assert tasks.weekly_supervision(MONDAY.isoformat())() == sheet.pk
    kezhang = demo["users"]["kezhang"]
    mine = Matter.objects.filter(owner__user=kezhang, status__in=[s for s in Status if s != Status.CLOSED]).count()
    assert f"您负责的在办事项 {mine} 项" in notes.get(recipient=kezhang, link__endswith="mine=owner").title
    count = notes.count()
    assert count >= 3
    assert tasks.weekly_supervision(MONDAY.isoformat())() == sheet.pk
    assert notes.count() == count  # not twice
    run = JobRun.objects.get(key=f"matters.weekly_supervision:{MONDAY}")
    assert (run.state, run.attempts, run.result) == ("done", 2, str(sheet.pk))
    assert SupervisionSheet.objects.filter(period="week", end=MONDAY).count() == 1


def test_leaders_are_told_the_counts_of_the_sheet_not_of_today(demo):
    sheet = supervision.issue_weekly_sheet(MONDAY, notify_people=False)
    shuji = demo["users"]["shuji"]
    led = sum(1 for row in SupervisionLines.objects.filter(sheet=sheet) for line in row.lines
              if line[1] == shuji.person.pk)
    Matter.objects.filter(responsible_leader=shuji.person).update(status=Status.CLOSED)  # after the sheet
    supervision.issue_weekly_sheet(MONDAY)
    note = Notification.objects.get(recipient=shuji, link=f"/matters/supervision/{sheet.pk}/?mine=leader")
    assert f"您分管的在办事项 {led} 项" in note.title and led > 0


def test_the_generate_button_says_it_was_submitted_and_shows_the_job_and_a_stale_consumer(demo, client_for):
    client = client_for("dangwu")
    page = client.post("/matters/supervision/run/", {"what": "week"}, follow=True).content.decode()
    assert "已提交，正在生成本周督办单" in page and "已生成" not in page
    # This test's transaction never commits, so the run is still waiting for the queue, as the page says.
    assert f"一周一督办：督办单（{timezone.localdate()}）" in page and "已提交，等待执行" in page
    assert "matters.weekly_supervision" not in page  # the job by its Chinese name, not its internal key
    assert "任务队列（后台任务进程）尚未运行过" in page
    stale = "后台任务进程未运行"
    assert stale in client.get("/").content.decode() and stale in client_for("admin").get("/").content.decode()
    assert stale not in client_for("kezhang").get("/").content.decode()
    jobs.heartbeat.call_local()
    assert "任务队列" not in client.get("/matters/supervision/").content.decode()
    assert stale not in client.get("/").content.decode()
    beat = jobs.last_heartbeat()
    assert jobs.consumer_stale(beat + dt.timedelta(minutes=4)) == ""
    assert "已 12 分钟未运行" in jobs.consumer_stale(beat + dt.timedelta(minutes=12, seconds=5))
    assert "任务队列" not in client_for("kezhang").get("/matters/supervision/").content.decode()


def test_the_party_admin_downloads_the_weekly_sheet_as_a_docx(demo, client_for):
    sheet = SupervisionSheet.objects.filter(period="week").order_by("-end").first()
    assert SupervisionSheet.objects.filter(period="week").count() >= 3  # the demo holds a few weeks
    list_page = client_for("dangwu").get("/matters/supervision/").content.decode()
    assert f"/matters/supervision/{sheet.pk}/document.docx" in list_page
    response = client_for("dangwu").get(f"/matters/supervision/{sheet.pk}/document.docx")
    assert response.status_code == 200 and f"{sheet.end:%Y%m%d}.docx" in response["Content-Disposition"]
    doc = Document(io.BytesIO(response.content))
    texts = [p.text for p in doc.paragraphs]
    assert any(t.startswith("事项督办单") for t in texts)
    assert any(f"在办事项{sheet.figures['open']}项" in t for t in texts)
    table = doc.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["序号", "事项", "组织", "责任人", "责任领导", "完成时限", "状态"]
    assert len(table.rows) - 1 == sheet.figures["open"]
    titles = {row.cells[1].text.removesuffix("（交办超时）") for row in table.rows[1:]}
    assert "调研不够深入具体" in titles
    assert AuditEvent.objects.filter(action="matter.sheet_download").exists()
    # A 科室负责人 gets the lines of their own scope only.
    kezhang = Document(io.BytesIO(client_for("kezhang").get(f"/matters/supervision/{sheet.pk}/document.docx").content))
    assert 0 < len(kezhang.tables[0].rows) - 1 < sheet.figures["open"]


def test_the_sheet_page_lists_each_line_of_the_rows_it_may_read(demo, client_for):
    sheet = supervision.issue_weekly_sheet(MONDAY, notify_people=False)
    page = client_for("dangwu").get(f"/matters/supervision/{sheet.pk}/").content.decode()
    assert page.count('<td class="title">') == sheet.figures["open"]
    leader = client_for("shuji").get(f"/matters/supervision/{sheet.pk}/?mine=leader").content.decode()
    shuji = demo["users"]["shuji"].person
    led = Matter.objects.filter(responsible_leader=shuji).exclude(status=Status.CLOSED)
    assert leader.count('<td class="title">') == led.count() > 0


def test_sheets_beyond_the_retention_rule_are_archived_per_year_and_removed(demo, client_for):
    old = [supervision.issue_weekly_sheet(day, notify_people=False) for day in (dt.date(2022, 11, 28),
                                                                                dt.date(2022, 12, 5))]
    kept = supervision.issue_weekly_sheet(dt.date(2024, 12, 2), notify_people=False)
    assert rule_settings.get("matters.supervision_retention_years") == 3
    assert supervision.years_due_for_archive(MONDAY) == [2022]
    rows = SupervisionLines.objects.filter(sheet__in=old).count()
    with pytest.raises(CommandError, match="2024 年没有可归档"):
        call_command("archive_supervision", year=2024)
    assert tasks.archive_due(MONDAY.isoformat()) == rows > 0
    assert not SupervisionLines.objects.filter(sheet__in=old).exists()
    assert SupervisionLines.objects.filter(sheet=kept).exists()
    name = SupervisionSheet.objects.get(pk=old[0].pk).archive_file
    assert name.startswith("archive/supervision/督办单-2022")
    with default_storage.open(name) as f:
        records = [json.loads(line) for line in gzip.decompress(f.read()).decode().splitlines()]
    assert [r["sheet"]["end"] for r in records if "sheet" in r] == ["2022-11-28", "2022-12-05"]
    assert sum(len(r["lines"]) for r in records if "lines" in r) == 2 * old[0].figures["open"]
    event = AuditEvent.objects.get(action="matter.supervision_archive")
    assert event.after["rows"] == rows and event.after["file"] == name
    assert supervision.years_due_for_archive(MONDAY) == [] and supervision.archive_year(2022) == ("", 0, 0)
    page = client_for("dangwu").get(f"/matters/supervision/{old[0].pk}/").content.decode()
    assert "明细已按年归档" in page


def test_mail_goes_out_after_commit_once_and_never_for_a_rolled_back_note(demo, django_capture_on_commit_callbacks):
    kezhang = demo["users"]["kezhang"]
    kezhang.email = "kezhang@example.org"
    kezhang.save()
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            notify(kezhang, "撤销的通知")
            raise RuntimeError
    assert mail.outbox == [] and not Notification.objects.filter(title="撤销的通知").exists()
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            note = notify(kezhang, "督办提醒", "请按期办结", link="/matters/")
            assert note.mail_state == "pending" and mail.outbox == []  # nothing before the commit
    assert [m.subject for m in mail.outbox] == ["督办提醒"]
    assert mail.outbox[0].extra_headers["Message-ID"] == f"<notification-{note.pk}@localhost>"
    note.refresh_from_db()
    assert (note.mail_state, note.mail_attempts, note.emailed) == ("sent", 1, True)
    assert deliver_pending() == 0 and len(mail.outbox) == 1


def test_mail_waits_pending_while_the_server_is_down(demo, settings):
    kezhang = demo["users"]["kezhang"]
    kezhang.email = "kezhang@example.org"
    kezhang.save()
    note = notify(kezhang, "服务器停机时的通知")
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2  # nothing listens
    assert deliver_pending() == 0
    note.refresh_from_db()
    assert (note.mail_state, note.mail_attempts) == ("pending", 1) and note.mail_error
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert deliver_pending() == 1 and [m.subject for m in mail.outbox] == ["服务器停机时的通知"]



def test_a_supervision_day_missed_while_the_consumer_was_down_is_caught_up_by_the_next_tick(demo, monday_without_sheet):
    """huey does not run a periodic task whose hour passed with no consumer: the next day's tick (queued
    once by a consumer starting after 08:00) issues the missed Monday's sheet, for that Monday."""
    wednesday = dt.date(2026, 12, 2)
    assert not SupervisionSheet.objects.filter(period="week", end=MONDAY).exists()
    assert jobs.submit_once("matters.daily_tick", wednesday.isoformat()) is not None
    assert jobs.submit_once("matters.daily_tick", wednesday.isoformat()) is None  # on record: not twice
    result = tasks.daily_tick(wednesday.isoformat())
    sheet = SupervisionSheet.objects.get(period="week", end=MONDAY)
    assert result == f"week {sheet.pk}" and Notification.objects.filter(link__startswith=f"/matters/supervision/{sheet.pk}/").exists()
    assert tasks.daily_tick("2026-12-03") == ""  # nothing missed any more


def test_the_queued_run_generates_what_the_button_asked_for(demo, client_for, django_capture_on_commit_callbacks):
    """Once the queue takes the run: the week's sheet, or a summary of the period so far."""
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        client_for("dangwu").post("/matters/supervision/run/", {"what": "month"})
        client_for("dangwu").post("/matters/supervision/run/", {"what": "week"})
    month = SupervisionSheet.objects.get(period="month", end=today)
    assert month.start == today.replace(day=1) and month.document
    assert SupervisionSheet.objects.filter(period="week", end=today).exists()
    runs = dict(JobRun.objects.filter(job__startswith="matters.").values_list("key", "state"))
    assert runs == {f"matters.summary:month:{today}": "done", f"matters.weekly_supervision:{today}": "done"}
    page = client_for("dangwu").get("/matters/supervision/").content.decode()
    assert page.count("已完成") == 2
