"""群众监督 public portal (/gongkai/): anyone submits 意见建议、投诉、检举控告 without logging in, follows it with the
查询码, adds information and rates the reply; and the public statistics.

Anonymity (docs/rules.md 群众监督): every view runs inside ``petitions.anonymous_request`` so that whatever it
audits (the submission, a refused upload, a rate-limit block) names no actor and no address. The portal sets
no cookie and opens no session: its views are exempt from the form token (which is a cookie), because a
cross-site page can neither solve the single-use 验证码 of a submission nor know the 查询码 the follow-up forms
carry. The 查询码 travels only in POST bodies and response pages (never a URL), and pages are ``no-store``.
Rate limits count a keyed digest of the address, in the cache only.
"""

from __future__ import annotations

from functools import wraps

from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from dangjian.core import audit, captcha, ratelimit, rule_settings
from dangjian.core.web import int_param, year_param

from . import petition_stats, petitions
from .petition_models import Channel, Petition, PetitionKind

TEMPLATE = "supervision/portal/{}.html"
SATISFACTION_CHOICES = Petition._meta.get_field("satisfaction").choices


def _address_key(ip: str | None) -> str:
    """What the rate-limit counters are keyed by: a keyed digest of the address, so that the cache holds none."""
    return salted_hmac("dangjian.portal.ratelimit", ip or "-").hexdigest()[:20]


def portal_view(post_limit: str | None = None, scope: str = "portal"):
    """A public portal view: no log-in, no form-token cookie, nothing about the visitor recorded; every
    request counted against the public limit, and POSTs against ``post_limit`` (a rule key)."""

    def decorator(view):
        @csrf_exempt
        @require_http_methods(["GET", "POST"])
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            # The middleware keeps the address out of the audit context on these paths (core.privacy).
            key = _address_key(getattr(request, "unrecorded_address", None) or audit.current_ip())
            with petitions.anonymous_request():
                limited = ratelimit.hit("portal", key, rule_settings.get("security.rate_public_per_minute"),
                                        record_address=False)
                # A new 验证码 picture is not a submission.
                if not limited and post_limit and request.method == "POST" and "new_captcha" not in request.POST:
                    limited = ratelimit.hit(scope, key, rule_settings.get(post_limit), record_address=False)
                response = ratelimit.too_many(request) if limited else view(request, *args, **kwargs)
            response["Cache-Control"] = "no-store"
            response["Referrer-Policy"] = "no-referrer"
            return response

        return wrapped

    return decorator


def _render(request, name, context, status=200):
    return render(request, TEMPLATE.format(name), context, status=status)


@portal_view()
def index(request):
    return _render(request, "index", {})


def _agency(request, agencies):
    if len(agencies) == 1:
        return agencies[0]
    pk = int_param(request.POST or request.GET, "org")
    return next((a for a in agencies if a.pk == pk), None)


@portal_view("supervision.portal_submit_per_minute", scope="portal.submit")
def submit(request):
    """写信: the form; on success the 查询码, shown once (this response only: it is stored as a digest)."""
    agencies = petitions.portal_agencies()
    data = request.POST if request.method == "POST" else {}
    errors: dict[str, str] = {}
    if request.method == "POST" and "new_captcha" in data:
        captcha.check(data.get("captcha_token", ""), "")  # the old picture is used up
    elif request.method == "POST":
        agency = _agency(request, agencies)
        petition = Petition(
            org=agency, kind=data.get("kind", ""), channel=Channel.PORTAL, received_at=timezone.now(),
            subject=data.get("subject", ""), content=data.get("content", ""),
            anonymous=data.get("identity") != "named", contact_name=data.get("contact_name", ""),
            contact_phone=data.get("contact_phone", ""), contact_other=data.get("contact_other", ""))
        if agency is None:
            errors["org"] = "受理单位：请选择"
        failed = captcha.error_for(data.get("captcha_token", ""), data.get("captcha", ""))
        if failed:
            errors["captcha"] = failed
        files = request.FILES.getlist("attachments")
        try:
            if errors:  # nothing is stored; the other fields are still checked, so that all is said at once
                petitions.check_text(petition)
            else:
                petition, code = petitions.do_receive_petition(petition, files=files)
                return _render(request, "submitted", {"petition": petition, "code": code})
        except ValidationError as exc:
            errors.update({field: " ".join(messages) for field, messages in exc.message_dict.items()})
        if files and "attachments" not in errors:
            errors["attachments"] = "附件：未保存，请重新选择要上传的文件"
    token, picture = captcha.new_challenge()
    return _render(request, "submit", {
        "agencies": agencies, "data": data, "errors": errors, "kinds": PetitionKind.choices,
        "captcha_token": token, "captcha_picture": picture, "max_attachments": petitions.MAX_ATTACHMENTS,
        "named": data.get("identity") == "named"}, status=400 if errors else 200)


NOT_FOUND = "查询码：未找到对应的诉求，请核对后重新输入（字母不区分大小写）"


@portal_view("supervision.portal_lookup_per_minute", scope="portal.lookup")
def lookup(request):
    """查询: the 查询码 (POSTed, never in a URL) opens the petition's progress; the same page adds information
    and rates the reply. A code that opens nothing gets the same answer whether it is mistyped or guessed."""
    if request.method == "GET":
        return _render(request, "lookup", {"errors": {}})
    code = request.POST.get("code", "").strip()
    petition = petitions.find_by_code(code) if code else None
    if petition is None:
        message = NOT_FOUND if code else "查询码：不能为空"
        return _render(request, "lookup", {"errors": {"code": message}}, status=400)
    action, errors, notice = request.POST.get("action", ""), {}, ""
    try:
        if action == "supplement":
            petitions.do_add_supplement(petition, text=request.POST.get("text", ""),
                                        files=request.FILES.getlist("attachments"))
            notice = "补充信息已提交。"
        elif action == "rate":
            petition = petitions.do_rate_reply(petition, satisfaction=request.POST.get("satisfaction", ""))
            notice = "评价已提交，感谢您的监督。"
    except ValidationError as exc:
        errors = {field: " ".join(messages) for field, messages in exc.message_dict.items()}
    return _render(request, "progress", {
        "petition": petition, "code": code, "progress": petitions.public_progress(petition), "errors": errors,
        "notice": notice, "satisfaction_choices": SATISFACTION_CHOICES, "text": request.POST.get("text", "")
        if errors else "", "max_attachments": petitions.MAX_ATTACHMENTS}, status=400 if errors else 200)


@portal_view()
def stats(request):
    """公开统计: per month of a year, counts by category and channel, the on-time reply rate and the
    satisfaction rate. No content, no names."""
    agencies = petitions.portal_agencies()
    agency = _agency(request, agencies) or (agencies[0] if agencies else None)
    year = year_param(request.GET, default=timezone.localdate().year)
    figures = petition_stats.public_figures(petitions.agency_petitions(agency), year) if agency else None
    totals = petition_stats.public_totals(agency, year) if agency else None
    this_year = timezone.localdate().year
    years = sorted({*range(this_year - 5, this_year + 1), year}, reverse=True)
    return _render(request, "stats", {"agencies": agencies, "agency": agency, "year": year, "figures": figures,
                                      "totals": totals, "years": years})
