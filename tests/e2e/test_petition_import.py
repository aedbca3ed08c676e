"""历史诉求导入 in the browser at phone width: upload, the header and preview, the columns guessed from the
header, confirm, and the row-by-row report of a bad row (nothing written)."""

import pytest

from dangjian.supervision.petition_models import Petition
from tests.supervision.test_petition_import import ROWS, xlsx

from .conftest import shot
from .test_pages import fits_phone

pytestmark = pytest.mark.e2e


def test_the_import_page_maps_and_reports_at_phone_width(pages, tmp_path):
    path = tmp_path / "历史诉求.xlsx"
    path.write_bytes(xlsx([*ROWS, ["H-009", "不是时间", "飞鸽传书", "标题", "内容", "投诉", ""]]).getvalue())
    page = pages.login("dangwu", width=375, height=812)
    page.goto("/supervision/petitions/import/")
    page.set_input_files("input[name=file]", str(path))
    page.click("button:has-text('上传并选择对应列')")
    page.wait_for_selector("#import-preview")
    assert page.input_value("select[name=col_subject]") == "3"  # 诉求标题, guessed from the header
    assert page.input_value("select[name=col_received_at]") == "1"
    assert fits_phone(page)
    shot(page, "petition-import-mapping-375")
    page.click("button:has-text('确认导入')")
    page.wait_for_selector("#import-report")
    report = page.inner_text("#import-report")
    assert "第 5 行" in report and "“不是时间”不是有效时间" in report and "“飞鸽传书”不是已有渠道" in report
    assert fits_phone(page)
    shot(page, "petition-import-report-375")
    assert not Petition.objects.filter(imported=True).exists()
