"""逐项答复 in the browser at phone width: a merged group's reply drafted and sent by the 党务管理员, approved by the
responsible leader from their notification's page, published, and its delivery by phone recorded."""

import datetime as dt

import pytest
from django.utils import timezone

from .conftest import shot

pytestmark = pytest.mark.e2e
PHONE = {"width": 375, "height": 800}


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_merged_group_is_answered_and_told_at_phone_width(pages):
    from dangjian.accounts.models import User
    from dangjian.supervision import petitions, replies
    from dangjian.supervision.petition_demo import accept
    from dangjian.supervision.petition_models import Channel, Petition, ReplyDelivery

    dangwu, shuji = User.objects.get(username="dangwu"), User.objects.get(username="shuji")
    org = dangwu.person.org.get_root()

    def receive(channel, **fields):
        return petitions.do_receive_petition(Petition(
            org=org, channel=channel, received_at=timezone.now(), subject="浏览器测试：桥下涵洞积水",
            content="暴雨后涵洞积水，车辆无法通行。", **fields), actor=None if channel == Channel.PORTAL else dangwu)[0]

    original = receive(Channel.PORTAL)
    call = receive(Channel.HOTLINE, anonymous=False, contact_name="彭先生", contact_phone="13900000000")
    accept(original, actor=dangwu, owner=User.objects.get(username="kezhang").person, leader=shuji.person,
           on=timezone.localdate() - dt.timedelta(days=1))
    replies.do_merge(call, original, actor=dangwu)

    page = pages.login("dangwu", **PHONE)
    page.goto(replies.handling_url(call.pk))  # from the repeat: the panel works on its group
    page.fill("#id_text", "已组织疏通涵洞排水管道，积水已排除。")
    page.click("button:text('保存答复稿')")
    page.click("button:text('提交责任领导审核')")
    assert "已提交责任领导审核" in page.locator(".messages").inner_text()

    page = pages.login("shuji", **PHONE)
    page.goto(replies.handling_url(original.pk))
    page.select_option("#id_decision", "approve")
    page.click("button:text('提交审核意见')")
    assert "已同意答复" in page.locator(".messages").inner_text()

    page = pages.login("dangwu", **PHONE)
    page.goto(replies.handling_url(original.pk))
    page.click("button:text('发布答复（送达每个来源）')")
    assert "1 件凭查询码在平台送达，1 件待登记送达" in page.locator(".messages").inner_text()
    page.click("summary:has-text('登记送达')")
    page.fill(f"#deliver{call.pk}_note", "电话告知，本人接听")
    page.click("button:text('保存送达记录')")
    assert "已登记送达" in page.locator(".messages").inner_text()
    assert fits(page)
    shot(page, "petition-handling-phone")
    assert set(ReplyDelivery.objects.values_list("petition_id", "method")) == {(original.pk, "portal"),
                                                                              (call.pk, "phone")}
