"""The list pages' filter forms write their drop-downs in Python (core.forms_base.QuickSelect), not one
template per option: same markup, chosen value kept, and no option template rendered on the page."""

import re

from django import forms

from dangjian.core.forms_base import QuickSelect, quick_selects
from tests.conftest import signed_in

OPTION_TEMPLATE = "django/forms/widgets/select_option.html"


class _Form(forms.Form):
    kind = forms.ChoiceField(label="类别", required=False,
                             choices=[("", "全部"), ("a", "甲<乙>"), ("组", [("b", "丙"), ("c", "丁")])])
    many = forms.MultipleChoiceField(label="多选", required=False, choices=[("1", "一")])


def test_a_quick_select_writes_what_django_writes():
    form = _Form({"kind": "b"})
    before = str(form["kind"])
    quick_selects(form)
    assert type(form.fields["kind"].widget) is QuickSelect
    assert type(form.fields["many"].widget) is forms.SelectMultiple  # only plain drop-downs
    after = str(form["kind"])
    assert re.sub(r">\s+<", "><", before).replace('name="kind" id="id_kind"', 'id="id_kind" name="kind"') == after
    assert '<option value="b" selected>丙</option>' in after and "甲&lt;乙&gt;" in after


def test_the_roster_and_matters_lists_render_no_option_template(demo):
    client = signed_in(demo["users"]["dangwu"])
    for url, chosen in (("/people/?party_status=full", '<option value="full" selected>'),
                        ("/matters/?status=in_progress", '<option value="in_progress" selected>')):
        response = client.get(url)
        assert response.status_code == 200
        assert OPTION_TEMPLATE not in [t.name for t in response.templates], url
        assert chosen in response.content.decode(), url
