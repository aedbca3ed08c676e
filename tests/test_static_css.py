"""The CSS lint (tests/css_lint.py) over every style sheet of ours, and what it catches."""

from tests import css_lint


def test_every_style_sheet_of_ours_parses_with_balanced_blocks():
    sheets = css_lint.our_style_sheets()
    assert sheets, "no style sheet found under src/"
    assert {str(p): css_lint.lint(p.read_text(encoding="utf-8")) for p in sheets} == {str(p): [] for p in sheets}


def test_the_lint_reports_an_unclosed_media_block_and_broken_rules():
    # The defect of issue 11 item 19: a phone block left open swallowed every desktop rule after it.
    css = ".a { color: red; }\n@media (max-width: 720px) {\n  .b { color: blue; }\n.due-overdue { color: #c62828; }\n"
    assert css_lint.lint(css) == ["第2行第27列开始的块没有闭合（缺少 }）"]
    assert css_lint.lint(".a { color: red; }\n@media print { .b { x: 1; }\n") == ["第2行第14列开始的块没有闭合（缺少 }）"]
    assert "第1行第20列：Unmatched }" in css_lint.lint(".a { color: red; } }\n")
    assert css_lint.lint(".a { color: red; }\n@media (max-width: 720px) { .b { color: blue; } }\n") == []
