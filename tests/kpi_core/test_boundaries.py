"""kpi_core contains all computation and imports nothing of the pages or the UI."""

import ast

import pytest

from tests.conftest import PROJECT

MODULES = sorted((PROJECT / "kpi_core").glob("*.py"))


def _imported_roots(path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("path", MODULES, ids=[p.name for p in MODULES])
def test_kpi_core_imports_no_ui(path):
    assert not {"streamlit", "pages"} & _imported_roots(path)
