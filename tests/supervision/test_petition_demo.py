"""The demo year of petitions (built by the demo command, left out of the tests' demo): run for real once here."""

from django.db.models import Q
from django.utils import timezone

from dangjian.assessment.models import ConductEntry, ConductKind
from dangjian.matters.models import Matter, Status
from dangjian.supervision import petition_demo, petition_stats, replies
from dangjian.supervision.petition_models import Channel, Petition, PetitionKind, PetitionReply, ReplyDelivery


def test_demo_year_of_petitions(demo):
    petition_demo.build()
    today = timezone.localdate()
    petitions = list(Petition.objects.all())
    assert len(petitions) >= 40 and {p.channel for p in petitions} == set(Channel.values)
    assert {p.status for p in petitions} == {"triage", "accepted", "merged", "declined"}
    months = {timezone.localtime(p.received_at).strftime("%Y-%m") for p in petitions}
    assert len(months) >= 11 and all((today - timezone.localtime(p.received_at).date()).days < 366 for p in petitions)
    assert any(p.anonymous for p in petitions) and any(not p.anonymous for p in petitions)
    assert Petition.objects.filter(kind=PetitionKind.ACCUSATION, accused_person__isnull=False).count() >= 2
    # every source of an answered group got the reply: through the portal or a recorded delivery
    for reply in PetitionReply.objects.filter(status="published"):
        group = set(Petition.objects.filter(replies.reply_group_q(reply.matter_id)).values_list("pk", flat=True))
        assert set(ReplyDelivery.objects.filter(reply=reply).values_list("petition_id", flat=True)) == group
        assert len(group) >= 1
    overdue = Matter.objects.filter(kind="petition", due_on__lt=today).exclude(status=Status.CLOSED).filter(
        Q(petition_reply__isnull=True) | ~Q(petition_reply__status="published"))
    assert overdue.exists()
    assert Matter.objects.filter(kind="petition", status=Status.CLOSED).exists()
    # a closed 投诉 found 查实, in a clerk's 作风台账 (投诉查实)
    assert ConductEntry.objects.filter(kind=ConductKind.COMPLAINT_UPHELD, source_type="supervision.verdictcadre",
                                       summary__contains="投诉经核实查实").count() == 1
    year_counts = [petition_stats.on_time_reply_rate(Petition.objects.all(), y).counts
                   for y in {today.year - 1, today.year}]
    assert sum(c["on_time"] for c in year_counts) and sum(c["late"] for c in year_counts)
    rated = [petition_stats.satisfaction_rate(Petition.objects.all(), y).counts for y in {today.year - 1, today.year}]
    assert all(sum(r[k] for r in rated) for k in petition_stats.SATISFACTION)
