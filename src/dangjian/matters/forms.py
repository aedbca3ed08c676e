"""Forms of 事项督办: the matter (optimistic locking), the list filter, each transition, and the child records."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.db.models import Q
from django.utils import timezone

from dangjian.core.forms_base import (
    PeopleChoiceField,
    PersonChoiceField,
    ScopedChoiceMixin,
    VersionedModelForm,
    quick_selects,
)
from dangjian.core.web import year_field
from dangjian.orgs.forms import RosterImportForm, picker_depth
from dangjian.orgs.models import Org, Person
from dangjian.orgs.services import leadership_within_reach

from . import kinds, workflow
from .models import Contact, HandlingClass, Matter, Measure, ProblemList, Progress, Satisfaction, Status

DATE = {"type": "date"}


def leaders(user, capability: str = "matter.view"):
    """People the user may name or filter by as responsible leader (分管领导): the current leadership
    of the agencies within the user's reach (orgs.services.leadership_within_reach)."""
    return leadership_within_reach(user, capability)


def people_for(user):
    return Person.objects.visible_to(user).filter(is_active=True).order_by("name")


def people_and_leaders(user):
    """Possible owners: the people the user sees, and the leaders of their agency (who may own a matter)."""
    return Person.objects.filter(
        Q(pk__in=people_for(user).values("pk")) | Q(pk__in=leaders(user, "matter.change").values("pk")),
        is_active=True).order_by("name", "pk")


def default_due_hint(matter: Matter) -> str:
    """What an empty 完成时限 means at assignment: the kind's rule, and the date it gives if assigned today."""
    default = workflow.compute_due(matter.kind, timezone.localdate(), matter.handling_class)
    unit, _start, count = default.basis.split(":")
    return (f"留空则按{matter.spec.label}的默认时限：自交办日起{count}个{unit}"
            f"（今天交办即 {default.date:%Y-%m-%d}{'，' + default.note if default.note else ''}）")


def date_widget():
    return forms.DateInput(attrs=DATE, format="%Y-%m-%d")


class MatterForm(ScopedChoiceMixin, VersionedModelForm):
    scoped_fields = {"org": "matter.change"}

    class Meta:
        model = Matter
        fields = ["kind", "title", "content", "source", "problem_list", "number", "category", "batch", "level",
                  "handling_class", "org", "responsible_leader", "owner", "co_owners", "received_on", "due_on",
                  "proposer"]
        widgets = {"received_on": date_widget(), "due_on": date_widget(),
                   "content": forms.Textarea(attrs={"rows": 4})}
        field_classes = {"responsible_leader": PersonChoiceField, "owner": PersonChoiceField,
                         "co_owners": PeopleChoiceField}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["responsible_leader"].queryset = leaders(user, "matter.change")
        self.fields["owner"].queryset = people_and_leaders(user)
        self.fields["co_owners"].queryset = self.fields["owner"].queryset
        self.fields["co_owners"].widget.attrs["size"] = 5
        self.fields["problem_list"].queryset = ProblemList.objects.visible_to(user)
        self.fields["due_on"].help_text = "留空则按该类事项的默认时限自动计算（工作日按法定节假日及调休计算）"
        # A kind filed by another module (监督检查问题: from an inspection) is registered there, not here; an existing
        # matter of that kind keeps it.
        self.fields["kind"].choices = [(k.key, k.label) for k in kinds.KINDS.values()
                                       if k.register_capability == "matter.change" or k.key == self.instance.kind]
        if not self.instance.pk and not self.initial.get("received_on"):
            self.initial["received_on"] = timezone.localdate()


class FilterForm(forms.Form):
    q = forms.CharField(label="标题", required=False, max_length=50)
    kind = forms.ChoiceField(label="类别", required=False)
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部")] + Status.choices)
    due = forms.ChoiceField(label="时限", required=False,
                            choices=[("", "全部")] + list(workflow.DUE_STATES.items())
                            + [("handoff_late", "要事交办超时")])
    handling_class = forms.ChoiceField(label="办理方式", required=False,
                                       choices=[("", "全部")] + [(k or "normal", v) for k, v in HandlingClass.choices])
    org = forms.ModelChoiceField(label="组织", required=False, queryset=Org.objects.none(), empty_label="全部")
    leader = PersonChoiceField(label="责任领导", required=False, queryset=Person.objects.none(),
                                    empty_label="全部")
    owner = forms.CharField(label="责任人", required=False, max_length=50)
    problem_list = forms.ModelChoiceField(label="问题清单", required=False, queryset=ProblemList.objects.none(),
                                          empty_label="全部")
    year = year_field(label="登记年度", required=False)
    open = forms.BooleanField(label="仅在办", required=False)
    mine = forms.ChoiceField(label="与我有关", required=False,
                             choices=[("", "全部"), ("owner", "我负责的"), ("leader", "我分管的")])

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["kind"].choices = [("", "全部")] + kinds.choices()
        # Any org the user sees is accepted (the API names deeper ones), but the picker offers the user's top
        # nodes and two levels below (a city and its counties), not every unit of a province: a select of
        # hundreds of options costs more to render than the whole list query.
        orgs = Org.objects.visible_to(user)
        self.fields["org"].queryset = orgs
        self.fields["org"].widget.choices = forms.ModelChoiceField(
            orgs.filter(depth__lte=max(picker_depth(user) - 2, 0)), empty_label="全部").choices
        self.fields["leader"].queryset = leaders(user)
        self.fields["problem_list"].queryset = ProblemList.objects.visible_to(user)
        quick_selects(self)

    def filter(self, matters, today: dt.date):
        if not self.is_valid():
            return matters
        d = self.cleaned_data
        if d["q"]:
            matters = matters.filter(title__contains=d["q"])
        for name in ("kind", "status"):
            if d[name]:
                matters = matters.filter(**{name: d[name]})
        if d["due"] == "handoff_late":
            matters = matters.handoff_late(today)
        elif d["due"]:
            matters = matters.filter(workflow.due_state_q(d["due"], today))
        if d["handling_class"]:
            matters = matters.filter(handling_class="" if d["handling_class"] == "normal" else d["handling_class"])
        if d["org"]:
            matters = matters.filter(org_path__pathprefix=d["org"].path)
        if d["leader"]:
            matters = matters.filter(responsible_leader=d["leader"])
        if d["owner"]:
            matters = matters.filter(owner__name__contains=d["owner"])
        if d["problem_list"]:
            matters = matters.filter(problem_list=d["problem_list"])
        if d["year"]:
            matters = matters.filter(received_on__year=d["year"])
        if d["open"]:
            matters = matters.exclude(status=Status.CLOSED)
        if d["mine"] == "owner":
            matters = matters.filter(owner__user=self.user)
        elif d["mine"] == "leader":
            matters = matters.filter(responsible_leader__user=self.user)
        return matters


