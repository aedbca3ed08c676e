"""Forms of 群众监督's staff side: the list's filters (shared with the API), entry of a petition received through
another channel, triage (分类、受理、不予受理) and the categories."""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.utils import timezone

from dangjian.core.forms_base import PersonChoiceField, ScopedChoiceMixin, VersionedModelForm, quick_selects
from dangjian.core.scope import has_capability
from dangjian.core.web import year_field
from dangjian.orgs.models import Person
from dangjian.orgs.services import leadership_within_reach

from .figures import RATING_LABELS, REPLY_LABELS, REPLY_STATES
from .petition_models import Channel, Petition, PetitionCategory, PetitionKind, PetitionStatus, ancestor_paths

CHANGE = "petition.change"
REPLIED = list(REPLY_LABELS.items())
SATISFACTION = list(RATING_LABELS.items())
MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


def _blank(choices) -> list[tuple[str, str]]:
    return [("", "全部"), *choices]


class PetitionFilter(forms.Form):
    """The list's filters, by GET parameters with fixed names that other pages link to (the figures, the
    public statistics): status, kind, channel, category (id), year, month (YYYY-MM), replied, satisfaction, q.
    An invalid value is ignored (the field is dropped), so a page never fails on its query string."""

    q = forms.CharField(label="标题", required=False, max_length=100)
    status = forms.ChoiceField(label="状态", required=False, choices=_blank(PetitionStatus.choices))
    kind = forms.ChoiceField(label="类型", required=False, choices=_blank(PetitionKind.choices))
    channel = forms.ChoiceField(label="渠道", required=False, choices=_blank(Channel.choices))
    category = forms.ModelChoiceField(label="分类", required=False, queryset=PetitionCategory.objects.none(),
                                      empty_label="全部")
    year = year_field(label="年度", required=False)
    month = forms.CharField(label="月份", required=False, max_length=7,
                            widget=forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"}))
    replied = forms.ChoiceField(label="答复", required=False, choices=_blank(REPLIED))
    satisfaction = forms.ChoiceField(label="满意度", required=False, choices=_blank(SATISFACTION))

    def __init__(self, data=None, *, user=None):
        super().__init__(data or None)
        self.fields["category"].queryset = PetitionCategory.objects.visible_to(user).order_by("order", "id")

    def clean_month(self):
        value = (self.cleaned_data.get("month") or "").strip()
        if not value:
            return None
        match = MONTH_RE.match(value)
        if not match or not 1 <= int(match[2]) <= 12 or not 2000 <= int(match[1]) <= 2100:
            raise forms.ValidationError("月份：格式应为 YYYY-MM")
        return int(match[1]), int(match[2])

    def values(self) -> dict:
        """The valid filters (an invalid one is dropped, not fatal)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}

    def apply(self, petitions):
        v = self.values()
        for name in ("status", "kind", "channel", "category", "satisfaction"):
            if name in v:
                petitions = petitions.filter(**{name: v[name]})
        if "q" in v:
            petitions = petitions.filter(subject__icontains=v["q"])
        if "year" in v:
            petitions = petitions.filter(received_at__year=v["year"])
        if "month" in v:
            petitions = petitions.filter(received_at__year=v["month"][0], received_at__month=v["month"][1])
        if "replied" in v:
            petitions = replied_filter(petitions, v["replied"])
        return petitions


def replied_filter(petitions, replied: str):
    """答复: on time, late or pending, as the registry figures ``supervision.petitions.*`` count them."""
    return petitions.filter(REPLY_STATES[replied])


def people_for(user):
    return Person.objects.visible_to(user).filter(is_active=True).order_by("name", "pk")


class PetitionEntryForm(ScopedChoiceMixin, forms.ModelForm):
    """登记 a petition received by phone, letter, e-mail, QQ… (every channel but the portal)."""

    scoped_fields = {"accused_org": "petition.view"}
    received_at = forms.DateTimeField(label="收到时间", widget=forms.DateTimeInput(
        attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"), input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    give_code = forms.BooleanField(label="生成查询码", required=False,
                                   help_text="生成后仅显示一次，请告知诉求人，凭码可查询进度和答复")

    class Meta:
        model = Petition
        fields = ["channel", "received_at", "kind", "number", "subject", "content", "anonymous", "contact_name",
                  "contact_phone", "contact_other", "accused_person", "accused_org"]
        widgets = {"content": forms.Textarea(attrs={"rows": 6}), "contact_name": forms.TextInput,
                   "contact_phone": forms.TextInput, "contact_other": forms.TextInput}
        field_classes = {"accused_person": PersonChoiceField}
        help_texts = {"accused_person": "检举控告时填写；被检举人及其所在单位人员不能查看本件",
                      "accused_org": "检举控告时填写；该单位及下级单位人员不能查看本件"}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["channel"].choices = [c for c in Channel.choices if c[0] != Channel.PORTAL]
        if not has_capability(user, "supervision.view"):  # a 检举控告 is entered by the discipline team
            self.fields["kind"].choices = [c for c in self.fields["kind"].choices if c[0] != PetitionKind.ACCUSATION]
        self.fields["anonymous"].initial = False
        self.fields["received_at"].initial = timezone.localtime().replace(second=0, microsecond=0)
        self.fields["accused_person"].queryset = people_for(user)
        self.fields["accused_person"].required = self.fields["accused_org"].required = False
        quick_selects(self)

    def clean_received_at(self):
        value = self.cleaned_data["received_at"]
        if value > timezone.now() + dt.timedelta(minutes=5):
            raise forms.ValidationError("收到时间：不能晚于现在")
        return value


class ClassifyForm(forms.Form):
    category = forms.ModelChoiceField(label="分类", queryset=PetitionCategory.objects.none())
    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0, max_value=2**31)

    def __init__(self, *args, petition: Petition, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = active_categories(petition, user)
        self.fields["category"].initial = petition.category_id
        self.fields["loaded_version"].initial = petition.version


class AcceptForm(ClassifyForm):
    owner = PersonChoiceField(label="责任人", queryset=Person.objects.none())
    responsible_leader = PersonChoiceField(label="责任领导", queryset=Person.objects.none())

    def __init__(self, *args, petition: Petition, user=None, **kwargs):
        super().__init__(*args, petition=petition, user=user, **kwargs)
        self.fields["owner"].queryset = people_for(user)
        self.fields["responsible_leader"].queryset = leadership_within_reach(user, CHANGE)
        quick_selects(self)


class DeclineForm(forms.Form):
    decline_reason = forms.CharField(label="不予受理理由", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0, max_value=2**31)


def active_categories(petition: Petition, user):
    """The categories offered for a petition: the active ones of its agency that the user sees."""
    return (PetitionCategory.objects.visible_to(user).filter(active=True, org_path__in=ancestor_paths(petition.org_path))
            .order_by("order", "id"))


class CategoryForm(VersionedModelForm):
    class Meta:
        model = PetitionCategory
        fields = ["name", "keywords", "order", "active"]
        widgets = {"keywords": forms.Textarea(attrs={"rows": 4})}
