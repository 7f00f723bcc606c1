"""The layer contract: a module of alignscope imports only from its own layer or lower ones, by the ranks of
the layer table in README.md (the same table as docs/ARCHITECTURE.md's), which names every top-level module
and package. Every import counts: lazy ones inside functions, those under ``TYPE_CHECKING``, relative ones,
and ``importlib.import_module`` of a literal name. Analysis, the published analyses and the report call no
model, so they import neither backends nor the engine."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "alignscope"
TABLES = (ROOT / "README.md", ROOT / "docs" / "ARCHITECTURE.md")
# layer -> layers it may not import although they rank lower: these layers call no model
FORBIDDEN = {layer: ("backends", "engine") for layer in ("analysis", "published", "report")}
_ROW = re.compile(r"^\|\s*(\d+)\s*\|[^|]*\|([^|]*)\|")


def layer_ranks(markdown: str) -> dict[str, int]:
    """Top-level name -> rank, from the rows ``| RANK | layer | `alignscope.NAME`, ... | what |`."""
    ranks: dict[str, int] = {}
    for line in markdown.splitlines():
        row = _ROW.match(line)
        if row:
            for name in re.findall(r"`alignscope\.(\w+)`", row.group(2)):
                ranks[name] = int(row.group(1))
    return ranks


def top_level_names(package: Path) -> list[str]:
    """The package's top-level modules and subpackages (``__init__`` aside)."""
    names = [p.stem for p in package.glob("*.py") if p.stem != "__init__"]
    return sorted(names + [p.name for p in package.iterdir() if p.is_dir() and any(p.rglob("*.py"))])


def _module_name(path: Path, package: Path) -> list[str]:
    parts = [package.name, *path.relative_to(package).with_suffix("").parts]
    return parts[:-1] if parts[-1] == "__init__" else parts


def imported_modules(path: Path, package: Path) -> Iterator[tuple[int, str]]:
    """(line, absolute module name) of every import in ``path``, wherever it stands."""
    here = _module_name(path, package)
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = here if is_package else here[:-1]
            base = base[: len(base) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            if module == package.name:  # ``from alignscope import cli``: the names are the modules
                yield from ((node.lineno, f"{module}.{alias.name}") for alias in node.names)
            else:
                yield node.lineno, module
        elif isinstance(node, ast.Call) and _is_import_module(node.func) and node.args:
            first = node.args[0]
            if isinstance(first, ast.JoinedStr) and first.values:
                first = first.values[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                yield node.lineno, first.value


def _is_import_module(func: ast.expr) -> bool:
    return (isinstance(func, ast.Attribute) and func.attr == "import_module") or (
        isinstance(func, ast.Name) and func.id == "import_module"
    )


def layer_violations(package: Path, ranks: dict[str, int]) -> list[str]:
    """Every top-level name without a rank, and every import of a higher layer (or a forbidden one), as
    ``file:line source -> target`` lines."""
    found = [f"{name}: no rank in the layer table" for name in top_level_names(package) if name not in ranks]
    for path in sorted(package.rglob("*.py")):
        source = _module_name(path, package)[1:2]
        if not source or source[0] not in ranks:
            continue
        for line, module in imported_modules(path, package):
            parts = module.split(".")
            if parts[0] != package.name or len(parts) < 2 or not parts[1] or parts[1] == source[0]:
                continue
            target = parts[1]
            upward = ranks.get(target, -1) > ranks[source[0]]
            if upward or target in FORBIDDEN.get(source[0], ()):
                found.append(f"{path.relative_to(package.parent)}:{line} {source[0]} -> {target}")
    return found


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    package = tmp_path / "alignscope"
    for name, text in files.items():
        path = package / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return package


RANKS = {"records": 0, "engine": 3, "analysis": 5, "report": 7, "cli": 9}


def test_the_layer_tables_rank_every_package_and_agree() -> None:
    readme, architecture = (layer_ranks(path.read_text(encoding="utf-8")) for path in TABLES)
    assert readme == architecture
    assert [name for name in top_level_names(PACKAGE) if name not in readme] == []
    assert readme["records"] < readme["engine"] < readme["analysis"] < readme["report"] < readme["cli"]


def test_alignscope_has_no_upward_import() -> None:
    ranks = layer_ranks(TABLES[0].read_text(encoding="utf-8"))
    assert layer_violations(PACKAGE, ranks) == []


def test_an_upward_import_is_reported_wherever_it_stands(tmp_path: Path) -> None:
    package = _tree(
        tmp_path,
        {
            "__init__.py": "",
            "records.py": "def lazy():\n    from alignscope.cli.main import app\n    return app\n",
            "engine/__init__.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
            "    import alignscope.report.model\n",
            "engine/runner.py": "from ..analysis import meta\nfrom . import limiter\n",
            "engine/progress.py": "from alignscope import records, report\n",
            "engine/limiter.py": "import importlib\nmod = importlib.import_module(f'alignscope.cli.{1}')\n",
            "analysis/__init__.py": "",
            "analysis/meta.py": "from alignscope.records import Item\nfrom alignscope.engine import Engine\n",
            "report/__init__.py": "from alignscope.analysis import meta\n",
            "cli/__init__.py": "",
            "cli/main.py": "from alignscope.report import model\n",
        },
    )
    assert layer_violations(package, RANKS) == [
        "alignscope/analysis/meta.py:2 analysis -> engine",  # lower, but analysis calls no model
        "alignscope/engine/__init__.py:3 engine -> report",
        "alignscope/engine/limiter.py:2 engine -> cli",
        "alignscope/engine/progress.py:1 engine -> report",
        "alignscope/engine/runner.py:1 engine -> analysis",
        "alignscope/records.py:2 records -> cli",
    ]


def test_a_module_without_a_rank_is_reported(tmp_path: Path) -> None:
    package = _tree(tmp_path, {"__init__.py": "", "records.py": "", "extras/__init__.py": "", "tool.py": ""})
    assert layer_violations(package, RANKS) == [
        "extras: no rank in the layer table",
        "tool: no rank in the layer table",
    ]


def test_the_ranks_are_read_from_the_table_rows() -> None:
    table = (
        "| rank | layer | package | what |\n|---|---|---|---|\n"
        "| 0 | records | `alignscope.records`, `alignscope.errors` | x |\n"
        "| 7 | report | `alignscope.report` | see `alignscope.cli` |\n"
    )
    assert layer_ranks(table) == {"records": 0, "errors": 0, "report": 7}
