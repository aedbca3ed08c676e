"""Who may be named on a matter: the owner from the matter's agency, the responsible leader (分管领导)
from its leadership (领导班子); pickers, filters and the import list only the leaders within reach."""

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError

from dangjian.accounts.models import ApiToken
from dangjian.core.documents import write_xlsx
from dangjian.core.ids import id_check_digit
from dangjian.matters import ledger, services
from dangjian.matters.forms import FilterForm, MatterForm
from dangjian.matters.models import Matter, ProblemList
from dangjian.orgs.models import Org, OrgKind, Person, Position, PositionTitle

pytestmark = pytest.mark.django_db


def _person(name, org, n):
    first17 = f"43010219800101{n:03d}"
    return Person.objects.create(name=name, gender="M", birth_date=dt.date(1980, 1, 1),
                                 id_number=first17 + id_check_digit(first17), org=org)


@pytest.fixture
def other_agency(demo):
    """A second agency beside the demo's, whose leader and staffer bear the demo's people's names."""
    agency = Org.add_root(name="市YY", kind=OrgKind.AGENCY, code="SYY")
    group = agency.add_child(name="中共市YY党组", kind=OrgKind.PARTY_GROUP, code="SYY-DZ")
    section = Org.objects.get(code="SYY").add_child(name="YY办公室", kind=OrgKind.SECTION, code="SYY-BGS")
    leader = _person(demo["users"]["banzi"].person.name, section, 11)
    Position.objects.create(person=leader, title=PositionTitle.LEADER, org=group, start_date=dt.date(2024, 1, 1))
    staffer = _person(demo["users"]["kezhang"].person.name, section, 13)
    return {"agency": agency, "section": section, "leader": leader, "staffer": staffer}


def test_pickers_and_filters_list_only_the_leadership_within_reach(demo, other_agency):
    banzi, shuji = demo["users"]["banzi"].person, demo["users"]["shuji"].person
    for username in ("dangwu", "kezhang"):  # the agency's whole tree, and a section below it
        user = demo["users"][username]
        offered = set(FilterForm(user=user).fields["leader"].queryset)
        assert {banzi, shuji} <= offered and other_agency["leader"] not in offered
    form = MatterForm(user=demo["users"]["dangwu"])
    assert other_agency["leader"] not in form.fields["responsible_leader"].queryset
    assert other_agency["staffer"] not in form.fields["owner"].queryset
    assert not FilterForm(user=demo["users"]["dangyuan"]).fields["leader"].queryset.exists()  # no grant, no list


def test_a_leader_or_owner_from_another_agency_is_refused_naming_the_field(demo, other_agency, make_matter):
    def register(**people):
        matter = Matter(kind="rectify", title="越界", org=demo["orgs"]["SXX-BGS"], received_on=dt.date.today(),
                        **people)
        with pytest.raises(ValidationError) as refused:
            services.do_create_matter(matter, actor=demo["users"]["dangwu"])
        return refused.value.message_dict

    assert "不是市XX的现任领导班子成员" in str(register(responsible_leader=other_agency["leader"])["responsible_leader"])
    assert "不是市XX的人员" in str(register(owner=other_agency["staffer"])["owner"])
    assert not Matter.objects.filter(title="越界").exists()

    matter = make_matter()
    token = ApiToken.issue(demo["users"]["dangwu"], "测试")[1]
    response = demo_api_patch(matter, token, {"version": matter.version,
                                              "responsible_leader_id": other_agency["leader"].pk})
    assert response.status_code == 422 and "领导班子" in str(response.json())
    # an edit that names nobody new is not re-checked
    services.do_update_matter(Matter.objects.get(pk=matter.pk), actor=demo["users"]["dangwu"],
                              expected_version=matter.version)


def demo_api_patch(matter, token, body):
    from django.test import Client

    return Client().patch(f"/api/v1/matters/{matter.pk}", body, content_type="application/json",
                          HTTP_AUTHORIZATION=f"Bearer {token}")


def test_an_import_finds_people_by_name_within_reach_despite_namesakes_elsewhere(demo, other_agency):
    plist = ProblemList.objects.get(title__startswith="贯彻落实")
    owner, leader = demo["users"]["kezhang"].person, demo["users"]["banzi"].person
    row = [1, "会风文风有待改进", "作风建设", "第九批", "科室", "办公室", owner.name, leader.name, "精简会议文件", "",
           "2026-12-30"]
    upload = io.BytesIO(write_xlsx("问题清单", ledger.IMPORT_COLUMNS, [row]))
    upload.name = "清单.xlsx"
    report, created = ledger.import_problem_list(plist, upload, actor=demo["users"]["dangwu"])
    assert not report.errors and created == 1
    made = Matter.objects.get(problem_list=plist, batch="第九批")
    assert (made.owner, made.responsible_leader) == (owner, leader)
