"""zizmor (pinned in requirements.lock) finds nothing in the workflows or the pre-commit config.

Offline: the audits that need the GitHub API (impostor commits, known-vulnerable actions, stale
refs) run in the pull-request workflow's checks job with a token instead.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from scripts.terraform.tf import REPO_ROOT


def zizmor_binary() -> str:
    beside = Path(sys.executable).with_name("zizmor")
    if not beside.exists():
        pytest.fail("zizmor is not installed beside this Python: run `make tools` (requirements.lock pins it)")
    return str(beside)


def run_zizmor(*args: str) -> list[dict]:
    proc = subprocess.run(
        [zizmor_binary(), "--offline", "--format", "json", *args],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=120,
        check=False,
    )
    # 0: no findings; 10-14: findings by severity; anything else is a zizmor error.
    assert proc.returncode in (0, 10, 11, 12, 13, 14), proc.stderr[-2000:]
    return json.loads(proc.stdout or "[]")


def describe(findings: list[dict]) -> list[str]:
    lines = []
    for f in findings:
        where = "?"
        for location in f.get("locations", [])[:1]:
            path = next(iter(location["symbolic"]["key"].values()), {}).get("verbatim_path", "?")
            row = location.get("concrete", {}).get("location", {}).get("start_point", {}).get("row", -1) + 1
            where = f"{path}:{row}"
        lines.append(f"{f['ident']} ({f['determinations']['severity']}) at {where}: {f['desc']}")
    return lines


@pytest.mark.parametrize("persona", ["regular", "auditor"])
def test_workflows_have_no_findings(persona):
    findings = run_zizmor("--persona", persona, ".github/workflows")
    assert not findings, "\n".join(describe(findings))


def test_precommit_config_has_no_findings():
    findings = run_zizmor("--persona", "auditor", ".pre-commit-config.yaml")
    assert not findings, "\n".join(describe(findings))


def test_ignore_comments_are_few_and_explained():
    """Suppressions are visible: each names its audit and sits on a line that says why."""
    ignores = []
    for path in sorted((REPO_ROOT / ".github" / "workflows").glob("*.yml")):
        lines = path.read_text().splitlines()
        for number, line in enumerate(lines):
            if "zizmor: ignore[" in line:
                ignores.append(f"{path.name}:{number + 1}")
                assert lines[number - 1].strip().startswith("#"), f"{path.name}:{number + 1} lacks a reason above it"
    assert len(ignores) <= 2, ignores
