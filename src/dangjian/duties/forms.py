from django import forms
from django.utils import timezone

from dangjian.core.forms_base import PersonChoiceField, ScopedChoiceMixin, VersionedModelForm
from dangjian.core.web import year_field
from dangjian.orgs.models import Org, OrgKind, Person

from . import rule_settings as duty_rules
from .letters import letter_counterparts, letter_scope_filter
from .models import (
    Duty,
    GroupMember,
    Institution,
    InstitutionCategory,
    LeadingGroup,
    LetterTask,
    TaskStatus,
)

DATE = {"type": "date"}


def _date(**kw):
    return forms.DateField(widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"), **kw)


def _people(user):
    return Person.objects.visible_to(user).filter(is_active=True).select_related("org").order_by("org_path", "id")


class DutyForm(ScopedChoiceMixin, forms.ModelForm):
    scoped_fields = {"org": "duty.change"}

    class Meta:
        model = Duty
        fields = ["person", "kind", "org", "start_date", "end_date", "note"]
        widgets = {f: forms.DateInput(attrs=DATE, format="%Y-%m-%d") for f in ("start_date", "end_date")}
        field_classes = {"person": PersonChoiceField}
        labels = {"org": "科室（领导责任、具体责任）或单位（第一责任人、监督责任）"}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["person"].queryset = _people(user)
        self.fields["org"].queryset = self.fields["org"].queryset.filter(kind__in=[OrgKind.SECTION, OrgKind.AGENCY])
        self.fields["start_date"].initial = timezone.localdate()


class SectionDomainsForm(forms.Form):
    domains = forms.MultipleChoiceField(label="业务领域", required=False, widget=forms.CheckboxSelectMultiple,
                                        choices=[(d, d) for d in duty_rules.DOMAINS])


class LeadingGroupForm(ScopedChoiceMixin, VersionedModelForm):
    scoped_fields = {"office": "duty.change"}

    class Meta:
        model = LeadingGroup
        fields = ["name", "established_on", "basis", "office"]
        widgets = {"established_on": forms.DateInput(attrs=DATE, format="%Y-%m-%d")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = self.fields["office"].queryset.filter(kind=OrgKind.SECTION)


class GroupMemberForm(forms.ModelForm):
    class Meta:
        model = GroupMember
        fields = ["person", "role", "start_date", "end_date"]
        widgets = {f: forms.DateInput(attrs=DATE, format="%Y-%m-%d") for f in ("start_date", "end_date")}
        field_classes = {"person": PersonChoiceField}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = _people(user)


class LetterForm(forms.Form):
    year = year_field(label="年度")
    counterpart = PersonChoiceField(label="乙方（班子成员或科室负责人）", queryset=Person.objects.none())

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # only those who can sign: a 分管 (or 监督) or 具体 responsibility this year (letters.kind_for)
        self.fields["counterpart"].queryset = _people(user).filter(letter_counterparts(timezone.localdate()))
        self.fields["year"].initial = timezone.localdate().year


class TaskForm(VersionedModelForm):
    class Meta:
        model = LetterTask
        fields = ["title", "target", "owner", "deadline", "weight"]
        widgets = {"deadline": forms.DateInput(attrs=DATE, format="%Y-%m-%d")}
        field_classes = {"owner": PersonChoiceField}

    def __init__(self, *args, letter=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)

        # The picker offers the letter's people; the service re-checks (an API call may send anyone).
        self.fields["owner"].queryset = _people(user).filter(letter_scope_filter(letter))
        self.fields["weight"].min_value = 1
        self.fields["weight"].max_value = 100


class ProgressForm(forms.Form):
    status = forms.ChoiceField(label="状态", choices=TaskStatus.choices)
    note = forms.CharField(label="进展情况", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    evidence = forms.CharField(label="佐证材料", max_length=300, required=False,
                               help_text="如：会议记录、签到表、文件文号")
    loaded_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31)


class SignForm(forms.Form):
    signed_on = _date(label="签订日期")
    scan = forms.FileField(label="签字扫描件（PDF/JPG/PNG）", required=False)


class LetterFilterForm(forms.Form):
    year = year_field(label="年度", required=False)
    leader = PersonChoiceField(label="班子成员", required=False, queryset=Person.objects.none(), empty_label="全部")
    section = forms.ModelChoiceField(label="科室", required=False, queryset=Org.objects.none(), empty_label="全部")
    state = forms.ChoiceField(label="任务状态", required=False,
                              choices=[("", "全部")] + TaskStatus.choices + [("overdue", "逾期")])

    def __init__(self, *args, user=None, leaders=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = leaders if leaders is not None else Person.objects.none()
        self.fields["section"].queryset = Org.objects.visible_to(user).filter(kind=OrgKind.SECTION)


class InstitutionForm(ScopedChoiceMixin, VersionedModelForm):
    scoped_fields = {"org": "duty.change"}
    upload = forms.FileField(label="文件（PDF/DOCX/DOC）", required=False)

    class Meta:
        model = Institution
        fields = ["title", "doc_number", "category", "issuer", "issued_on", "repealed_on", "org", "body"]
        widgets = {f: forms.DateInput(attrs=DATE, format="%Y-%m-%d") for f in ("issued_on", "repealed_on")}
        labels = {"org": "适用单位"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = self.fields["org"].queryset.filter(kind=OrgKind.AGENCY)


class InstitutionFilterForm(forms.Form):
    q = forms.CharField(label="全文检索", required=False, max_length=50)
    category = forms.ChoiceField(label="类别", required=False, choices=[("", "全部")] + InstitutionCategory.choices)
    on = _date(label="有效日期", required=False)
    year = year_field(label="制定年度", required=False)
