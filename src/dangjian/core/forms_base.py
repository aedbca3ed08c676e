"""Form bases every module uses: optimistic locking and scope-limited choices."""

from django import forms

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


class ScopedChoiceMixin:
    """Limits org pickers to the active nodes where the user holds the named capability."""

    scoped_fields: dict[str, str] = {}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name, capability in self.scoped_fields.items():
            field = self.fields[name]
            field.queryset = field.queryset.filter(path_condition(user, capability, ("path",)), is_active=True)
