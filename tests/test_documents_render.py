"""Every kind of document the system writes, rendered by LibreOffice (issue 11 items 26–29).

All files go through ONE `soffice --headless --convert-to pdf` run; the PDFs are then read with pypdf:
page count and size, the text that must survive, the fonts LibreOffice chose (a serif body, through
the font substitutions in src/dangjian/data/fontconfig/) and the page numbers at the outside corners.
Skipped, with the reason, only where LibreOffice is not installed (.ci/run installs it).
"""

import datetime as dt
import io
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from pypdf import PdfReader

from dangjian.core.documents import FONT_FALLBACKS, FONTCONFIG_DIR, OfficialDocument, write_xlsx
from dangjian.core.figures import Period

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) not installed: apt-get install "
                                "libreoffice-writer-nogui libreoffice-calc-nogui")
A4_PORTRAIT = (595, 842)  # points, rounded


def _documents() -> dict[str, bytes]:
    from dangjian.duties import letters
    from dangjian.duties.models import ResponsibilityLetter
    from dangjian.matters import ledger
    from dangjian.matters.models import Matter
    from dangjian.matters.supervision import SupervisionSheet, build_summary
    from dangjian.meetings.exports import LEDGER_HEADERS, ledger_rows, minutes_document
    from dangjian.meetings.models import Meeting, MeetingAttachment, Topic
    from dangjian.orgs import roster
    from dangjian.orgs.models import Org, Person
    from dangjian.reports import summary
    from dangjian.reports.models import AnnualReport
    from dangjian.reports.report_docx import report_document

    today = dt.date.today()
    letter = next(x for x in ResponsibilityLetter.objects.order_by("pk") if x.tasks.exists())
    party_group = Meeting.objects.filter(topics__opinions__isnull=False, org__name__endswith="党组").first()
    agenda = MeetingAttachment.objects.filter(name__endswith=".docx").first()
    matters = Matter.objects.select_related("org", "owner", "responsible_leader").order_by("pk")
    return {
        "letter.docx": letters.letter_document(letter).to_bytes(),
        "minutes.docx": minutes_document(party_group).to_bytes(),
        "summary.docx": bytes(build_summary(SupervisionSheet.Period.MONTH, today).document),
        "report.docx": summary.document(summary.build(Person.objects.get(user__username="shuji").user,
                                                      Org.get_root_nodes().get(), Period.year(today.year))).to_bytes(),
        "agenda.docx": agenda.file.read(),
        "annual.docx": report_document(AnnualReport.objects.get(org__code="SXX", year=today.year)).to_bytes(),
        "roster.xlsx": write_xlsx("花名册", roster.COLUMNS, roster.export_rows(Person.objects.order_by("pk"))),
        "matters.xlsx": write_xlsx("事项清单", ledger.LIST_COLUMNS, ledger.list_rows(matters, today)),
        "ledger.xlsx": ledger.ledger_xlsx(Person.objects.get(user__username="kezhang"),
                                          matters.prefetch_related("measures", "progress")),
        "decisions.xlsx": write_xlsx("三重一大台账", LEDGER_HEADERS, ledger_rows(
            Topic.objects.select_related("meeting__org", "meeting__kind").order_by("pk"))),
    }, {"letter": letter, "meeting": party_group}


def _render(tmp_path: Path, files: dict[str, bytes]) -> dict[str, PdfReader]:
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
    fonts = tmp_path / "fonts.conf"  # the system's fontconfig plus ours, as docs/deploy.md installs it
    fonts.write_text('<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd"><fontconfig>'
                     f"<include>/etc/fonts/fonts.conf</include><include>{FONTCONFIG_DIR}</include></fontconfig>")
    env = {**os.environ, "FONTCONFIG_FILE": str(fonts)}
    # A profile of the test data directory's own (one per test worker): another soffice running on the
    # machine would otherwise hold the lock, and a kept profile spares LibreOffice its first start.
    profile = Path(settings.DATA_DIR) / "libreoffice-profile"
    subprocess.run([SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path / "pdf"), *(str(tmp_path / n) for n in files)],
                   check=True, env=env, capture_output=True, timeout=120)
    return {name: PdfReader(tmp_path / "pdf" / (Path(name).stem + ".pdf")) for name in files}


def _fonts(pdf: PdfReader) -> set[str]:
    names = set()
    for page in pdf.pages:
        for font in page["/Resources"].get("/Font", {}).values():
            names.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
    return names


def _page_number_x(page) -> dict[str, float]:
    """Where each “— n —” starts on the page (points from the left edge)."""
    found = {}

    def visit(text, cm, tm, font, size):
        if re.fullmatch(r"—\s*\d+\s*—", text.strip()) or text.strip() == "—":
            found.setdefault(text.strip(), tm[4] * cm[0] + cm[4])

    page.extract_text(visitor_text=visit)
    return found


