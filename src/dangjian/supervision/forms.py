"""Forms of 纪委监督: plan, inspection (one result per checklist item), finding, talk, follow-up."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from dangjian.core.forms_base import PeopleChoiceField, PersonChoiceField, ScopedChoiceMixin, quick_selects
from dangjian.core.web import year_field
from dangjian.orgs.models import LEADERSHIP_TITLES, OrgKind, Person, PositionTitle
from dangjian.orgs.services import current_positions, leadership_within_reach

from .models import Finding, Inspection, InspectionPlan, Petition, Result, Talk

CHANGE = "supervision.change"


def date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def people_for(user):
    return Person.objects.visible_to(user).filter(is_active=True).order_by("name", "pk")


class PlanForm(ScopedChoiceMixin, forms.ModelForm):
    scoped_fields = {"sections": CHANGE}
    year = year_field(label="年度")

    class Meta:
        model = InspectionPlan
        fields = ["title", "year", "period", "people", "sections"]
        field_classes = {"people": PeopleChoiceField}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        checked = current_positions([*LEADERSHIP_TITLES, PositionTitle.SECTION_HEAD]).values("person_id")
        self.fields["people"].queryset = people_for(user).filter(pk__in=checked)
        self.fields["sections"].queryset = self.fields["sections"].queryset.filter(kind=OrgKind.SECTION)
        self.fields["people"].required = self.fields["sections"].required = False
        self.fields["year"].initial = timezone.localdate().year
        quick_selects(self)


class InspectionForm(forms.ModelForm):
    """The record of one check; the checklist items of the plan are fields of their own (result and note)."""

    class Meta:
        model = Inspection
        fields = ["held_on", "person", "section", "inspectors", "scope_text"]
        widgets = {"held_on": date_widget()}
        field_classes = {"person": PersonChoiceField, "inspectors": PeopleChoiceField}

    def __init__(self, *args, plan: InspectionPlan, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.fields["person"].queryset = plan.people.order_by("name", "pk")
        self.fields["section"].queryset = plan.sections.all()
        self.fields["inspectors"].queryset = people_for(user)
        for n, item in enumerate(plan.checklist):
            self.fields[f"result_{n}"] = forms.ChoiceField(label=f"{item}：检查结果", choices=Result.choices)
            self.fields[f"note_{n}"] = forms.CharField(label=f"{item}：具体情况", required=False, max_length=2000,
                                                       widget=forms.Textarea(attrs={"rows": 2}))
        quick_selects(self)

    def results(self) -> list[dict]:
        data = self.cleaned_data
        return [{"item": item, "result": data.get(f"result_{n}"), "note": data.get(f"note_{n}", "")}
                for n, item in enumerate(self.plan.checklist)]


class FindingForm(forms.Form):
    item = forms.ChoiceField(label="检查项目", required=False)
    text = forms.CharField(label="问题描述", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    owner = PersonChoiceField(label="责任人（被检查人或科室负责人）", queryset=Person.objects.none())
    leader = PersonChoiceField(label="责任领导", queryset=Person.objects.none())
    due_on = forms.DateField(label="完成时限", required=False, widget=date_widget(),
                             help_text="留空则按“监督检查问题”的默认时限（工作日）计算")

    def __init__(self, *args, inspection: Inspection, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [("", "—")] + [(i, i) for i in inspection.plan.checklist]
        self.fields["owner"].queryset = people_for(user)
        self.fields["leader"].queryset = leadership_within_reach(user, CHANGE)
        if inspection.person_id:
            self.fields["owner"].initial = inspection.person_id
        quick_selects(self)


class TalkForm(forms.ModelForm):
    class Meta:
        model = Talk
        fields = ["kind", "held_on", "talker", "subject", "finding", "petition", "reason", "content", "account",
                  "commitments", "follow_up_on"]
        widgets = {"held_on": date_widget(), "follow_up_on": date_widget(),
                   **{f: forms.Textarea(attrs={"rows": 3}) for f in ("reason", "content", "account", "commitments")}}
        field_classes = {"talker": PersonChoiceField, "subject": PersonChoiceField}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["talker"].queryset = self.fields["subject"].queryset = people_for(user)
        self.fields["finding"].queryset = Finding.objects.visible_to(user).order_by("-id")
        # Petitions are too many for a drop-down: the petition's number (ID) is typed, or comes with the link
        # from the petition's page (?petition=ID); it is checked against what the user may see.
        self.fields["petition"].queryset = Petition.objects.visible_to(user)
        self.fields["petition"].widget = forms.NumberInput(attrs={"min": 1})
        self.fields["petition"].help_text = "填写群众诉求的 ID（见群众诉求页面地址），或从诉求页面点击“登记谈话”"
        quick_selects(self)


class FollowUpForm(forms.Form):
    followed_up_on = forms.DateField(label="回访日期", widget=date_widget())
    follow_up_note = forms.CharField(label="回访情况", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0, max_value=2**31)

