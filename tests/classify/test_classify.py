"""分类建议: learned from the agency's classified petitions by the retraining job (run for real), the keywords
without history, the threshold, the suggest API and the command."""

import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from dangjian.core import jobs, rule_settings
from dangjian.core.models import AuditEvent, JobRun
from dangjian.supervision import classify, petitions
from dangjian.supervision.classify_models import CategoryModel
from dangjian.supervision.petition_models import (
    CategorySource,
    Channel,
    Petition,
    PetitionCategory,
    PetitionKind,
)
from tests.conftest import signed_in

# Three categories, each with a few ways residents put it (the model must learn the words, not the sentences).
HISTORY = {
    "城市管理": ["{p}路灯不亮了好几天", "{p}占道经营摊贩太多", "{p}井盖丢失很危险", "{p}街面垃圾没人扫",
             "{p}违章搭建铁皮房"],
    "教育": ["{p}学校乱收资料费", "{p}老师有偿补课", "{p}食堂饭菜质量差", "{p}作业负担太重", "{p}校车超载"],
    "医疗卫生": ["{p}医院挂号排队太久", "{p}医生态度恶劣", "{p}医院过度检查乱收费", "{p}药房常用药缺货",
             "{p}医院病房卫生差"],
}
PLACES = ["城东", "城西", "开发区", "老城区"]


def _petition(org, subject, content=None, **fields):
    values = {"org": org, "kind": PetitionKind.COMPLAINT, "channel": Channel.HOTLINE, "received_at": timezone.now(),
              "subject": subject, "content": content or f"{subject}，请有关部门尽快处理。"}
    return Petition(**{**values, **fields})


def _history(org, categories):
    """60 classified petitions (confirmed by staff), written as the import would."""
    rows = []
    for name, texts in HISTORY.items():
        for text in texts:
            for place in PLACES:
                rows.append(_petition(org, text.format(p=place), category=categories[name], org_path=org.path,
                                      category_source=CategorySource.CONFIRMED, imported=True))
    Petition.objects.bulk_create(rows)


@pytest.fixture
def agency(demo):
    org = demo["orgs"]["SXX"]
    PetitionCategory.objects.filter(org=org).delete()  # the demo's own categories (and keywords): this test's are its own
    categories = {name: PetitionCategory.objects.create(org=org, name=name, order=n)
                  for n, name in enumerate([*HISTORY, "住房物业"])}
    return org, categories


def test_retraining_job_learns_the_history_and_follows_corrections(agency):
    org, categories = agency
    _history(org, categories)
    # Two petitions are too few to learn (or calibrate) a category: 住房物业 is left out of the model.
    for subject in ("电梯坏了", "物业费涨了"):
        _petition(org, subject, category=categories["住房物业"], category_source=CategorySource.CORRECTED).save()
    assert jobs.run_tracked(classify.RETRAIN_JOB, "2026-11-30") == f"SXX:{len(PLACES) * 15}"
    model = CategoryModel.objects.get(org=org)
    assert model.rows == 60 and model.version == 1 and model.size == len(bytes(model.model)) > 0
    assert sorted(name for _, name in model.categories) == sorted(HISTORY)
    assert JobRun.objects.get(job=classify.RETRAIN_JOB).state == JobRun.State.DONE
    assert AuditEvent.objects.filter(action="supervision.category_retrain", target_id=str(model.pk)).count() == 1

    # A new petition (words seen, sentence not) gets the learned category, with the model's confidence.
    petition, _ = petitions.do_receive_petition(_petition(org, "南郊医院医生态度很差", "看病时医生态度恶劣，排队也太久。"))
    stored = Petition.objects.get(pk=petition.pk)
    assert stored.category == categories["医疗卫生"] and stored.category_source == CategorySource.SUGGESTED
    assert classify.threshold() <= stored.category_confidence <= 1
    best = classify.suggest(org.pk, stored.subject, stored.content)
    assert best[0].name == "医疗卫生" and best[0].confidence == stored.category_confidence
    assert [s.confidence for s in best] == sorted((s.confidence for s in best), reverse=True)
    # Suggested rows do not train the model: a second run with nothing new keeps it.
    assert classify.train(org).version == 1

    # Staff correct every 医院 petition to 住房物业 (say the agency files hospitals' buildings there): the next
    # training learns that.
    Petition.objects.filter(category=categories["医疗卫生"], category_source=CategorySource.CONFIRMED).update(
        category=categories["住房物业"], category_source=CategorySource.CORRECTED, updated_at=timezone.now())
    jobs.run_tracked(classify.RETRAIN_JOB, "2026-12-01")
    model.refresh_from_db()
    assert model.version == 2 and "住房物业" in {name for _, name in model.categories}
    assert classify.suggest(org.pk, "南郊医院医生态度很差", "看病时医生态度恶劣，排队也太久。")[0].name == "住房物业"

    # A category deactivated since the training is never suggested; too little history left drops the model.
    categories["住房物业"].active = False
    categories["住房物业"].save()
    assert "住房物业" not in {s.name for s in classify.suggest(org.pk, "南郊医院医生态度很差", "医生态度恶劣")}
    Petition.objects.exclude(category=categories["教育"]).update(category_source=CategorySource.SUGGESTED)
    assert classify.train(org) is None and not CategoryModel.objects.exists()
    assert AuditEvent.objects.filter(action="supervision.category_model_drop").count() == 1


