"""CSS lint of our static style sheets (`make lint`, `make test`, and tests/test_static_css.py).

A browser silently accepts a block that is never closed: everything after an unclosed
`@media (max-width: 720px) {` then applies only on phones. tinycss2 tokenizes as a browser does, so
the check reports what a browser would drop or swallow: unclosed blocks, unmatched brackets,
and declarations or rules it cannot parse.

Run: python -m tests.css_lint [files…]  (default: every .css under src/)
"""

from __future__ import annotations

import sys
from pathlib import Path

import tinycss2

ROOT = Path(__file__).resolve().parent.parent
CLOSING = {"{} block": "}", "[] block": "]", "() block": ")"}


def _unclosed(css: str, tokens) -> list[str]:
    """A block is left open only at the end of the file, so the open ones are the outermost of the
    chain of last tokens; the serializer closes each of them, which shows how many there are."""
    serialized = tinycss2.serialize(tokens)
    problems = []
    chain, level = [], tokens
    while True:
        last = next((t for t in reversed(level) if t.type not in ("whitespace", "comment")), None)
        if last is None or last.type not in CLOSING:
            break
        chain.append(last)
        level = last.content
    for kind, char in {(b.type, CLOSING[b.type]) for b in chain}:
        missing = serialized.count(char) - css.count(char)
        opened = [b for b in chain if b.type == kind]
        for block in opened[:max(missing, 0)]:
            problems.append(f"第{block.source_line}行第{block.source_column}列开始的块没有闭合（缺少 {char}）")
    return problems


def _rule_errors(rules) -> list[str]:
    problems = []
    for rule in rules:
        if rule.type == "error":
            problems.append(f"第{rule.source_line}行：{rule.message}")
        elif rule.type == "qualified-rule" or (rule.type == "at-rule" and rule.content is not None):
            body = tinycss2.parse_blocks_contents(rule.content, skip_comments=True, skip_whitespace=True)
            nested = rule.type == "at-rule" and rule.lower_at_keyword in ("media", "supports", "layer", "container")
            if nested:  # a conditional group holds rules, not declarations
                body = tinycss2.parse_rule_list(rule.content, skip_comments=True, skip_whitespace=True)
            problems += _rule_errors(item for item in body if item.type != "declaration")
    return problems


def lint(css: str) -> list[str]:
    tokens = tinycss2.parse_component_value_list(css)
    problems = _unclosed(css, tokens)
    stack = [tokens]
    while stack:  # unmatched closing brackets and broken strings or URLs, at any depth
        for token in stack.pop():
            if token.type == "error":
                problems.append(f"第{token.source_line}行第{token.source_column}列：{token.message}")
            elif token.type in CLOSING:
                stack.append(token.content)
    problems += _rule_errors(tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True))
    return problems


def our_style_sheets() -> list[Path]:
    return sorted((ROOT / "src").rglob("*.css"))


def main(argv: list[str]) -> int:
    files = [Path(a) for a in argv] or our_style_sheets()
    failed = False
    for path in files:
        for problem in lint(path.read_text(encoding="utf-8")):
            print(f"{path}: {problem}")
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
