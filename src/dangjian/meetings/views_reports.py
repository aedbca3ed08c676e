"""Study, compliance, 三重一大 ledger, education activities and the iCal feed."""

import datetime as dt
import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from dangjian.core import audit, rule_settings
from dangjian.core.actions import run_action, save_form
from dangjian.core.documents import xlsx_response
from dangjian.core.figures import Period, figure_url
from dangjian.core.panels import figures_shown
from dangjian.core.scope import (
    get_visible_or_404,
    has_capability,
    path_in_scope,
    require_capability,
    scope_roots,
)
from dangjian.core.uploads import stored_file_response
from dangjian.core.web import YEAR_MAX, YEAR_MIN, paginate, year_param
from dangjian.orgs.models import Org

from . import activities, compliance, study
from .exports import LEDGER_HEADERS, ical_feed, ledger_rows
from .figures import ACTIVITY_KEYS, DECISION_KEYS, STUDY_KEYS
from .forms import ActivityForm, ComplianceForm, MakeupForm, ReflectionForm
from .models import (
    Activity,
    ActivityPhoto,
    Attendance,
    CalendarFeed,
    Meeting,
    Participant,
    StudyPlan,
    Topic,
    TopicCategory,
)
from .services import records


def _year(request) -> int:
    return year_param(request.GET, default=timezone.localdate().year)


@login_required
@require_POST
def makeup_done(request, pk):
    row = get_visible_or_404(Attendance, request.user, pk)
    form = MakeupForm(request.POST)
    back = request.POST.get("next") if request.POST.get("next", "").startswith("/meetings/") else "meetings:my"
    return run_action(request, lambda: records.do_complete_makeup(row, form.cleaned_data["makeup_note"],
                                                                   actor=request.user),
                      "已登记补学。", back, form=form, prefix="补学未登记：")


@login_required
def study_overview(request):
    require_capability(request.user, "meeting.view", what="查看学习情况")
    year = _year(request)
    hours = study.hours_by_person(year, Attendance.objects.visible_to(request.user),
                                  Meeting.objects.visible_to(request.user))
    plans = StudyPlan.objects.visible_to(request.user).filter(year=year).select_related("org") \
        .prefetch_related("topics")
    roots = Org.objects.filter(path__in=scope_roots(request.user, "meeting.change"))
    makeups = (Attendance.objects.visible_to(request.user).filter(makeup_required=True, makeup_done_on__isnull=True)
               .select_related("person", "meeting__kind").order_by("meeting__date")[:100])
    return render(request, "meetings/study.html", {
        "year": year, "page": paginate(request, hours),
        "figures": figures_shown(request.user, STUDY_KEYS, Period.year(year)), "plans": plans, "roots": roots, "makeups": makeups,
        "weekday": "一二三四五六日"[rule_settings.get("meetings.study_weekday") - 1],
        "schedule": study.study_dates(dt.date(year, 1, 1), dt.date(year, 12, 31)),
    })


@login_required
@require_POST
def study_generate(request):
    org = get_visible_or_404(Org, request.user, request.POST.get("org"))
    year = year_param(request.POST)
    if year is None:
        messages.error(request, f"年度：应为 {YEAR_MIN}—{YEAR_MAX} 之间的年份")
        return redirect("meetings:study")
    return run_action(request, lambda: study.do_generate_study_days(org, year, actor=request.user),
                      lambda done: _generated_text(year, *done), f"/meetings/study/?year={year}")


def _generated_text(year: int, created: int, skipped) -> str:
    skipped_text = "、".join(f"{d.month}月{d.day}日" for d in skipped) or "无"
    return f"已生成{year}年集中学习日 {created} 次；遇法定节假日未安排：{skipped_text}。"


@login_required
def compliance_report(request):
    require_capability(request.user, "meeting.view", what="查看三会一课情况")
    year = _year(request)
    form = ComplianceForm({"year": year, "org": request.GET.get("org") or None}, user=request.user)
    form.is_valid()
    org = form.cleaned_data.get("org") if form.is_valid() else None
    if org and not path_in_scope(request.user, "meeting.view", org.path):
        raise Http404("组织不在您的权限范围内")
    roots = [org.path] if org else scope_roots(request.user, "meeting.view")
    branches, gaps, held = [], [], {}
    for root in roots:
        b, g, h = compliance.gap_report(root, year)
        branches += b
        gaps += g
        held.update(h)
    reqs = compliance.requirements()
    calendar = [(name, [[sum(held.get((pk, r.code, m), 0) for r in reqs)] for m in range(1, 13)])
                for pk, _path, name in branches]
    if request.GET.get("export") == "xlsx":
        return xlsx_response(f"三会一课缺项{year}", ["党支部", "会议", "期间"],
                             ([g.branch, g.kind, g.period] for g in gaps))
    by_branch = {}
    for g in gaps:
        by_branch.setdefault(g.branch, []).append(g)
    # the page's totals are the figures 三会一课缺项 and 缺项率 (the same gap_report), each linked to its page
    figure = {key: figure_url(f"meetings.three_one.{key}", node_id=org.pk if org else None, period=Period.year(year),
                              part="all" if key == "gap_rate" else "") for key in ("gaps", "gap_rate")}
    return render(request, "meetings/compliance.html", {
        "form": form, "year": year, "gaps": gaps, "by_branch": by_branch, "branches": branches, "reqs": reqs,
        "calendar": calendar, "months": range(1, 13), "figure": figure,
        "gap_branches": len({g.branch_id for g in gaps}),
    })


