"""Forms of 报告报备: the agency's report, a cadre's personal report, a 外出报备 and its approval and return, and an
absence found without a filing. The pickers offer what the rule allows; the services check again."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from dangjian.core.forms_base import PersonChoiceField, VersionedModelForm, quick_selects
from dangjian.core.scope import has_capability
from dangjian.orgs.models import Person
from dangjian.orgs.services import agency_of, leadership_within_reach

from .models import EVENT_CATEGORIES, Absence, AgencyReport, Occasion, PersonalCategory, PersonalReport
from .services import CHANGE, PERSONAL_CHANGE, leaders_of


def date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def leaders_for(user, capability: str | None):
    """The leaders the user may name: those of the agencies under the user's grant of ``capability``, else (or with
    no capability) those of their own agency."""
    if capability and has_capability(user, capability):
        return leadership_within_reach(user, capability)
    person = getattr(user, "person", None)
    if person is None:
        return Person.objects.none()
    return leaders_of(agency_of(person.org)).order_by("name", "pk")


class AbsenceForm(forms.ModelForm):
    """外出报备: a leader files their own (the person field is then not shown); the staff file for a leader."""

    class Meta:
        model = Absence
        fields = ["person", "destination", "leaves_on", "returns_on", "reason", "acting"]
        widgets = {"leaves_on": date_widget(), "returns_on": date_widget()}
        field_classes = {"person": PersonChoiceField, "acting": PersonChoiceField}

    def __init__(self, *args, user=None, for_self: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if for_self:
            del self.fields["person"]
        else:
            self.fields["person"].queryset = leaders_for(user, CHANGE)
        acting = leaders_for(user, None if for_self else CHANGE)
        self.fields["acting"].queryset = acting.exclude(user=user) if for_self else acting
        self.fields["acting"].help_text = "党组书记（主任）外出须明确主持工作的副职；其他领导填写代为负责分管工作的同志"
        quick_selects(self)


class UnfiledAbsenceForm(forms.ModelForm):
    """登记未报备外出 (the staff): the absence and how it was found."""

    evidence = forms.CharField(label="发现情况", max_length=300, widget=forms.Textarea(attrs={"rows": 2}),
                               help_text="如何发现、核实的情况（记入作风台账）")

    class Meta:
        model = Absence
        fields = ["person", "destination", "leaves_on", "returns_on"]
        widgets = {"leaves_on": date_widget(), "returns_on": date_widget()}
        field_classes = {"person": PersonChoiceField}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = leaders_for(user, CHANGE)
        quick_selects(self)


class DecideForm(forms.Form):
    decision = forms.ChoiceField(label="审批意见", choices=[("approve", "同意"), ("reject", "不同意")])
    decision_note = forms.CharField(label="说明", max_length=300, required=False,
                                    help_text="不同意时须写明理由；党组书记本人外出时填写上级组织的意见")
    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0, max_value=2**31)


class CancelForm(forms.Form):
    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0, max_value=2**31)


class ReturnForm(forms.Form):
    returned_on = forms.DateField(label="实际返岗日期", widget=date_widget())
    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0, max_value=2**31)


class AgencyReportForm(VersionedModelForm):
    class Meta:
        model = AgencyReport
        fields = ["kind", "subject", "content", "recipient", "responsible", "due_on", "reported_on", "reply",
                  "replied_on"]
        widgets = {"due_on": date_widget(), "reported_on": date_widget(), "replied_on": date_widget(),
                   "content": forms.Textarea(attrs={"rows": 3}), "reply": forms.Textarea(attrs={"rows": 3})}
        field_classes = {"responsible": PersonChoiceField}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = leaders_for(user, CHANGE)
        quick_selects(self)


class PersonalReportForm(forms.ModelForm):
    """报告个人有关事项: the cadre's own (no person field) or the staff's for a cadre."""

    class Meta:
        model = PersonalReport
        fields = ["person", "occasion", "year", "category", "event_on", "reported_on", "content"]
        widgets = {"event_on": date_widget(), "reported_on": date_widget(),
                   "content": forms.Textarea(attrs={"rows": 6})}
        field_classes = {"person": PersonChoiceField}

    def __init__(self, *args, user=None, for_self: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if for_self:  # reported today, by the cadre
            del self.fields["person"], self.fields["reported_on"]
        else:
            self.fields["person"].queryset = leaders_for(user, PERSONAL_CHANGE)
            self.fields["reported_on"].help_text = "报告表送达组织人事部门的日期；留空为今天"
        self.fields["occasion"].choices = Occasion.choices
        self.fields["year"].initial = timezone.localdate().year - 1
        self.fields["year"].help_text = "年度集中报告填写；每年1月31日前报告上一年度"
        labels = dict(PersonalCategory.choices)
        self.fields["category"].choices = [("", "—")] + [(c, labels[c]) for c in EVENT_CATEGORIES]
        self.fields["category"].help_text = "事后报告填写（第三条所列事项，发生后30日内报告）"
        self.fields["event_on"].help_text = "事后报告填写"
        self.fields["content"].required = True
        self.fields["content"].help_text = "年度集中报告逐项填写第三条、第四条所列事项；内容加密保存，仅组织人事部门、纪检组和本人可见"
        quick_selects(self)
