"""The layout holds: pure rules, a core that knows no feature, one package per feature."""

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import webapp

PACKAGE = Path(webapp.__file__).parent
FEATURES = sorted(p.parent.name for p in PACKAGE.glob("*/views.py") if p.parent.name != "core")
FRAMEWORKS = ("flask", "flask_babel", "flask_login", "flask_wtf", "werkzeug", "sqlalchemy", "flask_sqlalchemy")


def _imports(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
            modules.update(f"{node.module}.{alias.name}" for alias in node.names)
    return modules


def test_every_feature_is_registered_and_has_the_same_file_set():
    assert set(FEATURES) == set(webapp.FEATURES)
    for feature in FEATURES:
        files = {p.name for p in (PACKAGE / feature).glob("*.py")}
        assert "views.py" in files, feature
        source = (PACKAGE / feature / "views.py").read_text(encoding="utf-8")
        rendered = re.findall(r"""render_(?:template|form)\(\s*["']([^"']+)["']""", source)
        assert all(name.startswith((f"{feature}/", "errors/")) for name in rendered), (feature, rendered)


def test_no_rules_module_loads_flask_or_sqlalchemy():
    """Imported on its own, in a fresh interpreter: not even indirectly."""
    rules = sorted(f"webapp.{p.parent.name}.rules" for p in PACKAGE.glob("*/rules.py"))
    assert len(rules) >= 6
    script = (  # a bare package stands in for webapp/__init__.py, which imports Flask for create_app
        "import importlib, json, sys, types\n"
        f"package = types.ModuleType('webapp'); package.__path__ = [{str(PACKAGE)!r}]\n"
        "sys.modules['webapp'] = package\n"
        f"for name in {rules!r}:\n"
        "    importlib.import_module(name)\n"
        f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {FRAMEWORKS!r})))\n"
    )
    loaded = json.loads(subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                                       check=True).stdout)
    assert loaded == []


def test_the_core_imports_no_feature():
    offenders = []
    for path in (PACKAGE / "core").rglob("*.py"):
        for module in _imports(path):
            parts = module.split(".")
            if parts[0] == "webapp" and len(parts) > 1 and parts[1] in FEATURES:
                offenders.append(f"{path.relative_to(PACKAGE)}: {module}")
    assert offenders == []


def test_features_do_not_import_in_a_circle():
    graph = {feature: set() for feature in FEATURES}
    for feature in FEATURES:
        for path in (PACKAGE / feature).glob("*.py"):
            for module in _imports(path):
                parts = module.split(".")
                if parts[0] == "webapp" and len(parts) > 1 and parts[1] in FEATURES and parts[1] != feature:
                    graph[feature].add(parts[1])

    def reaches(start, target, seen=()):
        return any(n == target or (n not in seen and reaches(n, target, (*seen, n))) for n in graph[start])

    assert [f for f in FEATURES if reaches(f, f)] == []


def test_views_hold_no_raw_queries():
    """Views load, check, call and render: queries live in services (and core.views' lookups)."""
    for feature in FEATURES:
        imports = _imports(PACKAGE / feature / "views.py")
        assert not {m for m in imports if m.startswith("sqlalchemy")}, feature
