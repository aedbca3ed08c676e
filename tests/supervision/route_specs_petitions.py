"""Route-matrix specs for 群众监督's staff side (registered into tests/test_route_matrix.py SPECS).

Who reads what is written out by hand. A complaint at the agency (root) is read by the holders of petition.view
there — the 党务管理员 (dangwu), the 党组书记 (shuji, a 班子成员 by role) and the 纪检组长 (jijian) — and changed
by those of petition.change (dangwu, jijian). An accusation (检举控告) naming the 办公室 head (kezhang) and 办公室 is
read by the discipline team only (jijian): the accused, and everyone else, get 404 on every route.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

VIEWERS = {"dangwu", "shuji", "jijian"}  # petition.view over the agency (root)
CHANGERS = {"dangwu", "jijian"}  # petition.change over the agency
LIST_VIEWERS = VIEWERS | {"banzi", "zuzhi"}  # petition.view somewhere
ENTRY = CHANGERS | {"zuzhi"}  # petition.change somewhere (zuzhi: 办公室)
DISCIPLINE = {"jijian"}
ACCUSED = "kezhang"
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


def _m():
    from tests import route_matrix as m

    return m


def probes(ctx):
    """A complaint and an accusation (each with an attachment) and a category: made once per matrix."""
    if hasattr(ctx, "petition_probes"):
        return ctx.petition_probes
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from dangjian.supervision import petitions
    from dangjian.supervision.petition_models import Channel, Petition, PetitionCategory, PetitionKind

    m = _m()
    root, jijian = ctx.orgs["SXX"], ctx.users["jijian"]

    def enter(**fields):
        petition = Petition(org=root, channel=Channel.LETTER, received_at=timezone.now(), anonymous=False,
                            contact_name="诉求人探针", contact_phone="13511112222", **fields)
        return petitions.do_enter_petition(petition, actor=jijian, files=[
            SimpleUploadedFile("probe.png", PNG, content_type="image/png")])[0]

    complaint = enter(kind=PetitionKind.COMPLAINT, subject="诉求探针甲", content="诉求内容探针甲")
    accusation = enter(kind=PetitionKind.ACCUSATION, subject="检举探针乙", content="检举内容探针乙",
                       accused_person=ctx.users[ACCUSED].person, accused_org=ctx.orgs["SXX-BGS"])
    category = PetitionCategory.objects.filter(org=root).order_by("pk").first()
    for obj, markers, readers in ((complaint, ["诉求探针甲", "诉求内容探针甲"], VIEWERS),
                                  (accusation, ["检举探针乙", "检举内容探针乙"], DISCIPLINE)):
        ctx.probes.append(m.Probe("petition", obj, markers=markers))
        for role in m.ROLES:
            ctx._seen[(role, "petition", obj.pk)] = role in readers
    ctx.petition_probes = {"complaint": complaint, "accusation": accusation, "category": category,
                           "readers": {"complaint": VIEWERS, "accusation": DISCIPLINE}}
    return ctx.petition_probes


def make_bogus(make, pk):
    """The route's URL for an id that is no petition (nor attachment)."""
    class Bogus:
        def __init__(self, pk):
            self.pk = pk
            self.attachments = self

        def first(self):
            return self

    return make(Bogus(pk))


def _per_probe(ctx, role, route, make, allowed_for, method="GET", data=None, **kw):
    m = _m()
    p = probes(ctx)
    cases = []
    for name in ("complaint", "accusation"):
        allowed = role in p["readers"][name] and role in allowed_for
        cases.append(m.Case(f"{route} {name}", method, make(p[name]), allowed, data=data, **kw))
    # the accused never gets more than a missing record would give
    assert not (role == ACCUSED and any(c.allowed for c in cases[1:]))
    return cases + m._bogus(route, lambda x: make_bogus(make, x), (method,))


def spec_list(ctx, role):
    m = _m()
    probes(ctx)
    url = reverse("supervision:petitions")
    shows = ("诉求探针甲",) if role in VIEWERS else ()
    today = timezone.localdate()
    return [m.Case("petitions", "GET", url, role in LIST_VIEWERS,
                   must_show=shows + (("检举探针乙",) if role in DISCIPLINE else ())),
            m.Case("petitions filtered", "GET",  # the probes are received now: this month of this year
                   f"{url}?status=triage&kind=accusation&year={today.year}&month={today:%Y-%m}&q=探针",
                   role in LIST_VIEWERS, must_show=("检举探针乙",) if role in DISCIPLINE else ())]


