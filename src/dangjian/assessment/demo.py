"""Demo records of the 作风台账 and its registers for the 市XX agency (appended to orgs.demo.DEMO_BUILDERS after the
duties, matters and supervision demos, whose records some entries come from).

Entries from each source: the 约谈 of the supervision demo (recorded by its service) and a 诫勉 talk here, the matters
that went overdue (the daily check, run once), a 典型, a 问责 still in its 影响期, a kept commitment, and a 表扬 and
a 通报批评 entered by hand with their evidence. Commitments with progress (one kept, one under way), and the first
signed 责任状's tasks whose result is known scored by the 党组书记. All through the real services.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.duties.models import LetterTask, ResponsibilityLetter
from dangjian.orgs.demo import DEMO_BUILDERS
from dangjian.supervision import services as supervision
from dangjian.supervision.models import Talk, TalkKind

from . import ledger
from .ledger_models import Accountability, AccountabilityForm, Commendation, Commitment, CommitmentResult
from .models import ConductKind


def _day(today: dt.date, days_ago: int) -> dt.date:
    """A day this year, ``days_ago`` before today (or the first of January, early in the year)."""
    return max(today - dt.timedelta(days=days_ago), dt.date(today.year, 1, 1))


def build(context: dict) -> None:
    staff, jijian = User.objects.get(username="dangwu"), User.objects.get(username="jijian")
    heads, deputies = context["heads"], context["deputies"]
    today = timezone.localdate()
    year = today.year

    supervision.do_record_talk(Talk(
        kind=TalkKind.ADMONITION, held_on=_day(today, 40), talker=context["discipline_head"], subject=heads["RSK"],
        reason="干部档案材料审核把关不严，经核实存在材料缺失。", content="对其进行诫勉谈话，指出问题，提出整改要求。",
        account="对审核把关不严负有责任。", commitments="一个月内完成档案材料专项复核。"), actor=jijian)
    ledger.record_overdue(today)

    ledger.do_add_entry(heads["BGS"], kind=ConductKind.PRAISE, on=_day(today, 60),
                        summary="牵头完成机关公文处理流程优化，市委办公室通报表扬", actor=staff,
                        evidence=f"市委办公室《关于{year}年度公文处理工作情况的通报》")
    ledger.do_add_entry(heads["CWK"], kind=ConductKind.NOTICE, on=_day(today, 75),
                        summary="未按时报送财务决算报表，机关内部通报批评", actor=staff,
                        evidence=f"市XX办〔{year}〕12号 内部通报")

    kept = ledger.do_create_commitment(Commitment(
        person=deputies[0], year=year, title="分管科室开展党建业务融合调研", target_value=Decimal(4), unit="次",
        due_on=dt.date(year, 12, 31)), actor=staff)
    under_way = ledger.do_create_commitment(Commitment(
        person=heads["BGS"], year=year, title="科室干部集中学习参学率", target_value=Decimal(95), unit="%",
        due_on=dt.date(year, 12, 31)), actor=staff)
    for n, (commitment, value) in enumerate([(kept, 2), (kept, 4), (under_way, 88)]):
        ledger.do_report_progress(commitment, actor=staff, on=_day(today, 90 - 30 * n), value=Decimal(value),
                                  note="按计划推进，情况见佐证材料。", evidence="调研报告、签到表")
    ledger.do_check_commitment(kept, actor=staff, result=CommitmentResult.MET,
                               reason="四次调研均形成报告并经党组会研究。")

    ledger.do_register_commendation(Commendation(
        person=heads["DJB"], title="优秀共产党员", conferred_by="中共市XX机关委员会",
        doc_number=f"市XX机党〔{year}〕5号", basis="带头落实“三会一课”，所在支部党建工作考核第一。",
        conferred_on=_day(today, 150), period_start=_day(today, 150)), actor=staff)
    ledger.do_record_accountability(Accountability(
        person=heads["CWK"], form=AccountabilityForm.NOTICE, basis="落实财务内控制度不力，造成报表延误。",
        decided_by="中共市XX党组", doc_number=f"市XX党组〔{year}〕9号", decided_on=_day(today, 70),
        effect_until=_day(today, 70) + dt.timedelta(days=364)), actor=staff)
    ledger.do_record_accountability(Accountability(
        org=context["sections"]["CWK"], form=AccountabilityForm.ORG_CHECK, basis="财务科党建与业务“两张皮”。",
        decided_by="中共市XX党组", decided_on=_day(today, 70)), actor=staff)

    letter = ResponsibilityLetter.objects.filter(year=year, signed_on__isnull=False).order_by("id").first()
    scorer = getattr(letter.secretary, "user", None) if letter else None
    if scorer is not None:
        for n, task in enumerate(LetterTask.objects.filter(letter=letter).order_by("seq")):
            if ledger.result_known(task, today):
                score = Decimal(100 - 15 * n)
                ledger.do_score_task(task, actor=scorer, score=score,
                                     comment="" if score == 100 else "部分目标未按期完成，酌情扣分。")


DEMO_BUILDERS.append(build)
