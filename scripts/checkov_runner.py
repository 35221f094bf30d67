"""Run checkov over a Terraform directory and return its findings (failed and skipped checks)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from scripts.toolchain import ToolchainError


@dataclass(frozen=True)
class Finding:
    check_id: str
    resource: str
    file: str
    name: str
    skip_reason: str | None = None


@dataclass(frozen=True)
class CheckovResult:
    passed: int
    failed: list[Finding]
    skipped: list[Finding]
    parsing_errors: int


def checkov_binary() -> str:
    beside = Path(sys.executable).with_name("checkov")
    found = str(beside) if beside.exists() else shutil.which("checkov")
    if not found:
        raise ToolchainError("checkov not found: run `make tools` (it installs the pinned checkov)")
    return found


def run_checkov(directory: Path, timeout: int = 600, quiet: bool = False) -> CheckovResult:
    """checkov over ``directory`` (recursively, examples included) with the repository's config.

    ``quiet`` (checkov's ``--quiet``) leaves passed AND skipped checks out of the report, so the default
    keeps them: every skip must be seen to carry a reason.
    """
    cmd = [
        checkov_binary(),
        "--directory",
        str(directory),
        "--framework",
        "terraform",
        "--output",
        "json",
        *(["--quiet"] if quiet else []),
        "--compact",
        "--skip-download",
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"checkov failed on {directory}: {proc.stderr.strip().splitlines()[-1:]}")
    data = json.loads(proc.stdout or "[]")
    reports = data if isinstance(data, list) else [data]
    passed, failed, skipped, parse_errors = 0, [], [], 0
    for report in reports:
        if "results" not in report:  # an empty scan reports only a summary
            continue
        summary = report.get("summary", {})
        passed += summary.get("passed", 0)
        parse_errors += summary.get("parsing_errors", 0)
        results = report["results"]
        failed += [_finding(c) for c in results.get("failed_checks", [])]
        skipped += [_finding(c) for c in results.get("skipped_checks", [])]
    return CheckovResult(passed, failed, skipped, parse_errors)


def _finding(check: dict) -> Finding:
    suppress = check.get("check_result", {}).get("suppress_comment")
    # checkov fills in this placeholder when a skip comment carries no reason.
    if suppress and suppress.strip().lower() == "no comment provided":
        suppress = None
    return Finding(
        check_id=check["check_id"],
        resource=check.get("resource", ""),
        file=check.get("file_path", ""),
        name=check.get("check_name", ""),
        skip_reason=suppress,
    )
