"""重复件识别: the database's text index finds the candidates, the re-scoring keeps another place's copy below the
merge threshold, and only what the user may see, within the window, is suggested."""

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from dangjian.core import rule_settings
from dangjian.supervision import duplicates, petitions
from dangjian.supervision.petition_models import Channel, Petition, PetitionKind, PetitionStatus

ORIGINAL = ("幸福小区3号楼旁路灯不亮", "我是幸福小区的居民，建设路靠近幸福小区3号楼一段的路灯一个多月一直不亮，晚上出行很不安全，"
            "老人摔倒过好几次，请有关部门尽快派人维修。")
# the same template, written for another compound (a neighbour copying the text): not a duplicate
OTHER_COMPOUND = ("阳光小区3号楼旁路灯不亮", "我是阳光小区的居民，建设路靠近阳光小区3号楼一段的路灯一个多月一直不亮，晚上出行很不安全，"
                  "老人摔倒过好几次，请有关部门尽快派人维修。")
UNRELATED = ("医保报销太慢", "本人在人民医院住院，出院后医保报销三个月未到账，请医保部门督促。")
REPOST = ("再次反映：幸福小区3号楼旁路灯不亮", "我是幸福小区的居民,建设路靠近幸福小区3号楼一段的路灯一个多月始终不亮,"
          "老人摔倒过好几次,请有关部门尽快派人维修。盼复。")
PHONE_CALL = ("来电反映幸福小区附近路灯不亮", "市民来电反映：幸福小区3号楼旁边的建设路，路灯一个多月不亮，晚上黑漆漆的，要求尽快维修。")


def _receive(demo, text, org="SXX", channel=Channel.PORTAL, **fields):
    petition = Petition(org=demo["orgs"][org], kind=PetitionKind.COMPLAINT, channel=channel,
                        received_at=timezone.now(), subject=text[0], content=text[1], **fields)
    return petitions.do_receive_petition(petition)[0]


def test_repost_and_phone_call_found_with_reason_and_other_compound_kept_below_threshold(demo, frozen_today):
    original = _receive(demo, ORIGINAL)
    copy = _receive(demo, OTHER_COMPOUND)
    _receive(demo, UNRELATED)
    threshold = rule_settings.get("supervision.duplicate_threshold")

    hits = duplicates.find_duplicates(demo["orgs"]["SXX"], *REPOST)
    assert hits[0].petition_id == original.pk and hits[0].score >= threshold
    assert "“幸福小区”" in hits[0].reason and hits[0].reason.startswith("共同内容：")
    by_id = {h.petition_id: h for h in hits}
    # the copy about 阳光小区 may be listed (it is the same text), never at or above the merge threshold
    assert copy.pk not in by_id or by_id[copy.pk].score < threshold
    if copy.pk in by_id:
        assert "地点或单位不同" in by_id[copy.pk].reason

    call = duplicates.find_duplicates(demo["orgs"]["SXX"], *PHONE_CALL)
    assert call[0].petition_id == original.pk and call[0].score >= threshold
    # a text naming no place is looked up by its longest runs of words: its repost is found
    nameless = _receive(demo, ("建议延长图书馆开放时间", "图书馆周末下午五点就闭馆，上班族根本没时间借书，建议周末延长到晚上九点。"))
    again = duplicates.find_duplicates(demo["orgs"]["SXX"], "图书馆开放时间太短",
                                       "再次建议：图书馆周末下午五点就闭馆,上班族根本没时间借书")
    assert again[0].petition_id == nameless.pk and again[0].score >= threshold
    # a petition is never its own duplicate
    assert original.pk not in [h.petition_id for h in duplicates.find_duplicates(
        demo["orgs"]["SXX"], *ORIGINAL, exclude_pk=original.pk)]
    # the same pair scored directly: the template copy is far below the repeat, and the scores are 0..1
    repeat = duplicates.score(duplicates.Text(*REPOST), duplicates.Text(*ORIGINAL))
    template = duplicates.score(duplicates.Text(*OTHER_COMPOUND), duplicates.Text(*ORIGINAL))
    assert 0 <= template.score < threshold <= repeat.score <= 1
    assert template.names_conflicting and ("阳光小区", "幸福小区") in template.names_conflicting