def test_keywords_suggest_without_history_and_the_threshold_decides(agency, demo):
    org, categories = agency
    categories["城市管理"].keywords = "路灯\n井盖，占道"
    categories["城市管理"].save()
    categories["教育"].keywords = "学校\n补课"
    categories["教育"].save()
    # Two keywords of one category (one in the subject, counted twice): certainty 1 − 0.5³.
    found = classify.suggest(org.pk, "路灯坏了", "小区门口井盖也丢了")
    assert [(s.name, s.confidence) for s in found] == [("城市管理", 0.875)]
    petition, _ = petitions.do_receive_petition(_petition(org, "路灯坏了", "小区门口井盖也丢了"))
    assert (petition.category, petition.category_source, petition.category_confidence) == (
        categories["城市管理"], CategorySource.SUGGESTED, 0.875)
    # One keyword in the content only: 0.5, below the default threshold (0.6): triage, nothing pre-filled.
    low, _ = petitions.do_receive_petition(_petition(org, "反映问题", "孩子学校门口很乱"))
    low.refresh_from_db()
    assert low.category is None and low.category_source == "" and low.category_confidence is None
    # Keywords of two categories: each share of the hits.
    mixed = classify.suggest(org.pk, "路灯", "学校门口路灯不亮")
    assert [(s.name, s.confidence) for s in mixed] == [("城市管理", 0.5), ("教育", 0.167)]
    # The threshold is a rule: lowered to 0.5, the same text gets its category.
    rule_settings.set_rule(classify.THRESHOLD_KEY, "0.5", actor=demo["users"]["dangwu"], reason="试行")
    again, _ = petitions.do_receive_petition(_petition(org, "反映问题", "孩子学校门口很乱"))
    assert again.category == categories["教育"] and again.category_confidence == 0.5
    # An imported petition keeps the category it came with.
    imported, _ = petitions.do_receive_petition(_petition(org, "路灯坏了", "井盖", category=categories["教育"],
                                                          category_source=CategorySource.IMPORTED))
    assert imported.category == categories["教育"] and imported.category_source == CategorySource.IMPORTED


def test_suggest_api_validates_and_keeps_to_petition_readers(agency, demo, django_assert_max_num_queries):
    org, categories = agency
    categories["城市管理"].keywords = "路灯\n井盖"
    categories["城市管理"].save()
    url = "/api/v1/supervision/petitions/suggest"

    def post(user, body):
        return signed_in(user).post(url, json.dumps(body), content_type="application/json")

    reader = signed_in(demo["users"]["dangwu"])
    reader.post(url, json.dumps({"subject": "暖机"}), content_type="application/json")
    with django_assert_max_num_queries(9):  # the session and user, the model's version, one duplicate lookup…
        response = reader.post(url, json.dumps({"subject": "路灯坏了", "content": "井盖丢了"}),
                               content_type="application/json")
    assert response.status_code == 200
    assert response.json() == {"categories": [{"name": "城市管理", "confidence": 0.875}], "duplicates": []}
    for user in ("shuji", "banzi", "jijian"):
        assert post(demo["users"][user], {"subject": "路灯"}).status_code == 200
    for user in ("dangyuan", "kezhang", "zhibu", "admin"):  # no petition.view anywhere
        assert post(demo["users"][user], {"subject": "路灯"}).status_code == 403
    assert signed_in(None).post(url, "{}", content_type="application/json").status_code == 401

    bad = {"subject": " ", "content": ""}, {"subject": "字" * 201}, {"content": "字" * 5001}, {"subject": 1, "x": 2}
    answers = [post(demo["users"]["dangwu"], body) for body in bad]
    assert [a.status_code for a in answers] == [422] * 4
    assert answers[0].json()["errors"]["subject"] == ["标题：标题和内容不能都为空"]
    assert "最多 200 字" in answers[1].json()["errors"]["subject"][0]
    assert "最多 5000 字" in answers[2].json()["errors"]["content"][0]


def test_retrain_command_and_request(agency, capsys, frozen_today, django_capture_on_commit_callbacks):
    org, categories = agency
    with pytest.raises(CommandError, match="--org：组织编码“NOPE”不存在"):
        call_command("petitions", "retrain", "--org", "NOPE")
    call_command("petitions", "retrain")
    assert "按关键词建议分类" in capsys.readouterr().out
    _history(org, categories)
    call_command("petitions", "retrain", "--org", "SXX")
    assert "模型第 1 版，训练样本 60 条，3 个分类" in capsys.readouterr().out
    call_command("petitions", "retrain", "--force")
    assert CategoryModel.objects.get(org=org).version == 2
    # After an import: the retraining queued as a tracked job once the import's transaction commits.
    Petition.objects.filter(category=categories["教育"]).update(category=categories["住房物业"])
    with django_capture_on_commit_callbacks(execute=True):
        classify.request_retrain(org)
    assert CategoryModel.objects.get(org=org).version == 3
    assert JobRun.objects.get(job=classify.RETRAIN_JOB, args=["2026-11-30", org.pk]).state == JobRun.State.DONE
