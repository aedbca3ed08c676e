"""Forms of the 作风台账 and its registers (fields only: the rules are the services')."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from dangjian.core.forms_base import PersonChoiceField, ScopedChoiceMixin, quick_selects
from dangjian.core.scope import path_condition
from dangjian.core.web import year_field
from dangjian.orgs.models import Person

from .ledger import CHANGE, MANUAL_KINDS
from .ledger_models import Accountability, Commendation, Commitment, CommitmentResult
from .models import ConductKind, Polarity


def date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def cadres_for(user):
    """The people whose records the user may enter: active, where they hold assessment.change."""
    return Person.objects.filter(path_condition(user, CHANGE, ("org_path",)), is_active=True).order_by("name", "pk")


class EntryForm(forms.Form):
    person = PersonChoiceField(label="干部", queryset=Person.objects.none())
    kind = forms.ChoiceField(label="类别", choices=[(k.value, k.label) for k in MANUAL_KINDS])
    on = forms.DateField(label="日期", widget=date_widget())
    summary = forms.CharField(label="摘要", max_length=300)
    evidence = forms.CharField(label="佐证材料", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                               help_text="必填：写明文件名称、文号或其他可查证的材料")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = cadres_for(user)
        self.fields["evidence"].required = False  # refused by the service, naming the field (one message)
        quick_selects(self)


class LedgerFilter(forms.Form):
    """The ledger list's filters (GET): invalid values are ignored, never an error page."""

    year = year_field(label="年度", required=False)
    kind = forms.ChoiceField(label="类别", required=False, choices=[("", "全部")] + ConductKind.choices)
    polarity = forms.ChoiceField(label="性质", required=False, choices=[("", "全部")] + Polarity.choices)
    q = forms.CharField(label="姓名", required=False, max_length=50)


class CommitmentForm(forms.ModelForm):
    year = year_field(label="年度")

    class Meta:
        model = Commitment
        fields = ["person", "year", "title", "target_value", "unit", "due_on"]
        widgets = {"due_on": date_widget()}
        field_classes = {"person": PersonChoiceField}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = cadres_for(user)
        self.fields["year"].initial = timezone.localdate().year
        quick_selects(self)


class ProgressForm(forms.Form):
    on = forms.DateField(label="日期", widget=date_widget())
    value = forms.DecimalField(label="累计完成值", max_digits=12, decimal_places=2)
    note = forms.CharField(label="进展情况", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    evidence = forms.CharField(label="佐证材料", max_length=300, required=False)


class CheckForm(forms.Form):
    result = forms.ChoiceField(label="核查结果", choices=CommitmentResult.choices)
    result_reason = forms.CharField(label="核查说明", max_length=2000, required=False,
                                    widget=forms.Textarea(attrs={"rows": 2}))
    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0, max_value=2**31)


class CommendationForm(forms.ModelForm):
    class Meta:
        model = Commendation
        fields = ["person", "title", "conferred_by", "doc_number", "conferred_on", "period_start", "period_end",
                  "basis"]
        widgets = {"conferred_on": date_widget(), "period_start": date_widget(), "period_end": date_widget(),
                   "basis": forms.Textarea(attrs={"rows": 3})}
        field_classes = {"person": PersonChoiceField}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = cadres_for(user)
        quick_selects(self)


class AccountabilityForm(ScopedChoiceMixin, forms.ModelForm):
    scoped_fields = {"org": CHANGE}

    class Meta:
        model = Accountability
        fields = ["form", "person", "org", "decided_by", "doc_number", "decided_on", "effect_until", "basis"]
        widgets = {"decided_on": date_widget(), "effect_until": date_widget(),
                   "basis": forms.Textarea(attrs={"rows": 3})}
        field_classes = {"person": PersonChoiceField}
        labels = {"org": "被问责党组织（对党组织问责时选择）"}
        help_texts = {"effect_until": "留空则按规则设置中该问责方式的影响期计算"}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["person"].queryset = cadres_for(user)
        self.fields["person"].required = self.fields["org"].required = False
        quick_selects(self)


class ScoreForm(forms.Form):
    score = forms.DecimalField(label="得分（0–100）", max_digits=5, decimal_places=2)
    comment = forms.CharField(label="评分说明", max_length=2000, required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))
