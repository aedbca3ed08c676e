"""Form bases every module uses: optimistic locking, scope-limited choices and the person picker."""

from django import forms
from django.conf import settings
from django.forms.models import ModelChoiceIterator, ModelMultipleChoiceField
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join

from .scope import path_condition


class VersionedModelForm(forms.ModelForm):
    """Carries the version the form was loaded from, so that a stale save is refused (ConflictError)."""

    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0, max_value=2**31)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["loaded_version"].initial = self.instance.version

    @property
    def expected_version(self):
        return self.cleaned_data.get("loaded_version") if self.instance.pk else None


class OrgSearchInput(forms.TextInput):
    """An org picker for a scope too large for a drop-down (a province): the user types part of a
    name and picks from suggestions (app.js fills the list from /orgs/search/), or types the org's
    code; the code is what is posted. Works without JavaScript, by code."""

    def __init__(self, capability: str):
        super().__init__(attrs={"data-org-search": capability, "autocomplete": "off", "maxlength": 40,
                                "placeholder": "输入名称搜索，或填写组织代码"})

    def render(self, name, value, attrs=None, renderer=None):
        attrs = {**(attrs or {}), "list": f"{(attrs or {}).get('id', name)}-options"}
        return format_html('{}<datalist id="{}"></datalist>', super().render(name, value, attrs, renderer),
                           attrs["list"])


class ScopedChoiceMixin:
    """Limits org pickers to the active nodes where the user holds the named capability; a picker
    with more choices than ``DANGJIAN_ORG_PICKER_LIMIT`` becomes a search box (OrgSearchInput)."""

    scoped_fields: dict[str, str] = {}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        limit = settings.DANGJIAN_ORG_PICKER_LIMIT
        for name, capability in self.scoped_fields.items():
            field = self.fields[name]
            field.queryset = field.queryset.filter(path_condition(user, capability, ("path",)), is_active=True)
            if field.queryset[limit:limit + 1].exists():  # more than the limit: one indexed probe
                field.to_field_name = "code"
                field.widget = OrgSearchInput(capability)
                field.help_text = (field.help_text + " " if field.help_text else "") + "可选范围较大，请搜索后选择"


class QuickSelect(forms.Select):
    """A drop-down written out in Python. Django renders each option through its template engine
    (tens of microseconds an option), so that a list's filter form with a few hundred options cost
    more than the list's queries; the markup is the same."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = set(self.format_value(value))
        final = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            final["multiple"] = True
        # the name first, as Django's own template writes it
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(final), self._options(self.choices, chosen))

    def _options(self, choices, chosen):
        parts = []
        for value, label in choices:
            if isinstance(label, list | tuple):  # an option group
                parts.append(format_html('<optgroup label="{}">{}</optgroup>', value, self._options(label, chosen)))
                continue
            key = "" if value is None else str(value)
            parts.append(format_html('<option value="{}"{}>{}</option>', key,
                                     " selected" if key in chosen else "", label))
        return format_html_join("", "{}", ((p,) for p in parts))


def quick_selects(form) -> None:
    """Every plain drop-down of ``form`` becomes a QuickSelect (the choices and attributes stay)."""
    for field in form.fields.values():
        if type(field.widget) is forms.Select:
            widget = QuickSelect(attrs=field.widget.attrs, choices=field.widget.choices)
            widget.is_required = field.widget.is_required
            field.widget = widget


def person_label(person) -> str:
    """A person as a picker shows them: the name with their section and branch, which tell apart two
    people of one name and say where someone sits: 张三（办公室·第一党支部）."""
    where = "·".join(o.name for o in (person.org, person.branch) if o is not None)
    return f"{person.name}（{where}）" if where else person.name


class _PeopleIterator(ModelChoiceIterator):
    def __iter__(self):
        if self.queryset is not None:  # the section and branch of every option in the one query
            self.queryset = self.queryset.select_related("org", "branch")
        return super().__iter__()


class PersonSelect(QuickSelect):
    """A drop-down of people that app.js gives a search box (by name, section or branch, as one types);
    without JavaScript it is a plain list. Written out in Python (QuickSelect): a picker lists hundreds."""

    def __init__(self, attrs=None, choices=()):
        super().__init__({"data-person-search": "", **(attrs or {})}, choices)


class PersonSelectMultiple(QuickSelect, forms.SelectMultiple):
    def __init__(self, attrs=None, choices=()):
        super().__init__({"data-person-search": "", **(attrs or {})}, choices)


class PersonChoiceField(forms.ModelChoiceField):
    """The one picker of people for every form: options labelled by person_label, searchable. The
    queryset, set by each form, is the candidates the rule allows; the service re-checks the choice."""

    widget = PersonSelect
    iterator = _PeopleIterator

    def label_from_instance(self, obj):
        return person_label(obj)


class PeopleChoiceField(ModelMultipleChoiceField):
    widget = PersonSelectMultiple
    iterator = _PeopleIterator

    def label_from_instance(self, obj):
        return person_label(obj)
