"""The package layering (docs/architecture.md): the import-linter contracts in pyproject.toml, and two
rules a contract cannot say — no business module imports another's pages, and no project import is
hidden inside a function (where it would dodge a circle instead of fixing it)."""

import ast
from pathlib import Path

import pytest
from importlinter.cli import lint_imports

import dangjian

ROOT = Path(dangjian.__file__).parent
PYPROJECT = ROOT.parents[1] / "pyproject.toml"
DOMAINS = {"duties", "matters", "meetings", "supervision", "hardening"}


def _modules():
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT)
        if "migrations" not in rel.parts:
            yield rel, ast.parse(path.read_text(encoding="utf-8"))


def _imported(rel: Path, node: ast.Import | ast.ImportFrom) -> list[str]:
    """The dotted names an import statement brings in (relative imports resolved)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if not node.level:
        return [f"{node.module}.{alias.name}" for alias in node.names]
    package = ["dangjian", *rel.parts[:-1]][: len(rel.parts) + 1 - node.level]
    base = ".".join([*package, *([node.module] if node.module else [])])
    return [f"{base}.{alias.name}" for alias in node.names]


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _nested_imports(tree: ast.Module):
    """Project imports inside a function, except in an AppConfig's ready() and under ``if TYPE_CHECKING:``."""
    def walk(node, in_function):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                continue
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                if child.name != "ready":
                    yield from walk(child, True)
            elif isinstance(child, ast.Import | ast.ImportFrom) and in_function:
                yield child
            else:
                yield from walk(child, in_function)
    yield from walk(tree, False)


def test_import_contracts_hold(capsys):
    exit_code = lint_imports(config_filename=str(PYPROJECT), no_cache=True, no_logo=True)
    report = capsys.readouterr().out
    assert exit_code == 0, report


@pytest.mark.parametrize("rel, tree", list(_modules()), ids=lambda v: str(v) if isinstance(v, Path) else "")
def test_no_project_import_inside_a_function(rel, tree):
    nested = [f"{rel}:{node.lineno}" for node in _nested_imports(tree)
              if any(name.startswith("dangjian.") for name in _imported(rel, node))]
    assert not nested, "项目内的导入须放在模块顶部（循环依赖应当理顺，而不是藏进函数）：" + "、".join(nested)


def test_no_module_imports_another_modules_pages():
    """A business module may read another's services, never its views, urls or API (docs/architecture.md)."""
    pages = ("views", "urls", "api")
    found = []
    for rel, tree in _modules():
        source = rel.parts[0]
        if source not in DOMAINS:
            continue
        for node in ast.walk(tree):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            for name in _imported(rel, node):
                parts = name.split(".")
                if len(parts) > 2 and parts[1] in DOMAINS and parts[1] != source and parts[2].startswith(pages):
                    found.append(f"{rel}:{node.lineno} → {name}")
    assert not found, "业务模块引用了其他模块的页面或接口：" + "、".join(found)