class TransitionForm(forms.Form):
    """The form of one step: its reason, and the fields that step may set (services.TRANSITION_FIELDS)."""

    loaded_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31)
    reason = forms.CharField(label="理由/说明", required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, step: workflow.Step, matter: Matter, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.step = step
        self.fields["loaded_version"].initial = matter.version
        self.fields["reason"].required = step.reason_required
        if step.name == "assign":
            self.fields["owner"] = PersonChoiceField(label="责任人", queryset=people_for(user), required=False,
                                                     initial=matter.owner_id)
            self.fields["responsible_leader"] = PersonChoiceField(
                label="责任领导（分管领导）", queryset=leaders(user, "matter.change"), required=False, initial=matter.responsible_leader_id)
            self.fields["assigned_on"] = forms.DateField(label="交办日期", required=False, widget=date_widget(),
                                                         initial=timezone.localdate())
            self.fields["due_on"] = forms.DateField(
                label="完成时限", required=False, widget=date_widget(), help_text=default_due_hint(matter))
        elif step.name == "submit":
            self.fields["completion_statement"] = forms.CharField(
                label="完成情况说明", widget=forms.Textarea(attrs={"rows": 3}), initial=matter.completion_statement)
            self.fields["evidence"] = forms.CharField(label="佐证材料", widget=forms.Textarea(attrs={"rows": 2}),
                                                      initial=matter.evidence,
                                                      help_text="列出材料名称；文件可在“填报进展”中作为附件上传")
            if "reply_text" in matter.spec.submit_requires:
                self.fields["reply_text"] = forms.CharField(label="答复内容", widget=forms.Textarea(attrs={"rows": 3}),
                                                            initial=matter.reply_text)
            if "replied_on" in matter.spec.submit_requires:
                self.fields["replied_on"] = forms.DateField(label="答复日期", widget=date_widget(),
                                                            initial=matter.replied_on or timezone.localdate())

    def step_fields(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k not in ("loaded_version", "reason")}


class MeasureForm(forms.ModelForm):
    class Meta:
        model = Measure
        fields = ["text", "owner", "due_on"]
        widgets = {"due_on": date_widget(), "text": forms.Textarea(attrs={"rows": 2})}
        field_classes = {"owner": PersonChoiceField}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = people_for(user)


class ProgressForm(forms.ModelForm):
    class Meta:
        model = Progress
        fields = ["text", "attachment"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"attachment": "PDF、Word (.docx)、Excel (.xlsx)、JPG 或 PNG，按内容识别"}


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["kind", "held_on", "who", "explained", "resolution", "unresolved_reason"]
        widgets = {"held_on": date_widget(), "explained": forms.Textarea(attrs={"rows": 2}),
                   "resolution": forms.Textarea(attrs={"rows": 2}),
                   "unresolved_reason": forms.Textarea(attrs={"rows": 2})}


class MilestonePlanForm(forms.Form):
    plan = forms.CharField(label="时间节点（每行：日期 当日任务）", widget=forms.Textarea(attrs={"rows": 5}),
                           help_text="如：2026-12-01 梳理现行审批事项")

    def clean_plan(self):
        out, errors = [], []
        for number, raw in enumerate(self.cleaned_data["plan"].splitlines(), start=1):
            line = raw.strip()
            if not line:
                continue
            parts = line.split(maxsplit=1)
            try:
                day = dt.date.fromisoformat(parts[0])
            except ValueError:
                errors.append(f"第 {number} 行：日期“{parts[0]}”无效，格式为 2026-12-01")
                continue
            if len(parts) < 2:
                errors.append(f"第 {number} 行：缺少当日任务")
                continue
            out.append((day, parts[1]))
        if errors:
            raise forms.ValidationError(errors)
        if not out:
            raise forms.ValidationError("至少填写一个时间节点")
        return out


class SatisfactionForm(forms.Form):
    loaded_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31)
    satisfaction = forms.ChoiceField(label="代表委员满意度", choices=Satisfaction.choices)


class ProblemListForm(ScopedChoiceMixin, forms.ModelForm):
    scoped_fields = {"org": "matter.change"}

    class Meta:
        model = ProblemList
        fields = ["title", "source", "doc_number", "issued_on", "org"]
        widgets = {"issued_on": date_widget()}


class LedgerImportForm(forms.Form):
    file = forms.FileField(label="问题清单文件（.xlsx，或 UTF-8、GBK 编码的 .csv）")

    def clean_file(self):
        return RosterImportForm.clean_file(self)


class SavedFilterForm(forms.Form):
    name = forms.CharField(label="名称", max_length=40)
    query = forms.CharField(widget=forms.HiddenInput, required=False, max_length=500)
