"""Forms of 年度报告: a new year's report, a section's text, and the version a freeze was asked from."""

from django import forms

from dangjian.core.forms_base import ScopedChoiceMixin, VersionedModelForm
from dangjian.core.web import year_field
from dangjian.orgs.models import Org

from .models import ReportSection


class NewReportForm(ScopedChoiceMixin, forms.Form):
    scoped_fields = {"org": "duty.change"}

    org = forms.ModelChoiceField(label="单位", queryset=Org.objects.order_by("path"))
    year = year_field(label="年度")


class SectionForm(VersionedModelForm):
    wide_fields = ("heading",)  # form_fields.html: the whole width, as the body's

    class Meta:
        model = ReportSection
        fields = ["heading", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 16, "data-figure-target": "1"})}


class VersionForm(forms.Form):
    version = forms.IntegerField(label="版本", min_value=0, max_value=2**31, widget=forms.HiddenInput)