def spec_add(ctx, role):
    m = _m()
    url = reverse("supervision:petition_add")
    data = {"channel": "hotline", "received_at": "2026-01-05T09:00", "kind": "suggestion", "subject": "新诉求",
            "content": "内容", "anonymous": "on", "give_code": "on"}
    return [m.Case("petition form", "GET", url, role in ENTRY),
            m.Case("petition add", "POST", url, role in ENTRY, data=data)]


def spec_detail(ctx, role):
    return _per_probe(ctx, role, "supervision:petition", lambda p: reverse("supervision:petition", args=[p.pk]),
                      VIEWERS | DISCIPLINE)


def spec_attachment(ctx, role):
    def url(p):
        first = p.attachments.first()
        return reverse("supervision:petition_attachment", args=[p.pk, first.pk])

    return _per_probe(ctx, role, "supervision:petition_attachment", url, VIEWERS | DISCIPLINE)


def _post(route, data_for):
    def spec(ctx, role):
        p = probes(ctx)
        data = data_for(ctx, p)
        return _per_probe(ctx, role, route, lambda x: reverse(route, args=[x.pk]), CHANGERS, method="POST",
                          data=data)
    return spec


def _accept_data(ctx, p):
    # The 纪检组长 as owner and leader: the 党组书记 works in 办公室, which the accusation names (回避).
    return {"category": p["category"].pk, "owner": ctx.users["jijian"].person.pk,
            "responsible_leader": ctx.users["jijian"].person.pk}


def spec_categories(ctx, role):
    m = _m()
    url = reverse("supervision:petition_categories")
    return [m.Case("categories", "GET", url, role in ENTRY),
            m.Case("category add", "POST", url, role in ENTRY, data={"name": "新分类探针", "order": 3})]


def spec_category(ctx, role):
    m = _m()
    category = probes(ctx)["category"]
    url = reverse("supervision:petition_category", args=[category.pk])
    data = {"name": "改名分类", "keywords": "词", "order": 1, "active": "on", "loaded_version": category.version}
    return [m.Case("category form", "GET", url, role in CHANGERS),
            m.Case("category edit", "POST", url, role in CHANGERS, data=data)] + m._bogus(
        "supervision:petition_category", lambda x: reverse("supervision:petition_category", args=[x]), ("GET", "POST"))


def spec_api_list(ctx, role):
    m = _m()
    probes(ctx)
    shows = (("诉求探针甲",) if role in VIEWERS else ()) + (("检举探针乙",) if role in DISCIPLINE else ())
    return [m.Case("api petitions", "GET", "/api/v1/supervision/petitions/?kind=accusation" if role in DISCIPLINE
                   else "/api/v1/supervision/petitions/", role != m.ANON,
                   must_show=("检举探针乙",) if role in DISCIPLINE else shows)]


def spec_api_detail(ctx, role):
    return _per_probe(ctx, role, "api petition", lambda p: f"/api/v1/supervision/petitions/{p.pk}",
                      VIEWERS | DISCIPLINE)


SPECS = {
    "supervision:petitions": spec_list, "supervision:petition_add": spec_add, "supervision:petition": spec_detail,
    "supervision:petition_attachment": spec_attachment,
    "supervision:petition_classify": _post("supervision:petition_classify", lambda ctx, p: {
        "category": p["category"].pk}),
    "supervision:petition_accept": _post("supervision:petition_accept", _accept_data),
    "supervision:petition_decline": _post("supervision:petition_decline", lambda ctx, p: {
        "decline_reason": "不属于本单位职责"}),
    "supervision:petition_categories": spec_categories, "supervision:petition_category": spec_category,
    "api:supervision_petitions": spec_api_list, "api:supervision_petition": spec_api_detail,
}
API_METHODS = {"supervision_petitions": {"GET"}, "supervision_petition": {"GET"}}
