from django import forms

from dangjian.core.crypto import blind_index
from dangjian.core.forms_base import ScopedChoiceMixin

from .models import RoleAssignment, User


class LoginForm(forms.Form):
    username = forms.CharField(label="用户名或手机号", max_length=150)
    password = forms.CharField(label="密码", widget=forms.PasswordInput, max_length=128, strip=False)


class SecondFactorForm(forms.Form):
    code = forms.CharField(label="动态口令（6位数字）或恢复码", max_length=20,
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}))


class AccountForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["username", "full_name", "phone", "email"]
        widgets = {"phone": forms.TextInput(attrs={"maxlength": 11, "inputmode": "numeric"})}

    def clean_phone(self):
        phone = (self.cleaned_data.get("phone") or "").strip() or None
        if phone and not (phone.isdigit() and len(phone) == 11 and phone.startswith("1")):
            raise forms.ValidationError("手机号应为以1开头的11位数字")
        if phone and User.objects.filter(phone_index=blind_index(phone)).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("该手机号已被其他账号使用")
        return phone


class RoleAssignmentForm(ScopedChoiceMixin, forms.ModelForm):
    scoped_fields = {"org": "role.assign"}

    class Meta:
        model = RoleAssignment
        fields = ["role", "org", "include_subtree", "valid_from", "valid_to"]
        widgets = {f: forms.DateInput(attrs={"type": "date"}) for f in ("valid_from", "valid_to")}

    def clean(self):
        data = super().clean()
        if data.get("valid_from") and data.get("valid_to") and data["valid_to"] < data["valid_from"]:
            self.add_error("valid_to", "终止日期不能早于起始日期")
        return data


class TokenForm(forms.Form):
    name = forms.CharField(label="令牌名称（用途）", max_length=100, help_text="如“档案系统对接”。令牌只显示一次，请妥善保存。")
