"""The roster's filter in the API: the page's form (forms.PersonFilterForm), so that the same values give
the same people; the API names any org the user sees, not only those the page's picker offers."""

from __future__ import annotations

from .forms import PersonFilterForm
from .models import Org

# The API's older parameter names → the page's.
API_RENAMES = {"org_id": "org"}


class ApiPersonFilterForm(PersonFilterForm):
    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["org"].queryset = Org.objects.visible_to(user)
