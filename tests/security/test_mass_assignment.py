"""Item 8: mass assignment — no form or API field lets a user set their own role or scope, a record's
version, org_path, user link or id."""

import json

import pytest
from django import forms

from dangjian.accounts.models import ApiToken, RoleAssignment
from dangjian.core.models import AuditEvent
from dangjian.orgs.models import Org, Person
from tests.conftest import signed_in

PROTECTED = {"id", "pk", "version", "org_path", "branch_path", "count_path", "user", "user_id", "role", "roles",
             "is_staff", "is_superuser", "password", "created_at", "updated_at", "seq", "chain_hash", "prev_hash"}


def _model_forms():
    import importlib
    import pkgutil

    import dangjian

    for info in pkgutil.walk_packages(dangjian.__path__, "dangjian."):
        if info.name.endswith(".forms"):
            importlib.import_module(info.name)
    seen, todo = set(), [forms.ModelForm]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in seen:
                seen.add(sub)
                todo.append(sub)
    return [f for f in seen if f.__module__.startswith("dangjian.") and getattr(f._meta, "model", None)]


# Forms whose purpose is to set these fields on someone else's account, behind account.manage.
# forms whose "role" is the thing being assigned: an access role granted by the 安全管理员, or a seat
# (组长/副组长/成员) in the leading group — neither lets a user set their own access.
_ROLE_FORMS = {"RoleAssignmentForm", "GroupMemberForm"}


def test_no_model_form_exposes_bookkeeping_or_identity_fields():
    found = _model_forms()
    assert any(f.__name__ == "PersonForm" for f in found)
    for form_class in found:
        allowed = {"role"} if form_class.__name__ in _ROLE_FORMS else set()
        exposed = (set(form_class.base_fields) & PROTECTED) - allowed
        assert not exposed, f"{form_class.__name__} exposes {exposed}"


def test_extra_fields_posted_to_the_person_form_are_ignored(demo):
    person = Person.objects.visible_to(demo["users"]["dangwu"], "change").select_related("org", "branch").first()
    other_org = Org.objects.exclude(pk=person.org_id).order_by("pk").first()
    client = signed_in(demo["users"]["dangwu"])
    page = client.get(f"/people/{person.pk}/edit/")
    form = page.context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(job_title="新职务", org_path=other_org.path, version=999, id=1, user=demo["users"]["dangwu"].pk,
                branch_path="9999", role="party_admin")
    response = client.post(f"/people/{person.pk}/edit/", data)
    assert response.status_code == 302, response.content.decode()[:800]
    person.refresh_from_db()
    assert person.job_title == "新职务"
    assert person.org_path == Org.objects.get(pk=person.org_id).path and person.version < 999
    assert person.user_id != demo["users"]["dangwu"].pk


@pytest.mark.parametrize("field,value", [
    ("org_path", "0001"), ("version_of_record", 5), ("id", 1), ("user", 1), ("user_id", 1), ("role", "party_admin"),
    ("branch_path", "0001"), ("is_superuser", True),
])
def test_the_api_refuses_unknown_fields_with_a_chinese_message(demo, field, value):
    dangyuan = demo["users"]["dangyuan"]
    own = Person.objects.filter(user=dangyuan).first()
    token = ApiToken.issue(demo["users"]["dangwu"], "t")[1]
    client = Client_for_token(token)
    target = own or Person.objects.first()
    before = (Person.objects.get(pk=target.pk).version, Person.objects.get(pk=target.pk).org_path)
    response = client.patch(f"/api/v1/people/{target.pk}", json.dumps({"version": target.version, field: value}),
                            content_type="application/json")
    assert response.status_code == 422
    assert any(f"{field}：不允许的字段" == e["message"] for e in response.json()["errors"])
    created = client.post("/api/v1/people", json.dumps({
        "name": "甲", "gender": "M", "birth_date": "1990-01-01", "id_number": "110101199001011237", "org_id": 1,
        field: value}), content_type="application/json")
    assert created.status_code == 422
    target.refresh_from_db()
    assert (target.version, target.org_path) == before


def Client_for_token(token):  # noqa: N802 - reads as a constructor
    from django.test import Client

    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


@pytest.mark.parametrize("username", ["dangyuan", "zhibu", "kezhang", "jijian"])
def test_a_user_cannot_grant_a_role_to_themselves(demo, username):
    user = demo["users"][username]
    client = signed_in(user)
    grants, changes = RoleAssignment.objects.filter(user=user).count(), AuditEvent.objects.filter(category="business").count()
    response = client.post(f"/accounts/users/{user.pk}/", {"role": "party_admin", "org": 1, "include_subtree": "on"})
    assert response.status_code in (403, 404)
    assert RoleAssignment.objects.filter(user=user).count() == grants
    assert AuditEvent.objects.filter(category="business").count() == changes


def test_the_me_endpoint_is_read_only(demo):
    token = ApiToken.issue(demo["users"]["dangyuan"], "t")[1]
    client = Client_for_token(token)
    for method in ("post", "put", "patch", "delete"):
        response = getattr(client, method)("/api/v1/me", json.dumps({"roles": [{"role": "party_admin", "org_id": 1}]}),
                                           content_type="application/json")
        assert response.status_code == 405
    assert not RoleAssignment.objects.filter(user=demo["users"]["dangyuan"], role="party_admin").exists()