def test_only_what_the_user_sees_in_the_agency_subtree_within_the_window(demo, frozen_today):
    in_office = _receive(demo, ORIGINAL, org="SXX-BGS")
    in_branch = _receive(demo, PHONE_CALL, org="SXX-ZB2", channel=Channel.HOTLINE)
    root = demo["orgs"]["SXX"]
    ids = lambda user=None, org=root: {h.petition_id for h in duplicates.find_duplicates(  # noqa: E731
        org, *REPOST, user=user)}

    assert {in_office.pk, in_branch.pk} <= ids()
    assert {in_office.pk, in_branch.pk} <= ids(demo["users"]["dangwu"])
    # 班子成员 over 办公室/人事科/党建办: the branch's petition is not suggested to them
    assert in_office.pk in ids(demo["users"]["banzi"]) and in_branch.pk not in ids(demo["users"]["banzi"])
    assert ids(demo["users"]["dangyuan"]) == set()
    # another agency's subtree (the office) does not reach the branch
    assert ids(org=demo["orgs"]["SXX-BGS"]) == {in_office.pk}

    # 不予受理 long ago: outside the window; recently: inside
    window = rule_settings.get("supervision.duplicate_window_days")
    long_ago = timezone.now() - dt.timedelta(days=window + 10)
    Petition.objects.filter(pk=in_branch.pk).update(status=PetitionStatus.DECLINED, received_at=long_ago,
                                                     updated_at=long_ago)
    assert in_branch.pk not in ids()
    Petition.objects.filter(pk=in_branch.pk).update(updated_at=timezone.now() - dt.timedelta(days=window - 1))
    assert in_branch.pk in ids()
    # handled as a matter: open while the matter is, then in the window while its 销号 is recent
    from dangjian.matters.models import Matter

    matter = Matter.objects.filter(status="closed").first()
    Petition.objects.filter(pk=in_branch.pk).update(status=PetitionStatus.ACCEPTED, matter=matter)
    Matter.objects.filter(pk=matter.pk).update(closed_on=timezone.localdate() - dt.timedelta(days=window + 1))
    assert in_branch.pk not in ids()
    Matter.objects.filter(pk=matter.pk).update(closed_on=timezone.localdate() - dt.timedelta(days=window - 1))
    assert in_branch.pk in ids()
    # a repeat merged into its original stands for the original
    Petition.objects.filter(pk=in_branch.pk).update(status=PetitionStatus.MERGED, duplicate_of=in_office)
    assert ids() >= {in_office.pk} and in_branch.pk not in ids()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's FTS5 table and its triggers")
def test_sqlite_fts_table_follows_the_rows(demo):
    petition = _receive(demo, ORIGINAL)

    def indexed(phrase):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT rowid FROM {duplicates.FTS_TABLE} WHERE {duplicates.FTS_TABLE} MATCH %s",
                           [f'"{phrase}"'])
            return [row[0] for row in cursor.fetchall()]

    assert petition.pk in indexed("幸福小区")
    Petition.objects.filter(pk=petition.pk).update(subject="和平花园积水", content="和平花园门前积水严重")
    assert petition.pk not in indexed("幸福小区") and petition.pk in indexed("和平花园")
    Petition.objects.filter(pk=petition.pk).delete()
    assert indexed("和平花园") == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's pg_trgm index")
def test_postgres_candidates_come_from_the_trigram_index(demo, frozen_today):
    original = _receive(demo, ORIGINAL)
    text = duplicates.Text(*REPOST)
    cutoff = timezone.now() - dt.timedelta(days=90)
    assert original.pk in duplicates.candidate_ids(demo["orgs"]["SXX"].path, *REPOST, text, cutoff=cutoff,
                                                   exclude_pk=None)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN SELECT id FROM supervision_petition WHERE (subject || ' ' || content) %% %s",
                       ["幸福小区路灯不亮"])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "petition_text_trgm" in plan


def test_names_of_places_and_organisations():
    def names(text):
        return [(n.kind, n.text) for n in duplicates.extract_names(duplicates.normalize(text))]

    assert names("来电人反映：其在红星大道的东风餐饮公司工地务工，人民医院门口、K12路公交车站") == [
        ("road", "红星大道"), ("company", "东风餐饮公司"), ("hospital", "人民医院"), ("road", "k12路")]
    # common words ending like a name are not names: 路灯、道路、马路、街道办、村民、村委会、厂家
    assert names("路灯不亮，道路积水，马路上，街道办，村民和村委会，厂家说") == []
    # a name right after another is its own (…门口梧桐路), a name doubled in its suffix is one (幸福家园小区)
    assert names("绿洲小区门口梧桐路站") == [("compound", "绿洲小区"), ("road", "梧桐路")]
    same = duplicates.extract_names("幸福家园小区")[0].same_as(duplicates.extract_names("我是幸福小区的")[0])
    other = duplicates.extract_names("阳光小区")[0].same_as(duplicates.extract_names("阳光花园")[0])
    assert same and not other
