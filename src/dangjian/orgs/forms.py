from django import forms

from dangjian.core.forms_base import ScopedChoiceMixin, VersionedModelForm, quick_selects
from dangjian.core.scope import scope_roots
from dangjian.core.uploads import validate_upload

from .models import Org, OrgKind, PartyStatus, Person, Position


class PersonForm(ScopedChoiceMixin, VersionedModelForm):
    scoped_fields = {"org": "person.change", "branch": "person.change"}

    class Meta:
        model = Person
        # 出生日期 is not asked: it is the one written in the ID number (Person.derive_from_id).
        fields = ["name", "gender", "id_number", "phone", "education", "job_title", "org", "branch",
                  "party_status", "joined_party_on", "full_member_on", "activist_since"]
        widgets = {
            **{f: forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
               for f in ("joined_party_on", "full_member_on", "activist_since")},
            "id_number": forms.TextInput(attrs={"maxlength": 18, "autocomplete": "off"}),
            "phone": forms.TextInput(attrs={"maxlength": 11, "inputmode": "numeric", "autocomplete": "off"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = self.fields["branch"].queryset.filter(
            kind__in=[OrgKind.BRANCH, OrgKind.GENERAL_BRANCH, OrgKind.COMMITTEE])
        if self.instance.pk:
            # A person may be edited by whoever may change them at one of their places (their unit
            # or their branch): the other place, even outside the editor's scope, stays selectable
            # as it is. The service re-checks the scope of the person as saved.
            for name in ("org", "branch"):
                current = getattr(self.instance, f"{name}_id")
                if current:
                    field = self.fields[name]
                    field.queryset = (field.queryset | Org.objects.filter(pk=current)).distinct()
            self.initial["id_number"] = ""
            self.fields["id_number"].required = False
            self.fields["id_number"].help_text = f"当前：{self.instance.masked_id_number}；留空则不修改"
            self.initial["phone"] = ""
            self.fields["phone"].help_text = f"当前：{self.instance.masked_phone or '未填'}；留空则不修改"

    def clean_id_number(self):
        value = (self.cleaned_data.get("id_number") or "").strip().upper()
        return value or (self.instance.id_number if self.instance.pk else value)

    def clean_phone(self):
        value = (self.cleaned_data.get("phone") or "").strip()
        return value or (self.instance.phone if self.instance.pk else value)

    def clean(self):
        cleaned = super().clean()
        self.instance.birth_date = None  # taken again from the ID number, new or kept
        return cleaned


class PersonFilterForm(forms.Form):
    q = forms.CharField(label="姓名", required=False, max_length=50)
    party_status = forms.ChoiceField(label="政治面貌", required=False, choices=[("", "全部")] + PartyStatus.choices)
    org = forms.ModelChoiceField(label="组织", required=False, queryset=Org.objects.none(), empty_label="全部")
    inactive = forms.BooleanField(label="含离职", required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["org"]
        field.queryset = Org.objects.visible_to(user).filter(depth__lte=picker_depth(user))  # what may be chosen
        field.choices = [("", field.empty_label)] + _picker_orgs(field.queryset)  # what is shown
        quick_selects(self)

    def filter(self, people):
        if not self.is_valid():
            return people.filter(is_active=True)
        d = self.cleaned_data
        if not d["inactive"]:
            people = people.filter(is_active=True)
        if d["q"]:
            people = people.filter(name__contains=d["q"])
        if d["party_status"]:
            people = people.filter(party_status=d["party_status"])
        if d["org"]:
            from django.db.models import Q

            people = people.filter(Q(org_path__pathprefix=d["org"].path) | Q(branch_path__pathprefix=d["org"].path))
        return people


PICKER_MAX = 300


def picker_depth(user) -> int:
    """Pickers offer the user's top nodes and at most three levels below them, not a whole province."""
    roots = scope_roots(user, "org.view")
    return (min(len(p) for p in roots) // Org.steplen + 3) if roots else 0


def _picker_orgs(queryset) -> list[tuple[int, str]]:
    """The options shown, as (id, name): whole levels from the top while they fit in PICKER_MAX, in tree order.

    One bounded query (ordered by depth, served by the (depth, path) index), so that a county's
    and a province's roster page render a short list at the same cost; plain rows, not models.
    """
    orgs = list(queryset.order_by("depth", "path").values_list("depth", "path", "id", "name")[: PICKER_MAX + 1])
    if len(orgs) > PICKER_MAX:
        cut = orgs[-1][0]
        orgs = [o for o in orgs if o[0] < cut] or orgs[:PICKER_MAX]
    return [(pk, name) for _, _, pk, name in sorted(orgs, key=lambda o: o[1])]


class OrgForm(VersionedModelForm):
    class Meta:
        model = Org
        fields = ["name", "short_name", "kind", "code", "order", "is_active"]


class PositionForm(ScopedChoiceMixin, forms.ModelForm):
    scoped_fields = {"org": "person.change"}

    class Meta:
        model = Position
        fields = ["title", "org", "start_date", "end_date", "note"]
        widgets = {f: forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d") for f in ("start_date", "end_date")}


class RosterImportForm(forms.Form):
    file = forms.FileField(label="花名册文件（.xlsx，或 UTF-8、GBK 编码的 .csv）")

    def clean_file(self):
        f = self.cleaned_data["file"]
        validate_upload(f, kinds=("xlsx", "csv"))
        return f
