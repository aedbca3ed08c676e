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
    assert re.sub(r">\s+<", "><", before) == after
    assert '<option value="b" selected>丙</option>' in after and "甲&lt;乙&gt;" in after


def test_the_people_pickers_write_their_options_in_python_too(demo):
    from dangjian.core.forms_base import PeopleChoiceField, PersonChoiceField
    from dangjian.orgs.models import Person

    people = Person.objects.order_by("id")[:3]

    class Pick(forms.Form):
        one = PersonChoiceField(label="人员", queryset=Person.objects.filter(pk__in=[p.pk for p in people]))
        many = PeopleChoiceField(label="人员", queryset=Person.objects.filter(pk__in=[p.pk for p in people]))

    form = Pick({"one": people[1].pk, "many": [people[0].pk, people[2].pk]})
    one, many = str(form["one"]), str(form["many"])
    assert "data-person-search" in one and f'<option value="{people[1].pk}" selected>' in one
    assert " multiple" in many and many.count(" selected>") == 2 and form.is_valid()


def test_the_roster_and_matters_lists_render_no_option_template(demo):
    client = signed_in(demo["users"]["dangwu"])
    for url, chosen in (("/people/?party_status=full", '<option value="full" selected>'),
                        ("/matters/?status=in_progress", '<option value="in_progress" selected>')):
        response = client.get(url)
        assert response.status_code == 200
        assert OPTION_TEMPLATE not in [t.name for t in response.templates], url
        assert chosen in response.content.decode(), url
