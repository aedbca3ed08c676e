from django import forms

from .models import AuditEvent


class AuditFilterForm(forms.Form):
    q = forms.CharField(label="关键字", required=False, max_length=100)
    category = forms.ChoiceField(label="类别", required=False,
                                 choices=[("", "全部")] + list(AuditEvent.Category.choices))
    action = forms.CharField(label="操作", required=False, max_length=64)
    date_from = forms.DateField(label="起始日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="截止日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def filter(self, events):
        if not self.is_bound or not self.is_valid():
            return events
        d = self.cleaned_data
        if d["q"]:
            from django.db.models import Q

            events = events.filter(Q(target_repr__icontains=d["q"]) | Q(actor_name__icontains=d["q"])
                                   | Q(message__icontains=d["q"]))
        if d["category"]:
            events = events.filter(category=d["category"])
        if d["action"]:
            events = events.filter(action__startswith=d["action"])
        if d["date_from"]:
            events = events.filter(at__date__gte=d["date_from"])
        if d["date_to"]:
            events = events.filter(at__date__lte=d["date_to"])
        return events
