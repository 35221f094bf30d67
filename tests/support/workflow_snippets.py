"""The Python snippets the workflows carry in their ``env`` (CHANGESET_PY, COMPARE_PY, ...), run as
the workflow runs them: ``python -c "$SNIPPET" args...``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

from scripts.terraform.tf import REPO_ROOT

WORKFLOWS = REPO_ROOT / ".github" / "workflows"


def snippet(workflow: str, name: str) -> str:
    return yaml.safe_load((WORKFLOWS / workflow).read_text())["env"][name]


def run_snippet(workflow: str, name: str, *args: object, check: bool = False) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", snippet(workflow, name), *map(str, args)],
        capture_output=True,
        text=True,
        check=check,
    )


def changeset(plan_json: Path, dest: Path) -> Path:
    """The change set the pull request records for review, from a plan's JSON, written to ``dest``."""
    dest.write_text(run_snippet("pull-request.yml", "CHANGESET_PY", plan_json, check=True).stdout)
    return dest