def test_every_document_renders_in_libreoffice_with_the_official_layout(demo, tmp_path):
    files, records = _documents()
    pdfs = _render(tmp_path, files)
    pages = {name: [page.extract_text() for page in pdf.pages] for name, pdf in pdfs.items()}
    # pypdf puts a space between Chinese and Latin or digits: compare without them
    text = {name: "\n".join(texts).replace(" ", "") for name, texts in pages.items()}

    for name in ("letter.docx", "minutes.docx", "summary.docx", "report.docx", "agenda.docx", "annual.docx"):
        pdf = pdfs[name]
        assert tuple(round(float(x)) for x in pdf.pages[0].mediabox[2:]) == A4_PORTRAIT, name
        fonts = _fonts(pdf)
        # 29: the body (仿宋_GB2312) and title (方正小标宋简体) in a serif, not the sans fallback
        assert any(f.startswith("NotoSerifCJK") for f in fonts), (name, fonts)
        assert not any(f.startswith("DejaVuSans") for f in fonts), (name, fonts)
        # 27: “— 1 —” on every page
        for number, page_text in enumerate(pages[name], start=1):
            assert f"— {number} —" in page_text, (name, number)

    # 27: at the right on odd pages and at the left on even ones
    multi = next(n for n in ("letter.docx", "summary.docx", "minutes.docx") if len(pdfs[n].pages) >= 2)
    width = float(pdfs[multi].pages[0].mediabox[2])
    odd, even = (min(_page_number_x(pdfs[multi].pages[i]).values()) for i in (0, 1))
    assert odd > width / 2 > even, (multi, odd, even)

    letter, meeting = records["letter"], records["meeting"]
    assert f"{letter.year}年度党建工作责任状" in text["letter.docx"]
    assert all(t.title[:8] in text["letter.docx"].replace("\n", "") for t in letter.tasks.all())
    # 28: the signing date stays on one line, twice (甲方, 乙方): no line holding a lone 日
    assert text["letter.docx"].count("日期：\u3000\u3000年\u3000\u3000月\u3000\u3000日") == 2
    assert not [line for line in text["letter.docx"].splitlines() if line.strip() == "日"]
    # 28: the minutes title names the 党组 once
    assert "党组党组" not in text["minutes.docx"] and "中共市XX党组会议" in text["minutes.docx"]
    assert meeting.topics.first().title[:8] in text["minutes.docx"].replace("\n", "")
    assert "事项督办月度总结" in text["summary.docx"]
    assert "党建工作统计小结" in text["report.docx"] and "新登记事项" in text["report.docx"]
    # the annual report: title block, the three parts, the appendix; no reference left unfilled
    for words in ("坚持从严治党", "党组织书记抓基层党建工作情况汇报", "一、主要作法", "二、存在问题", "三、下步建议", "附表"):
        assert words in text["annual.docx"], words
    assert "{{" not in text["annual.docx"]
    # 26: dates in docx tables on one line: “2026年11月3日” never split before its 日
    for name in ("letter.docx", "summary.docx", "report.docx"):
        assert not re.search(r"\d+年\d+月\d*\n", text[name]), name

    # 26: the 花名册 prints one page wide, landscape, every column on the first page
    roster = pdfs["roster.xlsx"]
    width, height = (float(x) for x in roster.pages[0].mediabox[2:])
    assert width > height
    first = pages["roster.xlsx"][0]
    assert "姓名" in first and "转正日期" in first
    for name in ("matters.xlsx", "ledger.xlsx", "decisions.xlsx"):
        assert text[name].strip(), name


def test_xlsx_sheets_get_widths_by_content_a_frozen_repeated_header_and_a_print_layout():
    from openpyxl import load_workbook

    narrow = load_workbook(io.BytesIO(write_xlsx("台账", ["序号", "事项", "完成时限"],
                                                 [[1, "调研不够深入具体" * 2, dt.date(2026, 12, 31)]],
                                                 notes=["说明"]))).worksheets
    ws = narrow[0]
    widths = [ws.column_dimensions[c].width for c in "ABC"]
    assert widths == [6, 34, 12]  # 序号 narrow, 事项 by its text (2 per Chinese character), a date whole
    assert ws.freeze_panes == "A2" and ws.print_title_rows == "$1:$1"
    assert ws.page_setup.orientation != "landscape" and ws.page_setup.fitToWidth == 1
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToHeight == 0
    assert narrow[1].column_dimensions["A"].width == 6  # the notes sheet too
    wide = load_workbook(io.BytesIO(write_xlsx("花名册", [f"第{i}列较长的表头" for i in range(12)], []))).worksheets[0]
    assert wide.page_setup.orientation == "landscape"


def test_each_official_font_declares_its_stand_ins_in_the_docx_and_in_the_fontconfig_file():
    import xml.etree.ElementTree as ET
    import zipfile

    with zipfile.ZipFile(io.BytesIO(OfficialDocument("标题").to_bytes())) as docx:
        table = ET.fromstring(docx.read("word/fontTable.xml"))
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    alt = {f.get(f"{w}name"): f.find(f"{w}altName").get(f"{w}val") for f in table if f.find(f"{w}altName") is not None}
    aliases = {a.findtext("family"): [f.text for f in a.find("accept")]
               for conf in FONTCONFIG_DIR.glob("*.conf") for a in ET.parse(conf).getroot().iter("alias")}
    for name, (stand_ins, _family, _panose) in FONT_FALLBACKS.items():
        assert alt[name] == stand_ins[0]
        assert stand_ins[-1] in aliases[name], (name, aliases.get(name))  # the font every Linux can install
