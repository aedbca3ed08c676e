"""Pages of 归并与逐项答复 (thin: scope through visible_to, changes through supervision.replies) and the figures page.

The handling page of a petition (答复办理) shows its group, reply and deliveries (the panel the petition's detail
page includes too); it is open to whoever may see the petition, and to the responsible leader of its matter, who
approves the reply there (the link of their notification). Anyone else gets the 404 of a record that does not
exist.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from dangjian.core.actions import run_action
from dangjian.core.scope import get_visible_or_404, has_capability
from dangjian.core.web import year_param
from dangjian.orgs.services import agency_of

from . import petition_stats, replies, verdicts
from .petition_models import Petition, PetitionReply
from .reply_forms import DeliveryForm, MergeForm, ReplyForm, ReviewForm, VerdictForm, VersionForm


def _changeable(request, pk) -> Petition:
    return get_visible_or_404(Petition.objects.select_related("org", "matter"), request.user, pk, "change")


def _reachable(request, pk) -> Petition:
    """The petition if the user may see it, or is the responsible leader of its matter (and may approve)."""
    user = request.user
    if not 0 < pk < 2**63:
        raise Http404("记录不存在或不在您的权限范围内")
    found = Petition.objects.visible_to(user).select_related("org", "matter").filter(pk=pk).first()
    if found is None and has_capability(user, "petition.approve"):
        found = Petition.objects.select_related("org", "matter").filter(
            pk=pk, matter__responsible_leader__user=user).first()
    if found is None:
        raise Http404("记录不存在或不在您的权限范围内")
    return found


def _reply_of(petition: Petition) -> PetitionReply:
    matter_id = petition.original.matter_id
    reply = PetitionReply.objects.filter(matter_id=matter_id).first() if matter_id else None
    if reply is None:
        raise Http404("该诉求尚无答复稿")
    return reply


@login_required
def handling(request, pk):
    petition = _reachable(request, pk)
    return render(request, "supervision/petitions/handling.html", {"petition": petition})


@login_required
@require_POST
def merge(request, pk):
    petition = _changeable(request, pk)
    form = MergeForm(request.POST)

    def call():
        data = form.cleaned_data
        original = Petition(pk=data["original"])
        return replies.do_merge(petition, original, actor=request.user, score=data["score"], reason=data["reason"])

    return run_action(request, call, lambda p: f"已归并到“{p.duplicate_of}”。", replies.handling_url(pk), form=form,
                      prefix="未归并：")


@login_required
@require_POST
def unmerge(request, pk):
    petition = _changeable(request, pk)
    return run_action(request, lambda: replies.do_unmerge(petition, actor=request.user), "已撤销归并，本件回到待分类。",
                      replies.handling_url(pk), prefix="未撤销：")


@login_required
@require_POST
def draft(request, pk):
    petition = _changeable(request, pk)
    form = ReplyForm(request.POST)

    def call():
        data = form.cleaned_data
        return replies.do_draft_reply(petition, data["text"], actor=request.user,
                                      expected_version=data["loaded_version"])

    return run_action(request, call, "答复稿已保存。", replies.handling_url(pk), form=form)


@login_required
@require_POST
def submit(request, pk):
    petition = _changeable(request, pk)
    reply, form = _reply_of(petition), VersionForm(request.POST)
    return run_action(request, lambda: replies.do_submit_reply(
        reply, actor=request.user, expected_version=form.cleaned_data["loaded_version"]),
        "已提交责任领导审核。", replies.handling_url(pk), form=form, prefix="未提交：")


@login_required
@require_POST
def review(request, pk):
    petition = _reachable(request, pk)
    reply, form = _reply_of(petition), ReviewForm(request.POST)

    def call():
        data = form.cleaned_data
        if data["decision"] == "approve":
            return replies.do_approve_reply(reply, actor=request.user, expected_version=data["loaded_version"])
        return replies.do_return_reply(reply, data["reason"], actor=request.user,
                                       expected_version=data["loaded_version"])

    return run_action(request, call, lambda r: "已同意答复。" if r.status == "approved" else "已退回修改。",
                      replies.handling_url(pk), form=form, prefix="未审核：")


@login_required
@require_POST
def publish(request, pk):
    petition = _changeable(request, pk)
    reply, form = _reply_of(petition), VersionForm(request.POST)

    def done(result):
        _, delivered, pending = result
        return f"已发布答复：{len(delivered)} 件凭查询码在平台送达，{len(pending)} 件待登记送达。"

    return run_action(request, lambda: replies.do_publish_reply(
        reply, actor=request.user, expected_version=form.cleaned_data["loaded_version"]),
        done, replies.handling_url(pk), form=form, prefix="未发布：")


@login_required
@require_POST
def deliver(request, pk):
    petition = _changeable(request, pk)
    form = DeliveryForm(request.POST)

    def call():
        data = form.cleaned_data
        return replies.do_record_delivery(petition, data["method"], data["delivered_at"], data["note"],
                                          actor=request.user, satisfaction=data["satisfaction"])

    return run_action(request, call, "已登记送达。", replies.handling_url(petition.original.pk), form=form,
                      prefix="未登记：")


@login_required
@require_POST
def verdict(request, pk):
    """查实认定: by the discipline team (检举控告) or the matter's responsible leader (verdicts.may_decide)."""
    petition = _reachable(request, pk)
    form = VerdictForm(request.POST, agency_path=agency_of(petition.org).path)

    def call():
        data = form.cleaned_data
        return verdicts.do_record_verdict(petition, outcome=data["outcome"], basis=data["basis"],
                                          cadre_ids=[p.pk for p in data["cadres"]], actor=request.user)

    return run_action(request, call, lambda v: f"已认定为“{v.get_outcome_display()}”" + (
        "，已记入涉及干部的作风台账。" if v.outcome in verdicts.UPHELD else "。"),
        replies.handling_url(petition.original.pk), form=form, prefix="未认定：")


@login_required
def figures(request):
    """群众监督统计: per year, the on-time reply rate and the satisfaction rate (registry figures); each count links
    to its figure page, and to the petition list filtered the same way."""
    year = year_param(request.GET, default=timezone.localdate().year)
    shown = petition_stats.staff_figures(request.user, year)
    if shown is None:
        raise Http404("页面不存在")
    return render(request, "supervision/petitions/figures.html", {
        "year": year, "list_url": reverse("supervision:index") + "petitions/", **shown})
