from django import forms
from django.db.models import Q

from dangjian.core.forms_base import PersonChoiceField, ScopedChoiceMixin, VersionedModelForm
from dangjian.core.web import year_field
from dangjian.orgs.forms import picker_depth
from dangjian.orgs.models import Org, Person

from .models import Activity, Meeting, MeetingKind, Stance, StudyPlan, Topic, TopicCategory
from .services.decisions import Vote
from .study import parse_topics

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class MeetingForm(ScopedChoiceMixin, VersionedModelForm):
    scoped_fields = {"org": "meeting.change"}

    class Meta:
        model = Meeting
        fields = ["kind", "title", "org", "date", "start_time", "end_time", "place", "host", "recorder", "status",
                  "study_form"]
        widgets = {"date": DATE, "start_time": TIME, "end_time": TIME}
        field_classes = {"host": PersonChoiceField, "recorder": PersonChoiceField}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        # a kind taken out of use stays selectable on the meetings that already have it
        self.fields["kind"].queryset = MeetingKind.objects.filter(Q(is_active=True) | Q(pk=self.instance.kind_id))
        people = Person.objects.visible_to(user).filter(is_active=True).order_by("name")
        self.fields["host"].queryset = self.fields["recorder"].queryset = people
        self.fields["status"].help_text = "已开过的会请登记为“已召开”"


class MinutesForm(VersionedModelForm):
    class Meta:
        model = Meeting
        fields = ["minutes"]
        widgets = {"minutes": forms.Textarea(attrs={"rows": 8})}


class TopicForm(forms.ModelForm):
    class Meta:
        model = Topic
        fields = ["title", "category", "amount", "proposer", "materials_sent_on"]
        widgets = {"materials_sent_on": DATE}
        help_texts = {"amount": "达到大额资金标准的自动标记为“大额资金使用”",
                      "materials_sent_on": "“三重一大”议题须在会前把材料送达参会成员"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = TopicCategory.choices


class DecisionForm(forms.Form):
    """One row per member who should attend: speaking order, opinion, reason, recusal."""

    decision_text = forms.CharField(label="决定事项", required=False, max_length=2000, widget=forms.Textarea(
        attrs={"rows": 3}))

    def __init__(self, *args, members=(), principal_id=None, standing=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.members = list(members)
        self.standing = set(standing)  # recused in an earlier round: stays so until lifted with a reason
        others = [m for m in self.members if m.pk != principal_id]
        ordered = others + [m for m in self.members if m.pk == principal_id]
        for i, m in enumerate(ordered, start=1):
            self.fields[f"order_{m.pk}"] = forms.IntegerField(label=f"{m.name} 发言顺序", min_value=1, max_value=99,
                                                              initial=i, required=False)
            self.fields[f"stance_{m.pk}"] = forms.ChoiceField(label=f"{m.name} 意见", required=False,
                                                              choices=[("", "—")] + Stance.choices)
            self.fields[f"reason_{m.pk}"] = forms.CharField(label=f"{m.name} 理由", required=False, max_length=300)
            self.fields[f"recused_{m.pk}"] = forms.BooleanField(label=f"{m.name} 回避", required=False,
                                                                initial=m.pk in self.standing,
                                                                disabled=m.pk in self.standing)
        self.rows = [(m, self[f"order_{m.pk}"], self[f"stance_{m.pk}"], self[f"reason_{m.pk}"],
                      self[f"recused_{m.pk}"], m.pk == principal_id) for m in ordered]

    def votes(self) -> list[Vote]:
        d = self.cleaned_data
        return [Vote(m.pk, d[f"order_{m.pk}"] or 0, d[f"stance_{m.pk}"], d[f"reason_{m.pk}"])
                for m in self.members if d[f"stance_{m.pk}"]]

    def recused_ids(self) -> set[int]:
        return {m.pk for m in self.members if self.cleaned_data[f"recused_{m.pk}"]} | self.standing


class MakeupForm(forms.Form):
    makeup_note = forms.CharField(label="补学情况", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                                  help_text="学习了哪些内容、以什么方式补学（至少10个字）")


class YearForm(forms.Form):
    year = year_field(label="年度")


class ComplianceForm(forms.Form):
    year = year_field(label="年度")
    org = forms.ModelChoiceField(label="组织（含下级）", queryset=Org.objects.none(), required=False,
                                 empty_label="我的全部范围")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)

        self.fields["org"].queryset = Org.objects.visible_to(user).filter(depth__lte=picker_depth(user))


class ActivityForm(ScopedChoiceMixin, forms.ModelForm):
    scoped_fields = {"org": "meeting.change"}

    class Meta:
        model = Activity
        fields = ["kind", "title", "org", "date", "place", "description", "units"]
        widgets = {"date": DATE, "units": forms.CheckboxSelectMultiple}
        labels = {"org": "组织单位"}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["units"].queryset = Org.objects.visible_to(user).filter(is_active=True)


class ReflectionForm(forms.Form):
    reflection = forms.CharField(label="心得体会", max_length=5000, widget=forms.Textarea(attrs={"rows": 6}))

    def clean_reflection(self):
        text = self.cleaned_data["reflection"].strip()
        if len(text) < 20:
            raise forms.ValidationError("心得体会至少写20个字")
        return text


class AttachmentForm(forms.Form):
    file = forms.FileField(label="附件", help_text="PDF、Word（.docx/.doc）、Excel（.xlsx）、JPG 或 PNG，按内容识别",
                           widget=forms.ClearableFileInput(attrs={
                               "accept": ".pdf,.docx,.doc,.xlsx,.jpg,.jpeg,.png"}))


class MeetingKindForm(VersionedModelForm):
    class Meta:
        model = MeetingKind
        fields = ["code", "name", "audience", "is_study", "frequency_months", "order", "is_active"]
        help_texts = {"code": "英文小写字母、数字或下划线，保存后不能修改",
                      "frequency_months": "党支部须召开此类会议的最低频次（三会一课和主题党日的频次在规则设置中维护）",
                      "is_study": "出席时长计入个人学习时长"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["code"].disabled = True
        self.fields["frequency_months"].choices = [("", "不要求")] + list(self.fields["frequency_months"].choices)[1:]


class StudyPlanForm(ScopedChoiceMixin, VersionedModelForm):
    scoped_fields = {"org": "meeting.change"}
    year = year_field(label="年度")
    topics = forms.CharField(label="学习专题（每行：月份｜学习内容｜学习材料）", required=False, max_length=20000,
                             widget=forms.Textarea(attrs={"rows": 10}),
                             help_text="如：3｜学习贯彻党的二十届三中全会精神｜《决定》原文；学习材料可不填")

    class Meta:
        model = StudyPlan
        fields = ["org", "year", "title", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}
        labels = {"org": "制定单位"}

    def clean_topics(self):
        from django.core.exceptions import ValidationError


        try:
            return parse_topics(self.cleaned_data.get("topics", ""))
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from None

    def _get_validation_exclusions(self):
        # one plan per org and year: the service names the clash on the year field, after checking scope
        return {*super()._get_validation_exclusions(), "year"}