@login_required
def ledger(request):
    require_capability(request.user, "meeting.view", what="查看“三重一大”台账")
    year = _year(request)
    category = request.GET.get("category", "")
    if category not in TopicCategory.values:
        category = ""
    topics = Topic.objects.visible_to(request.user)
    rows = compliance.ledger(topics, year, category)
    if request.GET.get("export") == "xlsx":
        audit.security_event("meeting.ledger_export", actor=request.user, message=f"{year} {category}")
        return xlsx_response(f"三重一大台账{year}", LEDGER_HEADERS, ledger_rows(rows))
    summary = (topics.filter(year=year).exclude(category="").values("category")
               .annotate(n=Count("id"), passed=Count("id", filter=Q(outcome="passed"))).order_by("category"))
    labels = dict(TopicCategory.choices)
    return render(request, "meetings/ledger.html", {
        "year": year, "category": category, "page": paginate(request, rows), "categories": TopicCategory.choices[1:],
        "figures": figures_shown(request.user, DECISION_KEYS, Period.year(year),
                                 alerts=frozenset({"meetings.decisions.pending"})),
        "summary": [(labels[s["category"]], s["n"], s["passed"]) for s in summary],
        "invalid": compliance.invalid_decisions(topics.filter(year=year)),
        "undecided": compliance.undecided(topics.filter(year=year)),
    })


# ---- education activities -----------------------------------------------------------------------

@login_required
def activity_list(request):
    require_capability(request.user, "meeting.view", what="查看教育活动")
    items = Activity.objects.visible_to(request.user).select_related("org").annotate(
        people=Count("participants", distinct=True), unit_count=Count("units", distinct=True),
    ).order_by("-date", "-id")  # a grouped query drops Meta.ordering: pages would shuffle without it
    year = timezone.localdate().year
    return render(request, "meetings/activity_list.html", {
        "page": paginate(request, items), "can_add": has_capability(request.user, "meeting.change"),
        "figures": figures_shown(request.user, ACTIVITY_KEYS, Period.year(year))})


@login_required
def activity_edit(request):
    require_capability(request.user, "meeting.change", what="组织教育活动")
    form = ActivityForm(request.POST or None, user=request.user, initial={"date": timezone.localdate()})
    saved = save_form(request, form, lambda: activities.do_create_activity(
        form.save(commit=False), form.cleaned_data["units"], actor=request.user),
        lambda activity: f"已登记教育活动“{activity}”。", lambda activity: reverse("meetings:activity", args=[activity.pk]))
    if saved:
        return saved
    return render(request, "meetings/activity_form.html", {"form": form})


@login_required
def activity_detail(request, pk):
    activity = get_visible_or_404(Activity.objects.select_related("org"), request.user, pk)
    # a participant without a grant on the organiser sees their own row, not the names of everyone else
    participants = Participant.objects.visible_to(request.user).filter(activity=activity).select_related(
        "person").order_by("id")
    mine = next((p for p in participants if p.person.user_id == request.user.pk), None)
    return render(request, "meetings/activity_detail.html", {
        "activity": activity, "participants": paginate(request, participants, 100), "units": activity.units.all(),
        "photos": activity.photos.all(), "mine": mine, "reflection_form": ReflectionForm(),
        "can_change": path_in_scope(request.user, "meeting.change", activity.org_path),
    })


@login_required
def my_reflection(request, pk):
    """A participant (who may hold no role) writes their 心得体会 here."""
    participant = get_visible_or_404(Participant.objects.select_related("activity", "person"), request.user, pk)
    form = ReflectionForm(request.POST or None, initial={"reflection": participant.reflection})
    saved = save_form(request, form, lambda: activities.do_submit_reflection(
        participant, form.cleaned_data["reflection"], actor=request.user), "心得体会已提交。", "meetings:my")
    if saved:
        return saved
    return render(request, "meetings/reflection_form.html", {"form": form, "participant": participant})


@login_required
@require_POST
def photo_add(request, pk):
    activity = get_visible_or_404(Activity, request.user, pk, "change")
    upload = request.FILES.get("image")
    if upload is None:
        messages.error(request, "照片：请选择要上传的图片")
        return redirect("meetings:activity", pk=activity.pk)
    return run_action(request, lambda: activities.do_add_photo(activity, upload, request.POST.get("caption", ""),
                                                               actor=request.user),
                      "照片已上传。", reverse("meetings:activity", args=[activity.pk]), prefix="照片未上传：")


@login_required
def photo(request, pk):
    item = get_visible_or_404(ActivityPhoto.objects.select_related("activity"), request.user, pk)
    return stored_file_response(item.image, actor=request.user, target=item, inline=True,
                                filename=f"{item.activity}-照片{item.pk}")


# ---- iCal ---------------------------------------------------------------------------------------

@login_required
def calendar_feed_page(request):
    feed = CalendarFeed.objects.filter(user=request.user).first()
    if request.method == "POST":
        token = secrets.token_urlsafe(24)
        CalendarFeed.objects.update_or_create(user=request.user, defaults={"token": token})
        audit.security_event("meeting.ical_token", actor=request.user, message="生成（重置）日程订阅地址")
        messages.success(request, "已生成新的订阅地址，旧地址失效。")
        return redirect("meetings:calendar")
    url = request.build_absolute_uri(f"/meetings/ical/{feed.token}.ics") if feed else ""
    return render(request, "meetings/calendar.html", {
        "url": url, "own_only": not has_capability(request.user, "meeting.view")})


def ical(request, token):
    """Secret-token feed for calendar apps (no session): only the token owner's meetings."""
    feed = get_object_or_404(CalendarFeed.objects.select_related("user"), token=token)
    if not feed.user.is_active:
        return HttpResponse("订阅地址已失效", status=404, content_type="text/plain; charset=utf-8")
    meetings = (Meeting.objects.filter(attendance__person__user=feed.user).select_related("kind", "org")
                .order_by("date", "start_time")[:2000])
    body = ical_feed(meetings, request.get_host().split(":")[0])
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")
