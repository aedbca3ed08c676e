"""Forms of 归并与逐项答复 and 查实认定 (the handling panel of a petition)."""

from __future__ import annotations

from django import forms

from dangjian.core.forms_base import PeopleChoiceField
from dangjian.orgs.models import Person

from .petition_models import DeliveryMethod, VerdictOutcome
from .replies import SATISFACTION, TEXT_MAX
from .verdicts import BASIS_MAX

VERSION = {"widget": forms.HiddenInput, "required": False, "min_value": 0, "max_value": 2**31}


class MergeForm(forms.Form):
    original = forms.IntegerField(label="原件编号（系统序号）", min_value=1, max_value=2**31,
                                  help_text="本件重复的那件诉求；原件本身已归并的，自动归并到其原件")
    score = forms.FloatField(required=False, min_value=0, max_value=1, widget=forms.HiddenInput)
    reason = forms.CharField(label="归并理由", max_length=200, required=False)


class ReplyForm(forms.Form):
    text = forms.CharField(label="答复内容", max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 6}))
    loaded_version = forms.IntegerField(**VERSION)


class VersionForm(forms.Form):
    loaded_version = forms.IntegerField(**VERSION)


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(label="审核意见", choices=[("approve", "同意答复"), ("return", "退回修改")])
    reason = forms.CharField(label="退回理由", max_length=500, required=False)
    loaded_version = forms.IntegerField(**VERSION)


class DeliveryForm(forms.Form):
    method = forms.ChoiceField(label="送达方式", choices=[c for c in DeliveryMethod.choices
                                                      if c[0] != DeliveryMethod.PORTAL])
    delivered_at = forms.DateTimeField(label="送达时间", input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
                                       widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                                  format="%Y-%m-%dT%H:%M"))
    note = forms.CharField(label="说明", max_length=200, required=False, help_text="如：电话 138****0000，本人接听")
    satisfaction = forms.ChoiceField(label="满意度（当场评价的）", required=False,
                                     choices=[("", "未评价"), *SATISFACTION.items()])


class VerdictForm(forms.Form):
    """查实认定: the outcome, what was found, the cadres concerned (people of the petition's agency)."""

    outcome = forms.ChoiceField(label="查实结果", choices=VerdictOutcome.choices)
    basis = forms.CharField(label="查实情况", max_length=BASIS_MAX, widget=forms.Textarea(attrs={"rows": 4}),
                            help_text="核实了什么、依据什么；将记入涉及干部的作风台账（不含诉求人信息）")
    cadres = PeopleChoiceField(label="涉及干部", queryset=Person.objects.none(), required=False,
                               help_text="查实或部分查实的，须至少选择一人")

    def __init__(self, *args, agency_path: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cadres"].queryset = Person.objects.filter(org_path__startswith=agency_path, is_active=True) \
            .order_by("org_path", "pk")
