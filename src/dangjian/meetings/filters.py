"""The meeting list's filter: one definition that the page reads its query through and the API applies."""

from __future__ import annotations

from django import forms

from dangjian.core.web import year_field


class MeetingFilterForm(forms.Form):
    kind = forms.CharField(label="会议类型", required=False, max_length=20)
    year = year_field(label="年度", required=False)

    def filter(self, meetings):
        # A value the form refuses is left out (the page ignores it; the API refuses it first).
        self.is_valid()
        d = self.cleaned_data
        if d.get("kind"):
            meetings = meetings.filter(kind__code=d["kind"])
        if d.get("year"):
            meetings = meetings.filter(date__year=d["year"])
        return meetings
