"""The house rules that keep the layout honest."""

import ast

from tests.conftest import ROOT


def test_cleaners_never_import_prefect_or_flows():
    for path in (ROOT / "cleaners").glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for n in names:
                assert not n.startswith(("prefect", "flows")), f"{path.name} imports {n}"


def test_every_module_has_a_test_file_named_after_it():
    tests = {p.stem.removeprefix("test_") for p in (ROOT / "tests").rglob("test_*.py")}
    modules = [p for pkg in ("cleaners", "flows") for p in (ROOT / pkg).glob("*.py") if p.stem != "__init__"]
    missing = sorted(f"{p.parent.name}/{p.name}" for p in modules if p.stem not in tests)
    assert missing == [], f"modules without tests/<tier>/test_<module>.py: {missing}"


def test_the_fast_tier_imports_no_prefect():
    """tests/cleaners and tests/flows run without Prefect's engine: none of them starts a flow."""
    for path in [*(ROOT / "tests" / "cleaners").glob("test_*.py"), *(ROOT / "tests" / "flows").glob("test_*.py")]:
        text = path.read_text()
        assert "prefect_harness" not in text and "run_ingest" not in text, path.name
