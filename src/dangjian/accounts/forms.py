from django import forms

from dangjian.core.forms_base import ScopedChoiceMixin

from .models import RoleAssignment


class LoginForm(forms.Form):
    username = forms.CharField(label="用户名或手机号", max_length=150)
    password = forms.CharField(label="密码", widget=forms.PasswordInput, max_length=128)


class RoleAssignmentForm(ScopedChoiceMixin, forms.ModelForm):
    scoped_fields = {"org": "account.manage"}

    class Meta:
        model = RoleAssignment
        fields = ["role", "org", "include_subtree", "valid_from", "valid_to"]
        widgets = {f: forms.DateInput(attrs={"type": "date"}) for f in ("valid_from", "valid_to")}
