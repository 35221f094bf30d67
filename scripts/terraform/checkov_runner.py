"""Run checkov over a directory and return its findings (failed and skipped checks).

The repository's ``.checkov.yaml`` (found by checkov itself in the scanned directory or the working
directory, or passed as ``config_file``) holds what every run shares: frameworks and skipped paths.
Skipped checks are never configured there: each skip is an inline comment with its reason, and the
rule that a skip carries a reason is stated once, below (``skip_has_reason``), for both places that
apply it: ``python -m scripts validate`` on the skips checkov reports, tests/unit/test_checkov_skips.py
on every skip comment in the Terraform source.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from scripts.errors import PlatformError
from scripts.terraform.toolchain import ToolchainError, cache_dir

BINARY_ENV = "PLATFORM_CHECKOV_BINARY"

# --- the skip rule: every skip carries its reason inline ------------------------------------------
# `#checkov:skip=CKV_AWS_123:why the check does not apply here`. checkov itself accepts a skip without
# the reason and reports this placeholder as its suppress_comment.
NO_REASON_PLACEHOLDER = "no comment provided"
# Shorter than this is a word ("ok", "n/a", "see above"), not a reason a reviewer can weigh.
MIN_REASON_CHARS = 11
# A skip comment in source: the check id, then ":" and the reason (absent in a broken skip).
SKIP_COMMENT = re.compile(r"checkov:skip=(?P<check>[^\s:]*)(?::(?P<reason>.*))?")
# checkov's check ids: CKV_AWS_338, CKV2_AWS_76, CKV_GHA_7. Anything else skips nothing.
CHECK_ID = re.compile(r"CKV2?_[A-Z0-9]+_\d+")


class CheckovError(PlatformError, RuntimeError):
    """checkov ran but failed (crash, timeout, unreadable report); the message is one line."""


@dataclass(frozen=True)
class Finding:
    check_id: str
    resource: str
    file: str
    name: str
    skip_reason: str | None = None
    # checkov's guideline URL for the check; None offline (``--skip-download`` leaves it out).
    guideline: str | None = None


@dataclass(frozen=True)
class CheckovResult:
    passed: int
    failed: list[Finding]
    skipped: list[Finding]
    parsing_errors: int
    # The file of every passed check (checkov's path, relative to the scanned directory): lets one
    # run over the whole tree report per directory. Empty with ``quiet``.
    passed_files: tuple[str, ...] = ()


def skip_has_reason(reason: str | None) -> bool:
    """The rule: a skip's reason is there, is not checkov's placeholder, and says something."""
    text = (reason or "").strip()
    return len(text) >= MIN_REASON_CHARS and text.lower() != NO_REASON_PLACEHOLDER


def unexplained_skips(skipped: Iterable[Finding]) -> list[Finding]:
    """The skips checkov reported that break the rule."""
    return [f for f in skipped if not skip_has_reason(f.skip_reason)]


def skip_comment_problem(line: str) -> str | None:
    """Why the skip comment on ``line`` breaks the rule, None when it keeps it or is no skip.

    The source is read as well as checkov's report: checkov reports a skip only where its check
    applies, so a skip on a resource the check ignores would go unseen.
    """
    match = SKIP_COMMENT.search(line)
    if match is None:
        return None
    if not CHECK_ID.fullmatch(match["check"]):
        return f"{match['check']!r} is not a checkov check id"
    if not skip_has_reason(match["reason"]):
        return f"the skip of {match['check']} has no reason (at least {MIN_REASON_CHARS} characters after the colon)"
    return None


def checkov_binary() -> str:
    explicit = os.environ.get(BINARY_ENV)
    if explicit:
        if not Path(explicit).is_file():
            raise ToolchainError(f"checkov not found at {BINARY_ENV}={explicit}")
        return explicit
    beside = Path(sys.executable).with_name("checkov")
    found = str(beside) if beside.exists() else shutil.which("checkov")
    if not found:
        raise ToolchainError("checkov not found: run `make tools` (it installs the pinned checkov)")
    return found


def _last_line(text: str, fallback: str) -> str:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    return lines[-1] if lines else fallback


def checkov_version(timeout: int = 120) -> str:
    """``checkov --version``, or a one-line error when checkov does not run."""
    binary = checkov_binary()
    try:
        proc = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=timeout, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise CheckovError(f"checkov at {binary} does not run: {exc}") from exc
    version = proc.stdout.strip()
    if proc.returncode != 0 or not version:
        detail = _last_line(proc.stderr + proc.stdout, f"exit {proc.returncode}")
        raise CheckovError(f"checkov at {binary} does not run (`checkov --version`: {detail}); run `make tools`")
    return version.splitlines()[-1]


def run_checkov(
    directory: Path,
    timeout: int = 600,
    quiet: bool = False,
    config_file: Path | None = None,
    frameworks: tuple[str, ...] | None = ("terraform",),
) -> CheckovResult:
    """checkov over ``directory`` (recursively, examples included).

    ``quiet`` (checkov's ``--quiet``) leaves passed AND skipped checks out of the report, so the default
    keeps them: every skip must be seen to carry a reason. ``frameworks`` None leaves the choice to the
    config file (``config_file``, else the ``.checkov.yaml`` checkov finds itself).
    """
    cmd = [
        checkov_binary(),
        "--directory",
        str(directory),
        *(["--config-file", str(config_file)] if config_file is not None else []),
        *(["--framework", *frameworks] if frameworks else []),
        "--output",
        "json",
        *(["--quiet"] if quiet else []),
        "--compact",
        "--skip-download",
    ]
    return _scan(cmd, str(directory), timeout)


# checkov's plan parser reads this variable: an attribute the plan marks known only after apply then
# counts as set (checks that an attribute exists pass, checks of a concrete value still fail), as a
# variable does in the tree-time scan. Without it every "kms_key_id is set" check fails on a first
# plan. Source: checkov/terraform/plan_parser.py, _eval_after_unknown (checkov 3.3.30).
EVAL_AFTER_UNKNOWN = "EVAL_TF_PLAN_AFTER_UNKNOWN"


def run_checkov_on_plan(plan_file: Path, timeout: int = 300, config_file: Path | None = None) -> CheckovResult:
    """checkov over one plan JSON (``terraform show -json``).

    https://www.checkov.io/7.Scan%20Examples/Terraform%20Plan%20Scanning.html: ``checkov -f tfplan.json``
    with ``--framework terraform_plan`` (the CLI's framework overrides the config file's list, so the
    repository's ``.checkov.yaml`` can be passed for everything else it sets). Inline skips live in the
    .tf source, not in the plan: the caller applies them (``tf_source_skips``).

    checkov's report depends only on the plan, the config file and checkov itself, so it is kept on disk
    under their digest: a plan checked again (the same plan in the plan job and the PR comment, or the
    unit tests' synthetic plans run after run) costs a file read instead of ~5 s of CPU.
    """
    binary = checkov_binary()
    cmd = [
        binary,
        "--file",
        str(plan_file),
        *(["--config-file", str(config_file)] if config_file is not None else []),
        "--framework",
        "terraform_plan",
        "--output",
        "json",
        "--compact",
        "--skip-download",
    ]
    env = {**os.environ, EVAL_AFTER_UNKNOWN: "true"}
    cached = _plan_cache_file(binary, plan_file, config_file)
    if cached is not None and cached.is_file():
        return _parse(cached.read_text(encoding="utf-8"), str(plan_file))
    stdout = _run(cmd, str(plan_file), timeout, env)
    if cached is not None:
        _store(cached, stdout)
    return _parse(stdout, str(plan_file))


PLAN_CACHE_ENTRIES = 256


def _plan_cache_file(binary: str, plan_file: Path, config_file: Path | None) -> Path | None:
    """Where checkov's report on this plan is kept; None when an input cannot be read (then no cache)."""
    try:
        digest = hashlib.sha256()
        for part in (binary, str(Path(binary).stat().st_mtime_ns), EVAL_AFTER_UNKNOWN):
            digest.update(part.encode() + b"\0")
        digest.update(plan_file.read_bytes() + b"\0")
        digest.update(config_file.read_bytes() if config_file is not None else b"")
        return cache_dir() / "checkov-plan" / f"{digest.hexdigest()}.json"
    except (OSError, ToolchainError):
        return None


def _store(path: Path, stdout: str) -> None:
    """Write atomically (parallel test workers check the same plans) and keep the newest entries only."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(stdout, encoding="utf-8")
        tmp.replace(path)
        entries = sorted(path.parent.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in entries[PLAN_CACHE_ENTRIES:]:
            old.unlink(missing_ok=True)
    except OSError:
        pass  # a cache that cannot be written only costs the next run its time


def _scan(cmd: list[str], subject: str, timeout: int, env: dict[str, str] | None = None) -> CheckovResult:
    return _parse(_run(cmd, subject, timeout, env), subject)


def _run(cmd: list[str], subject: str, timeout: int, env: dict[str, str] | None = None) -> str:
    """checkov's JSON report as printed; a crash, a timeout or no report is a one-line CheckovError."""
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False, env=env)
    except subprocess.TimeoutExpired as exc:
        raise CheckovError(f"checkov on {subject} did not finish within {timeout} s") from exc
    except OSError as exc:
        raise CheckovError(f"checkov at {cmd[0]} does not run: {exc}") from exc
    if proc.returncode not in (0, 1):
        detail = _last_line(proc.stderr, f"exit {proc.returncode}")
        raise CheckovError(f"checkov failed on {subject}: {detail}")
    # checkov prints a JSON report whenever it scans, also when it finds nothing; exit 1 and no report
    # is checkov crashing (an import error, a broken install), never "0 checks failed".
    if proc.returncode != 0 and not proc.stdout.strip():
        detail = _last_line(proc.stderr, f"exit {proc.returncode}")
        raise CheckovError(f"checkov on {subject} printed no report (exit {proc.returncode}): {detail}")
    return proc.stdout


def _parse(stdout: str, subject: str) -> CheckovResult:
    try:
        data = json.loads(stdout or "[]")
    except json.JSONDecodeError as exc:
        raise CheckovError(f"checkov on {subject} printed no JSON report: {exc.msg} at line {exc.lineno}") from exc
    reports = data if isinstance(data, list) else [data]
    passed, failed, skipped, parse_errors = 0, [], [], 0
    passed_files: list[str] = []
    for report in reports:
        if "results" not in report:  # an empty scan reports only a summary
            continue
        summary = report.get("summary", {})
        passed += summary.get("passed", 0)
        parse_errors += summary.get("parsing_errors", 0)
        results = report["results"]
        passed_files += [c.get("file_path", "") for c in results.get("passed_checks", [])]
        failed += [_finding(c) for c in results.get("failed_checks", [])]
        skipped += [_finding(c) for c in results.get("skipped_checks", [])]
    return CheckovResult(passed, failed, skipped, parse_errors, tuple(passed_files))


# --- the tree's inline skips, for a plan --------------------------------------------------------
# A top-level block as `terraform fmt` writes it: `resource "TYPE" "NAME" {` (or data, module) at
# column 0, closed by a `}` alone at column 0.
_BLOCK_START = re.compile(r'^(?P<kind>resource|data|module)\s+"(?P<a>[^"]+)"(?:\s+"(?P<b>[^"]+)")?\s*\{')


def tf_source_skips(directory: Path) -> dict[tuple[str, ...], list[tuple[str, str | None]]]:
    """The skip comments of one Terraform module directory, per block.

    Keys: ``("resource", type, name)``, ``("data", type, name)``, ``("module", name)``; values:
    (check id, reason or None) in source order. Only the comments inside a block count, as for checkov.
    """
    skips: dict[tuple[str, ...], list[tuple[str, str | None]]] = {}
    for tf in sorted(directory.glob("*.tf")):
        key: tuple[str, ...] | None = None
        for line in tf.read_text(encoding="utf-8", errors="replace").splitlines():
            start = _BLOCK_START.match(line)
            if start:
                key = tuple(x for x in (start["kind"], start["a"], start["b"]) if x)
                continue
            if line.startswith("}"):
                key = None
                continue
            match = SKIP_COMMENT.search(line) if key is not None else None
            if match:
                reason = match["reason"].strip() if match["reason"] is not None else None
                skips.setdefault(key, []).append((match["check"], reason))
    return skips


def _finding(check: dict) -> Finding:
    suppress = check.get("check_result", {}).get("suppress_comment")
    if suppress and suppress.strip().lower() == NO_REASON_PLACEHOLDER:
        suppress = None
    return Finding(
        check_id=check["check_id"],
        resource=check.get("resource", ""),
        file=check.get("file_path", ""),
        name=check.get("check_name", ""),
        skip_reason=suppress,
        guideline=check.get("guideline") or None,
    )
