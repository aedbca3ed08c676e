"""The settings pages: configurable rules (规则设置), the holiday calendar, and notifications."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from . import rule_settings, workdays
from .models import HolidayYear, Notification, RuleSetting
from .scope import holds_everywhere, require_everywhere
from .web import paginate, year_field


class RuleForm(forms.Form):
    value = forms.CharField(label="新取值", max_length=500)
    reason = forms.CharField(label="修改理由", max_length=300)

    def __init__(self, *args, rule=None, **kwargs):
        super().__init__(*args, **kwargs)
        if rule is not None and rule.kind == "lines":  # a list (a checklist): one item a line
            self.fields["value"] = forms.CharField(label="新取值（每行一项）", max_length=20000,
                                                   widget=forms.Textarea(attrs={"rows": 12}))


def _editable(user, rule) -> bool:
    return holds_everywhere(user, rule.capability)


@login_required
def rule_list(request):
    """The rules the user may change: the 系统管理员 the business rules, the 安全管理员 the security rules."""
    groups = [(group, [(r, rule_settings.display(r), rule_settings.version(r.key)) for r in items
                       if _editable(request.user, r)])
              for group, items in rule_settings.grouped().items()]
    groups = [(group, rows) for group, rows in groups if rows]
    if not groups:
        raise PermissionDenied("无权修改规则设置（须在全单位范围内持有规则设置权限）")
    return render(request, "core/rule_list.html", {"groups": groups, "years_to_enter": workdays.years_to_enter()})


@login_required
def rule_edit(request, key):
    try:
        rule = rule_settings.rule(key)
    except KeyError as exc:
        raise Http404("没有这条规则") from exc
    require_everywhere(request.user, rule.capability, what=f"修改规则“{rule.label}”")
    current = rule_settings.display(rule)
    form = RuleForm(request.POST or None, initial={"value": current}, rule=rule)
    if request.method == "POST" and form.is_valid():
        try:
            rule_settings.set_rule(key, form.cleaned_data["value"], actor=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            form.add_error("value", exc.messages)
        else:
            messages.success(request, f"已修改规则“{rule.label}”。")
            return redirect("rule_list")
    versions = RuleSetting.objects.filter(key=key).select_related("set_by")
    return render(request, "core/rule_edit.html", {"rule": rule, "form": form, "current": current,
                                                   "versions": versions})


class HolidayYearForm(forms.Form):
    year = year_field(label="年份")
    source = forms.CharField(label="依据（文号）", max_length=200, required=False)
    lines = forms.CharField(
        label="放假与调休安排", widget=forms.Textarea(attrs={"rows": 14}),
        help_text="每行一项：日期 放假/上班 节日名。日期可写区间，如：2027-10-01~2027-10-07 放假 国庆节；"
                  "2027-09-26 上班 国庆节",
    )


@login_required
def holiday_list(request):
    require_everywhere(request.user, "setting.manage", what="维护节假日安排")
    today = timezone.localdate()
    years = [(y, workdays.calendar_for(y)) for y in range(today.year - 1, today.year + 3)]
    form = HolidayYearForm(request.POST or None, initial={"year": today.year + 1})
    if request.method == "POST" and form.is_valid():
        try:
            days = workdays.parse_schedule_lines(form.cleaned_data["lines"])
            workdays.set_year_schedule(form.cleaned_data["year"], days, actor=request.user,
                                       source=form.cleaned_data["source"])
        except ValidationError as exc:
            form.add_error("lines", exc.messages)
        else:
            messages.success(request, f"已录入 {form.cleaned_data['year']} 年节假日安排，相关期限已重新计算。")
            return redirect("holiday_list")
    entered = HolidayYear.objects.prefetch_related("days")
    return render(request, "core/holiday_list.html", {"years": years, "form": form, "entered": entered,
                                                      "years_to_enter": workdays.years_to_enter(today)})


@login_required
def notification_list(request):
    notes = Notification.objects.filter(recipient=request.user)
    if request.method == "POST":
        notes.filter(read_at__isnull=True).update(read_at=timezone.now())
        return redirect("notification_list")
    return render(request, "core/notification_list.html", {"page": paginate(request, notes)})
