"""The import rules in pyproject.toml ([tool.importlinter]) hold, each one fails on a deliberate
violation, and no file imports a file that imports it back."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

import openclaw

ROOT = Path(__file__).resolve().parents[2]
SRC = Path(openclaw.__file__).parent
LINT = Path(sys.executable).parent / "lint-imports"

# contract name -> (file to break, line appended, the import the report must name)
VIOLATIONS = {
    "Flow layers: each layer imports only the layers below it": (
        "core/slots.py", "from openclaw.agent import capability as _upward", "openclaw.core.slots -> openclaw.agent.capability"),
    "Production never imports the sandbox (only the CLI starts it)": (
        "events/journal.py", "import openclaw.sandbox.simclock as _sandbox", "openclaw.events.journal -> openclaw.sandbox.simclock"),
    "Only ops/client.py imports the Kubernetes library": (
        "ops/reads.py", "import lightkube as _kube", "openclaw.ops.reads -> lightkube"),
    "Only policy imports the executors": (
        "runbooks/steps.py", "from openclaw.ops.executors import pods as _pods", "openclaw.runbooks.steps -> openclaw.ops.executors.pods"),
    "Only the policy engine mints approvals": (
        "agent/toolsets/actions.py", "from openclaw.policy.mint import mint as _mint", "openclaw.agent.toolsets.actions -> openclaw.policy.mint"),
}


# The media half of the door: its executors are behind policy too, and so is the Approval minting.
MEDIA_VIOLATIONS = {
    "Only policy imports the executors": (
        "runbooks/registry.py", "from openclaw.media.executors import queue as _queue", "openclaw.runbooks.registry -> openclaw.media.executors.queue"),
    "Only the policy engine mints approvals": (
        "policy/media_actions.py", "from openclaw.policy.mint import mint as _mint", "openclaw.policy.media_actions -> openclaw.policy.mint"),
}


def lint(cwd: Path, pythonpath: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(pythonpath)} if pythonpath else dict(os.environ)
    return subprocess.run([str(LINT), "--no-cache"], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def test_the_contracts_hold() -> None:
    result = lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Contracts: {len(VIOLATIONS)} kept, 0 broken." in result.stdout


@pytest.mark.parametrize("violations", [VIOLATIONS, MEDIA_VIOLATIONS], ids=["cluster", "media"])
def test_each_contract_fails_on_a_deliberate_violation(tmp_path: Path, violations: dict[str, tuple[str, str, str]]) -> None:
    copy = tmp_path / "src" / "openclaw"
    shutil.copytree(SRC, copy, ignore=shutil.ignore_patterns("__pycache__", "static"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    for path, line, _ in violations.values():
        with (copy / path).open("a", encoding="utf-8") as f:
            f.write(f"\n{line}  # a deliberate violation\n")
    result = lint(tmp_path, tmp_path / "src")
    out = result.stdout
    assert result.returncode == 1, out + result.stderr
    assert f"Contracts: {len(VIOLATIONS) - len(violations)} kept, {len(violations)} broken." in out, out
    report = out[out.index("Broken contracts"):]
    names = list(violations)
    for i, name in enumerate(names):
        start = report.index(name)
        following = [report.index(n, start + len(name)) for n in names[i + 1:] if n in report[start + len(name):]]
        section = report[start: min(following, default=len(report))]
        assert violations[name][2] in section, f"{name}: the report does not name {violations[name][2]}:\n{section}"


def test_no_file_imports_a_file_that_imports_it_back() -> None:
    # The sandbox (test infrastructure, run by the CLI) still has type-only circles; production has none.
    graph = grimp.build_graph("openclaw", exclude_type_checking_imports=False)
    production = {m for m in graph.modules if not m.startswith("openclaw.sandbox")}
    circles = []
    for module in sorted(production):
        for imported in graph.find_modules_directly_imported_by(module):
            if imported in production and imported != module and graph.chain_exists(imported, module):
                chain = graph.find_shortest_chain(imported, module)
                if chain and all(m in production for m in chain):
                    circles.append(" -> ".join((module, *chain)))
    assert circles == []


def test_the_forbidden_contracts_cover_every_package() -> None:
    # import-linter takes explicit source lists for these: a new capability must be added to them.
    import tomllib

    contracts = {c["id"]: c for c in tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]}
    packages = {f"openclaw.{p.name}" for p in SRC.iterdir() if (p / "__init__.py").exists()}
    allowed = {"no-sandbox": {"openclaw.sandbox", "openclaw.cli", "openclaw.evals"}, "executors-behind-policy": {"openclaw.policy", "openclaw.ops", "openclaw.media"},
               "engine-mints": {"openclaw.policy"}}
    for contract_id, exempt in allowed.items():
        listed = {m for m in contracts[contract_id]["source_modules"] if m.count(".") == 1}
        assert packages - exempt <= listed, f"{contract_id}: add {sorted(packages - exempt - listed)} to its source_modules"
    policy = {f"openclaw.policy.{p.stem}" for p in (SRC / "policy").glob("*.py") if p.stem not in ("__init__", "engine", "mint")}
    assert policy <= set(contracts["engine-mints"]["source_modules"])


def test_every_imported_package_is_declared() -> None:
    import importlib.metadata
    import re
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = {re.split(r"[\[<>=!~ ]", d, maxsplit=1)[0].lower().replace("_", "-") for d in project["dependencies"]}
    graph = grimp.build_graph("openclaw", include_external_packages=True)
    imported = {m for m in graph.modules if not m.startswith("openclaw") and m not in sys.stdlib_module_names}
    dists = importlib.metadata.packages_distributions()
    undeclared = {m: dists.get(m) for m in imported if not {d.lower().replace("_", "-") for d in dists.get(m, [m])} & declared}
    assert undeclared == {}
