"""Meeting documents: minutes (.docx, GB/T 9704 layout via core.documents), the 三重一大 ledger
(.xlsx), the sign-in QR code (SVG, made on the server) and a person's iCal feed (RFC 5545)."""

from __future__ import annotations

import datetime as dt
import io

from django.utils import timezone

from dangjian.core.documents import OfficialDocument, cn_date, join_title

from .models import AttendanceStatus, Meeting, Outcome

LEDGER_HEADERS = ["会议日期", "会议", "议题", "类别", "涉及金额（万元）", "应到", "到会表决", "同意", "不同意", "缓议",
                  "回避", "决定", "决定事项"]


def minutes_document(meeting: Meeting, named=None) -> OfficialDocument:
    """会议纪要 in the usual layout: the facts, attendance, then each topic with its opinions and decision.

    The counts are of everyone expected; the names (and leave reasons) are of the attendance rows in ``named``
    (the rows the reader may see: an attendee without a grant on the meeting's org reads their own), all by default.
    """
    doc = OfficialDocument(join_title(str(meeting.org), meeting.title if meeting.kind.name in meeting.title
                                      else str(meeting.kind)) + "纪要")
    counts = {s: 0 for s in AttendanceStatus.values}
    for status in meeting.attendance.values_list("status", flat=True):
        counts[status] += 1
    attendance = list((meeting.attendance if named is None else named).select_related("person").order_by("id"))
    present = [a.person.name for a in attendance if a.status == AttendanceStatus.PRESENT]
    leave = [f"{a.person.name}（{a.reason}）" for a in attendance if a.status == AttendanceStatus.LEAVE]
    absent = [a.person.name for a in attendance if a.status == AttendanceStatus.ABSENT]
    doc.paragraph(f"时间：{cn_date(meeting.date)} {meeting.start_time:%H:%M}—{meeting.end_time:%H:%M}")
    doc.paragraph(f"地点：{meeting.place or '—'}")
    doc.paragraph(f"主持人：{meeting.host or '—'}　　记录人：{meeting.recorder or '—'}")
    doc.paragraph(f"应到{sum(counts.values())}人，实到{counts[AttendanceStatus.PRESENT]}人，"
                  f"请假{counts[AttendanceStatus.LEAVE]}人，缺席{counts[AttendanceStatus.ABSENT]}人。")
    doc.paragraph(f"出席：{'、'.join(present) or '无'}")
    if leave:
        doc.paragraph(f"请假：{'、'.join(leave)}")
    if absent:
        doc.paragraph(f"缺席：{'、'.join(absent)}")
    topics = list(meeting.topics.prefetch_related("opinions__person"))
    numbers = "一二三四五六七八九十"
    if topics:
        doc.heading1("一、会议议题及决定")
        for i, topic in enumerate(topics):
            label = numbers[i] if i < len(numbers) else str(i + 1)
            doc.heading2(f"（{label}）{topic.title}" + (f"〔{topic.get_category_display()}〕" if topic.category else ""))
            if topic.amount is not None:
                doc.paragraph(f"涉及金额：{topic.amount}万元。")
            if topic.recused:
                doc.paragraph(f"回避：{'、'.join(r['name'] for r in topic.recused)}。")
            opinions = list(topic.opinions.all())
            if opinions:
                doc.paragraph("与会成员按顺序逐一表态（主要负责人末位表态）：")
                doc.table(["顺序", "成员", "意见", "理由"],
                          [(o.order, o.person.name + ("（主要负责人）" if o.is_principal else ""),
                            o.get_stance_display(), o.reason) for o in opinions])
            if topic.outcome:
                t = topic.tally
                doc.paragraph(f"表决结果：应到会成员{t.get('should', 0)}人，同意{t.get('agree', 0)}人，"
                              f"不同意{t.get('disagree', 0)}人，缓议{t.get('defer', 0)}人，{topic.get_outcome_display()}。")
                if topic.decision_text:
                    doc.paragraph(f"决定：{topic.decision_text}")
            else:
                doc.paragraph("尚未作出决定。")
    if meeting.minutes:
        doc.heading1("二、会议记录" if topics else "一、会议记录")
        for line in meeting.minutes.splitlines():
            if line.strip():
                doc.paragraph(line.strip())
    doc.attachment_list([a.name for a in meeting.attachments.order_by("id")])
    doc.signature(str(meeting.org), meeting.date)
    return doc


def ledger_rows(topics):
    for t in topics:
        tally = t.tally or {}
        yield [t.meeting.date, str(t.meeting), t.title, t.get_category_display(), t.amount, tally.get("should"),
               tally.get("sitting"), tally.get("agree"), tally.get("disagree"), tally.get("defer"),
               "、".join(r["name"] for r in t.recused), t.get_outcome_display() if t.outcome else "未决",
               t.decision_text]


def qr_svg(url: str) -> bytes:
    import segno

    buf = io.BytesIO()
    segno.make(url, error="m").save(buf, kind="svg", scale=6, border=2, title="扫码签到")
    return buf.getvalue()


# ---- iCal (RFC 5545), written by hand: a handful of properties, escaped and folded ----------------

def _escape(text: str) -> str:
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\\n")
            .replace("\n", "\\n"))


def _fold(line: str) -> str:
    """Lines longer than 75 octets are folded (RFC 5545 3.1), never inside a UTF-8 character."""
    out, current = [], b""
    for ch in line:
        b = ch.encode()
        if len(current) + len(b) > (75 if not out else 74):
            out.append(current.decode())
            current = b""
        current += b
    out.append(current.decode())
    return "\r\n ".join(out)


def _utc(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def ical_feed(meetings, host: str) -> str:
    stamp = _utc(timezone.now())
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//dangjian//meetings//ZH", "CALSCALE:GREGORIAN",
             "METHOD:PUBLISH", "X-WR-CALNAME:" + _escape("我的会议学习")]
    for m in meetings:
        lines += [
            "BEGIN:VEVENT", f"UID:meeting-{m.pk}@{host}", f"DTSTAMP:{stamp}", f"DTSTART:{_utc(m.starts())}",
            f"DTEND:{_utc(m.ends())}", "SUMMARY:" + _escape(f"{m.kind}：{m.title}"),
            "LOCATION:" + _escape(m.place or ""), "DESCRIPTION:" + _escape(f"{m.org} · {m.get_status_display()}"),
            "STATUS:" + ("CANCELLED" if m.status == "cancelled" else "CONFIRMED"), "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"


__all__ = ["Outcome", "minutes_document", "ledger_rows", "qr_svg", "ical_feed", "LEDGER_HEADERS"]
