"""Pickers of people and the labels pages show (issue 11 item 22): each option names the person's
section and branch, the list is searchable (app.js; browser test in tests/e2e/test_pages.py) and holds
the candidates the rule allows; no internal code on /meetings/kinds/ or /audit/; a hint that says what
an empty 完成时限 means; short field names in error messages."""

import re

from django.utils import timezone

from dangjian.core.action_labels import action_label
from dangjian.core.forms_base import person_label
from tests.conftest import login


def _options(html: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, name
    assert "data-person-search" in re.search(rf'<select name="{name}"[^>]*>', html).group(0)
    return [t for t in re.findall(r"<option[^>]*>([^<]*)</option>", select.group(1)) if not t.startswith("---")]


def test_person_pickers_name_section_and_branch(demo):
    from dangjian.accounts.models import User

    zhong = User.objects.get(username="kezhang").person
    options = _options(login("dangwu").get("/matters/new/").content.decode(), "owner")
    assert person_label(zhong) == f"{zhong.name}（{zhong.org.name}·{zhong.branch.name}）"
    assert person_label(zhong) in options
    assert all(re.fullmatch(r".+（.+）", o) for o in options), options[:5]


def test_the_letter_counterpart_picker_offers_only_who_may_sign(demo):
    from dangjian.accounts.models import User
    from dangjian.duties.models import Duty, DutyKind

    options = _options(login("dangwu").get("/duties/letters/new/").content.decode(), "counterpart")
    names = {o.split("（")[0] for o in options}
    today = timezone.localdate()
    current = list(Duty.objects.overlapping(today, today).select_related("person"))
    principals = {d.person_id for d in current if d.kind == DutyKind.PRIMARY}
    assert names == {d.person.name for d in current if d.person_id not in principals
                     and d.kind in (DutyKind.LEADERSHIP, DutyKind.SUPERVISION, DutyKind.SPECIFIC)}
    assert User.objects.get(username="banzi").person.name in names
    assert User.objects.get(username="dangyuan").person.name not in names  # no responsibility: cannot sign
    assert User.objects.get(username="shuji").person.name not in names  # the 第一责任人 signs as 甲方


def test_the_assign_step_says_what_an_empty_deadline_means(demo):
    from dangjian.matters.models import Matter, Status

    matter = Matter.objects.filter(status=Status.REGISTERED).first()
    html = login("dangwu").get(f"/matters/{matter.pk}/").content.decode()
    hint = re.search(r"留空则按[^<]*", html).group(0)
    assert "指定日期" not in hint
    assert re.search(rf"{matter.spec.label}的默认时限：自交办日起\d+个(工作日|自然日|月)（今天交办即 \d{{4}}-\d\d-\d\d", hint), hint


def test_meeting_kinds_and_the_audit_log_show_no_internal_codes(demo):
    from dangjian.core.models import AuditEvent

    kinds = login("dangwu").get("/meetings/kinds/").content.decode()
    assert "party_group" not in kinds and "study_day" not in kinds and "党组会议" in kinds
    codes = set(AuditEvent.objects.values_list("action", flat=True))
    for code in codes | {"matter.close", "matter.assign", "orgs.person.restore", "login.failure"}:
        assert not re.search(r"[A-Za-z]", action_label(code)), code
    page = login("dangwu").get("/audit/").content.decode()
    cells = re.findall(r'<td title="([^"]+)">([^<]*)</td>', page)
    assert cells and all(not re.search(r"[A-Za-z]", label) for _code, label in cells), cells[:5]


def test_error_messages_name_a_field_by_its_short_label(demo):
    response = login("dangwu").post("/duties/letters/new/", {"year": timezone.localdate().year, "counterpart": ""})
    html = response.content.decode()
    assert '<small class="error">乙方：' in html
    assert "乙方（班子成员或科室负责人）：" not in html
