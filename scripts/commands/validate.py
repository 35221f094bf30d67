"""``validate``: fmt, init, validate for every Terraform directory, then checkov over the tree.

Directories are every directory with ``*.tf`` files under ``modules/`` and ``terraform/`` (modules,
their examples, the root and ``terraform/bootstrap``). Each runs ``terraform fmt -check``,
``init -backend=false`` and ``validate`` in a scratch copy of the repository, so parallel inits
never share ``.terraform`` directories and the working tree stays clean. checkov runs per module
and over ``terraform/``; a failed check or a skip without a reason fails. Work runs in parallel
with one worker per CPU core. tflint and terraform-docs run where installed; otherwise the report
says they did not run. Exit 0 when everything passed, 1 otherwise, 2 when the toolchain is missing.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from scripts.checkov_runner import CheckovError, checkov_binary, run_checkov
from scripts.checkov_runner import Finding as CheckovFinding
from scripts.errors import UsageError
from scripts.tf import (
    REPO_ROOT,
    TerraformError,
    Workspace,
    first_diagnostic,
    logs_dir,
    scratch_copy,
    warm_plugin_cache,
)
from scripts.toolchain import Toolchain, optional_tool, toolchain

TREES = ("modules", "terraform")
OK, FAIL, SKIPPED = "ok", "FAIL", "skipped"
TERRAFORM_CHECKS = {"fmt", "init", "validate"}
# checkov's suppress_comment when a skip carries no reason.
NO_REASON = {"", "no comment provided"}
OPTIONAL_TOOLS = {
    "tflint": "runs in pre-commit and CI",
    "terraform-docs": "runs in pre-commit and CI; `python -m scripts docs` keeps README tables in sync",
}


@dataclass
class StepResult:
    directory: str
    check: str
    status: str
    seconds: float
    detail: str = ""


# --- discovery ---------------------------------------------------------------------------------


def terraform_dirs(repo: Path, only: Path | None = None) -> list[str]:
    """Repository-relative directories holding ``*.tf`` files (hidden and .terraform dirs skipped)."""
    bases = [only] if only is not None else [repo / t for t in TREES]
    found: set[str] = set()
    for base in bases:
        if not base.is_dir():
            continue
        for tf in base.rglob("*.tf"):
            rel = tf.parent.relative_to(repo)
            if any(part.startswith(".") for part in rel.parts):
                continue
            found.add(rel.as_posix())
    return sorted(found)


def checkov_targets(repo: Path, only: Path | None = None) -> list[str]:
    """One checkov run per module (examples included) and one over ``terraform/``."""
    if only is not None:
        return [only.relative_to(repo).as_posix()]
    targets = [p.relative_to(repo).as_posix() for p in sorted((repo / "modules").glob("*")) if p.is_dir()]
    targets = [t for t in targets if terraform_dirs(repo, repo / t)]
    if terraform_dirs(repo, repo / "terraform"):
        targets.append("terraform")
    return targets


def resolve_only(repo: Path, only: str | None) -> Path | None:
    if only is None:
        return None
    path = (repo / only).resolve() if not Path(only).is_absolute() else Path(only).resolve()
    try:
        path.relative_to(repo)
    except ValueError:
        raise UsageError(f"--only {only} is outside the repository {repo}") from None
    if not path.is_dir() or not terraform_dirs(repo, path):
        raise UsageError(f"--only {only}: no Terraform directory there")
    return path


# --- steps -------------------------------------------------------------------------------------


def _timed(directory: str, check: str, fn: Callable[[], str]) -> StepResult:
    start = time.monotonic()
    try:
        detail = fn()
        status = OK
    except StepFailed as exc:
        detail, status = str(exc), FAIL
    except TerraformError as exc:
        detail, status = first_diagnostic(exc.output), FAIL
    return StepResult(directory, check, status, time.monotonic() - start, detail)


class StepFailed(Exception):
    """A check found problems; the message is the detail for the summary."""


def terraform_steps(
    workdir: Path, directory: str, tc: Toolchain, tflint: str | None, log: Path | None = None
) -> list[StepResult]:
    ws = Workspace(workdir, tc, log=log)
    results = []

    def fmt() -> str:
        result = ws.run("fmt", "-check", "-list=true", ok_codes=(0, 3))
        files = [ln.strip() for ln in result.out.splitlines() if ln.strip()]
        if result.retcode != 0 or files:
            raise StepFailed(f"not formatted: {', '.join(files) or 'see terraform fmt -diff'}")
        return ""

    def init() -> str:
        ws.init(backend=False)
        return ""

    def validate() -> str:
        report = ws.validate()
        if not report.get("valid"):
            diags = [d for d in report.get("diagnostics", []) if d.get("severity") == "error"]
            first = diags[0] if diags else {}
            where = first.get("range", {}).get("filename", "")
            raise StepFailed(f"{first.get('summary', 'invalid')}: {first.get('detail', '')} {where}".strip())
        warnings = [d.get("summary", "") for d in report.get("diagnostics", []) if d.get("severity") == "warning"]
        return f"{len(warnings)} warnings: {warnings[0]}" if warnings else ""

    results.append(_timed(directory, "fmt", fmt))
    init_result = _timed(directory, "init", init)
    results.append(init_result)
    if init_result.status == OK:
        results.append(_timed(directory, "validate", validate))
        if tflint:
            results.append(_timed(directory, "tflint", lambda: run_tflint(tflint, workdir)))
    else:
        results.append(StepResult(directory, "validate", SKIPPED, 0.0, "init failed"))
    return results


def _tflint_config() -> list[str]:
    config = REPO_ROOT / ".tflint.hcl"
    return [f"--config={config}"] if config.exists() else []


def tflint_init(binary: str) -> str:
    """``tflint --init`` once: installs the rulesets the config names (needs GitHub)."""
    proc = subprocess.run(
        [binary, "--init", *_tflint_config()], capture_output=True, text=True, timeout=300, check=False
    )
    if proc.returncode != 0:
        lines = [ln for ln in (proc.stdout + proc.stderr).splitlines() if ln.strip()]
        raise StepFailed(f"tflint --init failed: {lines[-1] if lines else 'exit ' + str(proc.returncode)}")
    return ""


def run_tflint(binary: str, workdir: Path) -> str:
    cmd = [binary, f"--chdir={workdir}", "--format=compact", "--no-color", *_tflint_config()]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False)
    if proc.returncode != 0:
        lines = [ln for ln in (proc.stdout + proc.stderr).splitlines() if ln.strip()]
        raise StepFailed(f"{len(lines)} issues: {lines[0] if lines else 'exit ' + str(proc.returncode)}")
    return ""


def run_terraform_docs(binary: str, repo: Path, module: str) -> str:
    readme = repo / module / "README.md"
    if not readme.exists():
        raise StepFailed("no README.md")
    config = repo / ".terraform-docs.yml"
    cmd = [binary, "markdown", "table", "--output-file", "README.md", "--output-mode", "inject"]
    if config.exists():
        cmd += ["--config", str(config)]
    proc = subprocess.run(
        [*cmd, "--output-check", str(repo / module)], capture_output=True, text=True, timeout=120, check=False
    )
    if proc.returncode != 0:
        lines = [ln for ln in (proc.stdout + proc.stderr).splitlines() if ln.strip()]
        detail = lines[-1] if lines else "run python -m scripts docs"
        raise StepFailed(f"README inputs/outputs out of date: {detail}")
    return ""


def checkov_step(repo: Path, target: str) -> StepResult:
    def scan() -> str:
        try:
            result = run_checkov(repo / target, quiet=False)
        except CheckovError as exc:
            raise StepFailed(f"checkov did not run: {exc}") from exc
        problems = [f"{f.check_id} {f.resource} ({f.file})" for f in result.failed]
        problems += [f"skip of {f.check_id} on {f.resource} has no reason" for f in unexplained_skips(result.skipped)]
        if result.parsing_errors:
            problems.append(f"{result.parsing_errors} files could not be parsed")
        if problems:
            raise StepFailed(
                f"{len(problems)} problems: " + "; ".join(problems[:5]) + (" ..." if len(problems) > 5 else "")
            )
        return f"{result.passed} passed, {len(result.skipped)} skipped with reasons"

    return _timed(target, "checkov", scan)


def unexplained_skips(skipped: list[CheckovFinding]) -> list[CheckovFinding]:
    return [f for f in skipped if (f.skip_reason or "").strip().lower() in NO_REASON]


# --- running -----------------------------------------------------------------------------------


def log_name(directory: str) -> str:
    return directory.replace("/", "__") + ".log"


def run_all(
    repo: Path, only: Path | None, console: Console, workers: int | None = None, logdir: Path | None = None
) -> list[StepResult]:
    """Every step over ``only`` (or the whole tree); Terraform's output per directory goes to ``logdir``."""
    tc = toolchain()
    warm_plugin_cache()
    checkov_binary()  # missing checkov: exit 2 now, not one failed step per module later
    dirs = terraform_dirs(repo, only)
    targets = checkov_targets(repo, only)
    tflint = optional_tool("tflint")
    docs = optional_tool("terraform-docs")
    doc_modules = [d for d in dirs if d.count("/") == 1 and d.startswith("modules/")] if docs else []
    results: list[StepResult] = []
    if tflint:
        prepared = _timed("(all)", "tflint --init", lambda: tflint_init(tflint))
        results.append(prepared)
        if prepared.status != OK:
            tflint = None
    scratch = Path(tempfile.mkdtemp(prefix="validate-"))
    try:
        for tree in TREES:
            if (repo / tree).is_dir():
                scratch_copy(tree, scratch)
        jobs: dict[object, str] = {}
        with (
            Progress(
                SpinnerColumn(),
                TextColumn("[progress.description]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=console,
                transient=True,
            ) as progress,
            ThreadPoolExecutor(max_workers=workers or os.cpu_count() or 1) as pool,
        ):
            total = len(dirs) + len(targets) + len(doc_modules)
            task = progress.add_task("validating", total=total)
            # checkov runs are the longest: start them first so they do not form the tail.
            for t in targets:
                jobs[pool.submit(lambda t=t: [checkov_step(repo, t)])] = f"checkov {t}"
            for d in dirs:
                log = logdir / log_name(d) if logdir is not None else None
                jobs[pool.submit(terraform_steps, scratch / d, d, tc, tflint, log)] = d
            for m in doc_modules:
                jobs[
                    pool.submit(lambda m=m: [_timed(m, "terraform-docs", lambda: run_terraform_docs(docs, repo, m))])
                ] = m
            for future in as_completed(jobs):
                done = future.result()
                results += done
                failed = [r for r in done if r.status == FAIL]
                mark = "[red]✗[/red]" if failed else "[green]✓[/green]"
                steps = " ".join(f"{r.check} {r.status}" for r in done)
                line = Text.from_markup(mark)
                line.append(f" {jobs[future]}: {steps} ({sum(r.seconds for r in done):.1f} s)")
                progress.console.print(line)
                progress.advance(task)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    order = {"fmt": 0, "init": 1, "validate": 2, "tflint": 3, "terraform-docs": 4, "checkov": 5}
    return sorted(results, key=lambda r: (r.directory, order.get(r.check, 9)))


def missing_tools() -> dict[str, str]:
    return {name: why for name, why in OPTIONAL_TOOLS.items() if optional_tool(name) is None}


def summary_table(results: list[StepResult]) -> Table:
    table = Table(title="validate", title_justify="left")
    table.add_column("directory", overflow="fold")
    table.add_column("check", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("time", justify="right")
    table.add_column("detail", overflow="fold")
    for r in results:
        style = {OK: "green", FAIL: "bold red"}.get(r.status, "yellow")
        table.add_row(Text(r.directory), r.check, Text(r.status, style=style), f"{r.seconds:.1f} s", Text(r.detail))
    return table


def markdown(results: list[StepResult], missing: dict[str, str], logdir: Path | None = None) -> str:
    lines = ["| directory | check | status | time | detail |", "|---|---|---|---:|---|"]
    for r in results:
        lines.append(f"| `{r.directory}` | {r.check} | {r.status} | {r.seconds:.1f} s | {r.detail.replace('|', '/')} |")
    lines += ["", *[f"- not installed: {name} — {why}" for name, why in missing.items()]]
    if logdir is not None:
        lines.append(f"- Terraform logs of the failed directories: `{logdir}`")
    return "\n".join(lines) + "\n"


def keep_failed_logs(logdir: Path, results: list[StepResult]) -> Path | None:
    """Keep the logs of directories with a failed Terraform step; None (and nothing left) otherwise."""
    failed = {log_name(r.directory) for r in results if r.status == FAIL and r.check in TERRAFORM_CHECKS}
    for log in logdir.glob("*.log"):
        if log.name not in failed:
            log.unlink()
    if not any(logdir.glob("*.log")):
        shutil.rmtree(logdir, ignore_errors=True)
        return None
    return logdir


def run(args: argparse.Namespace) -> int:
    repo = REPO_ROOT
    only = resolve_only(repo, args.only)
    console = Console(stderr=True, highlight=False)
    start = time.monotonic()
    logdir = Path(tempfile.mkdtemp(prefix="validate-", dir=logs_dir()))
    try:
        results = run_all(repo, only, console, args.workers, logdir)
    except BaseException:
        shutil.rmtree(logdir, ignore_errors=True)
        raise
    kept = keep_failed_logs(logdir, results)
    elapsed = time.monotonic() - start
    missing = missing_tools()
    failed = [r for r in results if r.status == FAIL]
    if args.format == "json":
        payload = {
            "ok": not failed,
            "seconds": round(elapsed, 1),
            "results": [asdict(r) | {"seconds": round(r.seconds, 2)} for r in results],
            "not_installed": missing,
            "terraform_logs": str(kept) if kept else None,
        }
        sys.stdout.write(json.dumps(payload, indent=2) + "\n")
    elif args.format == "markdown":
        sys.stdout.write(markdown(results, missing, kept))
    else:
        out = Console(highlight=False)
        out.print(summary_table(results))
        for name, why in missing.items():
            out.print(f"[yellow]not installed: {name}[/yellow] — {why}")
        verdict = "[bold green]all passed[/bold green]" if not failed else f"[bold red]{len(failed)} failed[/bold red]"
        dirs = len({r.directory for r in results})
        out.print(f"{verdict}: {len(results)} checks over {dirs} directories in {elapsed:.1f} s")
        if kept:
            out.print(f"Terraform logs of the failed directories: {kept}", markup=False, soft_wrap=True)
    return 1 if failed else 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "validate",
        help="fmt, init, validate and checkov over every module, example and root",
        description=(
            "terraform fmt -check, init -backend=false and validate for every directory with *.tf "
            "under modules/ and terraform/, then checkov (failures and skips without a reason fail). "
            "Parallel on every core. Exit 0 all passed, 1 failures, 2 missing toolchain."
        ),
    )
    parser.add_argument("--only", metavar="PATH", help="validate only this directory (and those below it)")
    parser.add_argument("--format", choices=("table", "json", "markdown"), default="table")
    parser.add_argument("--workers", type=int, default=None, metavar="N", help="parallel workers (default: CPU cores)")
    parser.set_defaults(func=run)
