import datetime as dt
import io
from fractions import Fraction

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from docx import Document
from docx.shared import Mm

from dangjian.core import rule_settings
from dangjian.core.documents import OfficialDocument, cn_date

rule_settings.register("test.quorum", "测试：到会比例", "1/2", kind="fraction", group="测试", source="测试依据")
rule_settings.register("test.domains", "测试：领域", ["财务", "人事"], kind="choices", group="测试",
               options=("财务", "人事", "工程项目", "物资采购", "行政审批"))
rule_settings.register("test.days", "测试：天数", 3, kind="int", group="测试", minimum=1, maximum=30)


@pytest.mark.django_db
def test_rules_have_defaults_versions_and_validation(demo):
    admin = demo["users"]["admin"]
    assert rule_settings.get("test.quorum") == Fraction(1, 2) and rule_settings.version("test.quorum") == 0
    rule_settings.set_rule("test.quorum", "2/3", actor=admin, reason="试行")
    assert rule_settings.get("test.quorum") == Fraction(2, 3) and rule_settings.version("test.quorum") == 1
    rule_settings.set_rule("test.domains", "财务、人事、行政审批", actor=admin)
    assert rule_settings.get("test.domains") == ["财务", "人事", "行政审批"]
    with pytest.raises(ValidationError) as exc:
        rule_settings.set_rule("test.days", "99", actor=admin)
    assert "测试：天数" in exc.value.messages[0]
    with pytest.raises(ValidationError):
        rule_settings.set_rule("test.domains", "财务、外交", actor=admin)
    with pytest.raises(ValidationError):
        rule_settings.set_rule("test.quorum", "3/2", actor=admin)


def test_official_documents_follow_gbt_9704():
    doc = OfficialDocument("关于测试的通知", doc_number="市XX〔2026〕1号")
    doc.heading1("一、总体要求")
    doc.heading2("（一）基本原则")
    doc.paragraph("正文内容。")
    doc.table(["序号", "事项"], [[1, "学习"]])
    doc.signature("中共市XX党组", dt.date(2026, 11, 26))
    read = Document(io.BytesIO(doc.to_bytes()))
    section = read.sections[0]
    def mm(v):
        return round(v / Mm(1))

    assert (mm(section.page_width), mm(section.page_height)) == (210, 297)
    assert mm(section.top_margin) == 37 and mm(section.left_margin) == 28
    assert round((section.page_width - section.left_margin - section.right_margin) / Mm(1)) == 156
    texts = [p.text for p in read.paragraphs]
    assert "关于测试的通知" in texts and "2026年11月26日" in texts
    title = next(p for p in read.paragraphs if p.text == "关于测试的通知")
    assert title.runs[0].font.size.pt == 22
    by_text = {p.text: p for p in read.paragraphs}  # a heading never ends a page: it stays with what follows
    assert by_text["一、总体要求"].paragraph_format.keep_with_next and by_text["（一）基本原则"].paragraph_format.keep_with_next
    assert not by_text["正文内容。"].paragraph_format.keep_with_next
    assert cn_date(dt.date(2026, 1, 5)) == "2026年1月5日"


class _Undone(Exception):
    pass


@pytest.mark.django_db
def test_a_rule_changed_in_a_rolled_back_transaction_is_kept_nowhere(demo, committed):
    """The transaction that changes a rule reads its change; once rolled back, neither this process nor another
    (reading the shared cache) keeps the value it never committed; a committed change is in force at once."""
    admin = demo["users"]["admin"]
    assert rule_settings.get("test.days") == 3
    with pytest.raises(_Undone), transaction.atomic():
        rule_settings.set_rule("test.days", "7", actor=admin)
        assert rule_settings.get("test.days") == 7 and rule_settings.version("test.days") == 1
        raise _Undone
    assert rule_settings.get("test.days") == 3
    rule_settings.forget_local()  # as another process: the shared cache
    assert rule_settings.get("test.days") == 3 and rule_settings.version("test.days") == 0
    stamp = rule_settings.STAMP.current()
    with committed():
        rule_settings.set_rule("test.days", "5", actor=admin)
    assert rule_settings.STAMP.current() != stamp and rule_settings.get("test.days") == 5
