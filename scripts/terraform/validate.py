"""The logic of ``python -m scripts validate``: fmt, init, validate for every Terraform directory, then checkov.

Directories are every directory with ``*.tf`` files under ``modules/`` and ``terraform/`` (modules,
their examples, the root and ``terraform/bootstrap``). All Terraform runs in a scratch copy of the
repository, so parallel inits never share ``.terraform`` directories and the working tree stays clean.

The default strategy, ``tree``, spends one process per job, not per directory:

- ``terraform fmt -check -recursive`` once over both trees;
- ``init -backend=false`` + ``validate`` once per *validation root*: a directory no other directory
  calls as a module (examples, the root, bootstrap, a module without an example). Validating a
  configuration validates every module it calls, with the caller's arguments, so a module an example
  calls needs no init and validate of its own: Terraform reports an error planted in the module from
  the example's ``validate`` (tests/unit/test_cli_validate.py proves it). Which modules a root really
  loaded is read from its ``.terraform/modules/modules.json`` after init; a module no root loaded is
  validated on its own;
- checkov once over the whole tree (``checkov -d .`` with the repository's ``.checkov.yaml``, as a
  new user runs it): one run also evaluates the module calls between directories, which runs per
  directory cannot. Its findings are reported per module.
- the usage snippets of every module README (``scripts/terraform/readme_snippets.py``): fmt, and one
  init + validate per root of snippets (all READMEs share as few roots as their declared names allow),
  reported per README (check ``readme snippets``). They run here, not in the unit tests, so that
  ``make check`` pays for them only when a README, a module or Terraform changed.

Passed results are cached (``~/.cache/imgclass-platform/validate-results.json``, or under
``PLATFORM_CACHE_DIR``) under a key over every file they read, Terraform and the provider: a root,
the README snippets or the checkov run whose inputs did not change is not run again (``--no-cache``
runs everything).
Failures are never cached.

``--strategy per-directory`` is the former way (fmt, init and validate in every directory, one checkov
process per module and one over ``terraform/``), kept for ``python -m scripts bench`` to measure
against. Either way a failed check or a skip without a reason (``checkov_runner.skip_has_reason``,
the rule's one statement) fails; tflint and terraform-docs run where installed, otherwise the report
says they did not run. Exit 0 when everything passed, 1 otherwise, 2 when the toolchain is missing.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from scripts.errors import UsageError
from scripts.terraform import readme_snippets
from scripts.terraform.checkov_runner import (
    CheckovError,
    CheckovResult,
    checkov_binary,
    checkov_version,
    run_checkov,
    skip_has_reason,
    unexplained_skips,
)
from scripts.terraform.tf import (
    REPO_ROOT,
    TerraformError,
    Workspace,
    first_diagnostic,
    logs_dir,
    scratch_copy,
    warm_plugin_cache,
)
from scripts.terraform.toolchain import Toolchain, cache_dir, optional_tool, toolchain

TREES = ("modules", "terraform")
OK, FAIL, SKIPPED = "ok", "FAIL", "skipped"
TERRAFORM_CHECKS = {"fmt", "init", "validate"}
TREE, PER_DIRECTORY = "tree", "per-directory"
STRATEGIES = (TREE, PER_DIRECTORY)
FORMATS = ("table", "json", "markdown")
# The row of a step that ran once for the whole tree (or for --only); its log file.
WHOLE = "."
FMT_LOG = "fmt.log"
CHECKOV_CONFIG = ".checkov.yaml"
# A local module call's source ("./x", "../x"). A static first guess at which directories a
# configuration calls; what Terraform really loaded is read from modules.json after init.
_LOCAL_SOURCE = re.compile(r'^\s*source\s*=\s*"(\.{1,2}/[^"]*)"', re.MULTILINE)
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


def local_module_calls(repo: Path, directory: str, dirs: set[str]) -> set[str]:
    """Directories of ``dirs`` that ``directory`` calls through a local ``source`` (read statically)."""
    found: set[str] = set()
    for tf in sorted((repo / directory).glob("*.tf")):
        for source in _LOCAL_SOURCE.findall(tf.read_text(encoding="utf-8", errors="replace")):
            target = os.path.normpath(f"{directory}/{source}")
            if target in dirs and target != directory:
                found.add(target)
    return found


def validation_roots(repo: Path, dirs: list[str]) -> list[str]:
    """The directories no other directory calls: validating them validates the rest."""
    everything = set(dirs)
    called = set().union(*(local_module_calls(repo, d, everything) for d in dirs))
    return [d for d in dirs if d not in called]


def modules_loaded(workdir: Path, scratch: Path) -> set[str]:
    """Scratch-relative directories of the local modules ``terraform init`` installed in ``workdir``."""
    manifest = workdir / ".terraform" / "modules" / "modules.json"
    try:
        entries = json.loads(manifest.read_text()).get("Modules", [])
    except (OSError, ValueError, AttributeError):
        return set()
    base = workdir.relative_to(scratch).as_posix()
    loaded = set()
    for entry in entries:
        key, where = entry.get("Key", ""), entry.get("Dir", "")
        if key and where and not PurePosixPath(where).is_absolute():
            loaded.add(os.path.normpath(f"{base}/{where}"))
    return loaded


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


# --- steps of the tree strategy ------------------------------------------------------------------


@dataclass
class RootOutcome:
    """init + validate of one validation root, and what its validate covered."""

    results: list[StepResult]
    # Scratch-relative module directories the root's validate checked (empty unless validate ran).
    loaded: set[str] = field(default_factory=set)
    # Errors by the directory of the file they point at (a called module's own files included).
    errors: dict[str, list[str]] = field(default_factory=dict)


def validate_root(
    scratch: Path, directory: str, tc: Toolchain, tflint: str | None = None, log: Path | None = None
) -> RootOutcome:
    """``init -backend=false`` and ``validate`` in one directory; errors are attributed to their files."""
    workdir = scratch / directory
    ws = Workspace(workdir, tc, log=log)
    outcome = RootOutcome([])

    def init() -> str:
        ws.init(backend=False)
        return ""

    def validate() -> str:
        report = ws.validate()
        first: list[str] = []
        for diag in report.get("diagnostics", []):
            if diag.get("severity") != "error":
                continue
            filename = diag.get("range", {}).get("filename")
            where = os.path.normpath(f"{directory}/{filename}") if filename else ""
            line = f"{diag.get('summary', 'invalid')}: {diag.get('detail', '')} {where}".strip()
            owner = PurePosixPath(where).parent.as_posix() if where else directory
            outcome.errors.setdefault(owner, []).append(line)
            first = first or [line]
        # Only a validate that ran vouches for the modules it loaded.
        outcome.loaded = modules_loaded(workdir, scratch) - {directory}
        if not report.get("valid"):
            raise StepFailed(first[0] if first else "invalid")
        warnings = [d.get("summary", "") for d in report.get("diagnostics", []) if d.get("severity") == "warning"]
        notes = [f"{len(warnings)} warnings: {warnings[0]}"] if warnings else []
        if outcome.loaded:
            notes.append(f"with the {len(outcome.loaded)} module(s) it calls")
        return "; ".join(notes)

    init_result = _timed(directory, "init", init)
    outcome.results.append(init_result)
    if init_result.status != OK:
        outcome.results.append(StepResult(directory, "validate", SKIPPED, 0.0, "init failed"))
        return outcome
    outcome.results.append(_timed(directory, "validate", validate))
    if tflint and outcome.results[-1].status == OK:
        outcome.results.append(_timed(directory, "tflint", lambda: run_tflint(tflint, workdir)))
    return outcome


def covered_results(dirs: list[str], outcomes: dict[str, RootOutcome]) -> tuple[list[StepResult], list[str]]:
    """A validate row for every module a root validated; and the directories no root covered."""
    rows: list[StepResult] = []
    leftovers: list[str] = []
    for d in dirs:
        if d in outcomes:
            continue
        through = sorted(root for root, outcome in outcomes.items() if d in outcome.loaded)
        if not through:
            leftovers.append(d)
            continue
        errors = [line for root in through for line in outcomes[root].errors.get(d, [])]
        via = f"through {through[0]}" + (f" (+{len(through) - 1} more)" if len(through) > 1 else "")
        rows.append(StepResult(d, "validate", FAIL if errors else OK, 0.0, f"{errors[0]} ({via})" if errors else via))
    return rows, leftovers


def fmt_tree(
    scratch: Path, dirs: list[str], only: str | None, tc: Toolchain, log: Path | None = None
) -> list[StepResult]:
    """One ``terraform fmt -check -recursive`` over both trees (or ``only``), reported per directory."""
    targets = [only] if only else [t for t in TREES if (scratch / t).is_dir()]
    start = time.monotonic()
    try:
        result = Workspace(scratch, tc, log=log).run(
            "fmt", "-check", "-list=true", "-recursive", *targets, ok_codes=(0, 3)
        )
    except TerraformError as exc:
        return [StepResult(WHOLE, "fmt", FAIL, time.monotonic() - start, first_diagnostic(exc.output))]
    seconds = time.monotonic() - start
    unformatted: dict[str, list[str]] = {}
    for line in result.out.splitlines():
        if line.strip():
            path = PurePosixPath(os.path.normpath(line.strip()))
            unformatted.setdefault(path.parent.as_posix(), []).append(path.name)
    count = sum(len(files) for files in unformatted.values())
    if result.retcode != 0 and not count:
        return [StepResult(WHOLE, "fmt", FAIL, seconds, "not formatted: see terraform fmt -diff")]
    summary = f"one process over {len(dirs)} directories" + (f": {count} files not formatted" if count else "")
    rows = [StepResult(WHOLE, "fmt", OK, seconds, summary)]
    for d in sorted(set(dirs) | set(unformatted)):
        files = unformatted.get(d)
        rows.append(
            StepResult(d, "fmt", FAIL if files else OK, 0.0, f"not formatted: {', '.join(files)}" if files else "")
        )
    return rows


def checkov_target_of(file: str, scanned: str, only: bool, targets: list[str]) -> str:
    """The report row of a checkov finding: its module, ``terraform``, else its directory."""
    if only:
        return targets[0]
    path = PurePosixPath(scanned, file.lstrip("/"))
    parts = path.parts
    if len(parts) > 2 and parts[0] == "modules":
        return "/".join(parts[:2])
    if parts and parts[0] == "terraform":
        return "terraform"
    return path.parent.as_posix()


def checkov_tree(repo: Path, only: Path | None = None) -> list[StepResult]:
    """One checkov run over the tree (``checkov -d .`` with .checkov.yaml), reported per module."""
    scan = only or repo
    config = repo / CHECKOV_CONFIG
    start = time.monotonic()
    try:
        # The repository's config chooses the frameworks; without one (a stand-in repo), Terraform.
        with_config = {"config_file": config, "frameworks": None} if config.is_file() else {}
        result = run_checkov(scan, **with_config)
    except CheckovError as exc:
        return [StepResult(WHOLE, "checkov", FAIL, time.monotonic() - start, f"checkov did not run: {exc}")]
    seconds = time.monotonic() - start
    scanned = scan.relative_to(repo).as_posix()
    targets = checkov_targets(repo, only)
    return checkov_rows(result, seconds, scanned, only is not None, targets)


def checkov_rows(
    result: CheckovResult, seconds: float, scanned: str, only: bool, targets: list[str]
) -> list[StepResult]:
    def where(file: str) -> str:
        return checkov_target_of(file, scanned, only, targets)

    passed: dict[str, int] = {}
    for file in result.passed_files:
        passed[where(file)] = passed.get(where(file), 0) + 1
    problems: dict[str, list[str]] = {}
    for f in result.failed:
        problems.setdefault(where(f.file), []).append(f"{f.check_id} {f.resource} ({f.file})")
    for f in unexplained_skips(result.skipped):
        problems.setdefault(where(f.file), []).append(f"skip of {f.check_id} on {f.resource} has no reason")
    explained: dict[str, int] = {}
    for f in result.skipped:
        if skip_has_reason(f.skip_reason):
            explained[where(f.file)] = explained.get(where(f.file), 0) + 1
    whole_status, whole_detail = OK, (f"one run over {scanned}: {result.passed} passed, {len(result.skipped)} skipped")
    if result.parsing_errors:
        whole_status, whole_detail = FAIL, f"{result.parsing_errors} files could not be parsed"
    rows = [StepResult(WHOLE, "checkov", whole_status, seconds, whole_detail)]
    for target in sorted(set(targets) | set(passed) | set(problems) | set(explained)):
        found = problems.get(target, [])
        if found:
            detail = f"{len(found)} problems: " + "; ".join(found[:5]) + (" ..." if len(found) > 5 else "")
            rows.append(StepResult(target, "checkov", FAIL, 0.0, detail))
        else:
            detail = f"{passed.get(target, 0)} passed, {explained.get(target, 0)} skipped with reasons"
            rows.append(StepResult(target, "checkov", OK, 0.0, detail))
    return rows


# --- results cache: what did not change is not validated again -----------------------------------

CACHE_FILE = "validate-results.json"
# Bump when a cached result would mean something else (new steps, different attribution).
CACHE_VERSION = "1"
# With the public registry a root without a lock file may resolve a newer provider tomorrow; the
# read-only mirror never changes under the same path, size and mtime.
REGISTRY_MAX_AGE = 24 * 3600
# Files checkov's frameworks here read (terraform, github_actions): a change to any invalidates its run.
_CHECKOV_SUFFIXES = (".tf", ".tf.json", ".tfvars", ".tfvars.json", ".hcl", ".yml", ".yaml")


def _digest(parts: Iterable[str]) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode())
        h.update(b"\0")
    return h.hexdigest()


def _file_entries(
    base: Path, under: Path, keep: Callable[[Path], bool] = lambda p: True, hidden: bool = True
) -> Iterator[str]:
    """``path:sha256`` of every file below ``under`` (relative to ``base``), .terraform dirs left out."""
    for dirpath, dirnames, filenames in os.walk(under):
        dirnames[:] = sorted(
            d
            for d in dirnames
            if d not in {".terraform", "__pycache__", "node_modules"} and (hidden or not d.startswith("."))
        )
        for name in sorted(filenames):
            path = Path(dirpath, name)
            if keep(path):
                yield f"{path.relative_to(base).as_posix()}:{hashlib.sha256(path.read_bytes()).hexdigest()}"


def toolchain_key(tc: Toolchain) -> str:
    """Terraform, where the provider comes from and, for the mirror, which binaries it holds."""
    parts = [CACHE_VERSION, tc.terraform, tc.version, tc.provider_source, str(tc.mirror)]
    parts.append(tc.cli_config.read_text() if tc.cli_config.exists() else "")
    if tc.mirror is not None:
        for binary in sorted(tc.mirror.rglob("terraform-provider-*")):
            stat = binary.stat()
            parts.append(f"{binary}:{stat.st_size}:{stat.st_mtime_ns}")
    return _digest(parts)


def module_closure(repo: Path, directory: str, every_dir: set[str]) -> set[str]:
    """``directory`` and every directory it calls, directly or through its modules (read statically)."""
    seen, todo = {directory}, [directory]
    while todo:
        for called in local_module_calls(repo, todo.pop(), every_dir) - seen:
            seen.add(called)
            todo.append(called)
    return seen


class ResultCache:
    """Passed results of validation roots and of the checkov run, keyed on everything they read.

    Only passes are kept: a failure runs again next time and shows Terraform's full output. A root's
    key covers its directory, every module directory it called last time it ran and every one it calls
    now (a new call changes the caller's files, so the key), recursively, plus Terraform, the provider's
    source and this module's CACHE_VERSION.
    """

    def __init__(self, path: Path | None, max_age: float | None = None) -> None:
        self.path = path
        self.max_age = max_age
        self.lock = threading.Lock()
        self.entries: dict[str, dict] = {}
        self.hits: list[str] = []
        if path is not None:
            try:
                loaded = json.loads(path.read_text())
            except (OSError, ValueError):
                loaded = {}
            self.entries = loaded if isinstance(loaded, dict) else {}

    def holds(self, name: str, key: str) -> bool:
        """Whether ``get`` would replay ``name`` (without counting it as a hit)."""
        entry = self.entries.get(name)
        if not isinstance(entry, dict) or entry.get("key") != key:
            return False
        return self.max_age is None or time.time() - float(entry.get("at", 0)) <= self.max_age

    def get(self, name: str, key: str) -> dict | None:
        if not self.holds(name, key):
            return None
        entry = self.entries[name]
        with self.lock:
            self.hits.append(name)
        return entry

    def put(self, name: str, key: str, results: list[StepResult], **extra: object) -> None:
        if any(r.status != OK for r in results):
            return
        with self.lock:
            self.entries[name] = {"key": key, "at": time.time(), "results": [asdict(r) for r in results], **extra}

    def save(self) -> None:
        if self.path is None:
            return
        tmp = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
        try:
            tmp.write_text(json.dumps(self.entries, indent=1, sort_keys=True))
            tmp.replace(self.path)
        except OSError as exc:
            raise UsageError(f"cannot write the validate cache {self.path}: {exc.strerror}") from exc

    @staticmethod
    def replay(entry: dict) -> list[StepResult]:
        return [
            StepResult(**(row | {"seconds": 0.0, "detail": f"cached; {row['detail']}" if row["detail"] else "cached"}))
            for row in entry["results"]
        ]

    def root_key(
        self,
        scratch: Path,
        repo: Path,
        directory: str,
        every_dir: set[str],
        tc: Toolchain,
        loaded: Iterable[str] | None = None,
    ) -> str:
        """The root's key over the scratch copy it runs in; ``loaded`` defaults to the last run's."""
        if loaded is None:
            loaded = self.entries.get(f"root:{directory}", {}).get("loaded", [])
        dirs = module_closure(repo, directory, every_dir) | set(loaded)

        def source(path: Path) -> bool:
            # The scratch copy holds no lock file (scratch_copy leaves them out): one there is init's output.
            return path.name != ".terraform.lock.hcl"

        files = [e for d in sorted(dirs) if (scratch / d).is_dir() for e in _file_entries(scratch, scratch / d, source)]
        return _digest([toolchain_key(tc), "root", directory, *sorted(dirs), *files])

    def snippets_key(self, scratch: Path, readmes: list[str], tc: Toolchain) -> str:
        """The README snippets' key: the READMEs, every module they may call, Terraform and the checker."""
        checker = Path(readme_snippets.__file__)
        files = [f"{r}:{hashlib.sha256((scratch / r).read_bytes()).hexdigest()}" for r in readmes]
        files += _file_entries(scratch, scratch / "modules", lambda p: p.suffix == ".tf")
        return _digest([toolchain_key(tc), "readme-snippets", checker.read_text(), *files])

    def checkov_key(self, repo: Path, scan: Path, binary: str) -> str:
        def read_by_checkov(path: Path) -> bool:
            return path.name.endswith(_CHECKOV_SUFFIXES)

        stat = Path(binary).stat()
        config = repo / CHECKOV_CONFIG
        parts = [CACHE_VERSION, "checkov", binary, str(stat.st_mtime_ns), str(scan.relative_to(repo))]
        parts.append(config.read_text() if config.is_file() else "")
        lock = repo / "requirements.lock"
        parts.append(lock.read_text() if lock.is_file() else "")
        # checkov skips hidden directories, except that its GitHub Actions runner reads .github.
        parts += _file_entries(repo, scan, read_by_checkov, hidden=False)
        if scan == repo and (repo / ".github").is_dir():
            parts += _file_entries(repo, repo / ".github", read_by_checkov)
        return _digest(parts)


def snippet_readmes(repo: Path, only: Path | None) -> list[str]:
    """The module READMEs whose snippets validate checks: every module's, or the one of ``--only``."""
    modules = repo / "modules"
    if only is not None and only != modules and modules not in only.parents:
        return []
    # A module without a README fails test_readme_snippets.py; here there is nothing to check.
    readmes = [r for r in readme_snippets.module_readmes(modules) if r.is_file()] if modules.is_dir() else []
    if only is not None and only != modules:
        readmes = [r for r in readmes if r.parent == only]
    return [r.relative_to(repo).as_posix() for r in readmes]


def snippet_rows(scratch: Path, readmes: list[str], tc: Toolchain) -> list[StepResult]:
    """One ``readme snippets`` row per README: fmt + init + validate of its hcl blocks, all READMEs at once."""
    start = time.monotonic()
    blocks = [b for r in readmes for b in readme_snippets.readme_blocks(scratch / r, scratch)]
    try:
        problems = readme_snippets.snippet_problems(blocks, scratch / ".readme-snippets", tc, scratch / "modules")
    except TerraformError as exc:
        problems = {r: [str(exc)] for r in readmes}
    seconds = (time.monotonic() - start) / max(len(readmes), 1)
    rows = []
    for readme in readmes:
        found = problems.get(readme, [])
        count = sum(b.readme == readme for b in blocks)
        if count == 0:
            found = [f"{readme} has no ```hcl usage snippet"]
        detail = " | ".join(found) if found else f"{count} block(s): fmt, init + validate"
        rows.append(
            StepResult(
                PurePosixPath(readme).parent.as_posix(), "readme snippets", FAIL if found else OK, seconds, detail
            )
        )
    for other, found in problems.items():
        if other not in readmes:
            rows.append(StepResult(WHOLE, "readme snippets", FAIL, 0.0, " | ".join(found)))
    return rows


# --- running -----------------------------------------------------------------------------------


def log_name(directory: str) -> str:
    return directory.replace("/", "__") + ".log"


class Board:
    """The live progress bar, and one printed line per finished job."""

    def __init__(self, console: Console) -> None:
        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        self.task = self.progress.add_task("validating", total=0)
        self.total = 0

    def __enter__(self) -> Board:
        self.progress.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.__exit__(*exc)  # type: ignore[arg-type]

    def expect(self, jobs: int) -> None:
        self.total += jobs
        self.progress.update(self.task, total=self.total)

    def track(self, jobs: dict[Future, str]) -> list[StepResult]:
        """Wait for ``jobs`` (futures of lists of results), printing each as it finishes."""
        results: list[StepResult] = []
        for future in as_completed(jobs):
            done = future.result()
            results += done
            failed = [r for r in done if r.status == FAIL]
            line = Text.from_markup("[red]✗[/red]" if failed else "[green]✓[/green]")
            steps = " ".join(f"{r.check} {r.status}" for r in done[:4]) + (" ..." if len(done) > 4 else "")
            line.append(f" {jobs[future]}: {steps} ({sum(r.seconds for r in done):.1f} s)")
            self.progress.console.print(line)
            self.progress.advance(self.task)
        return results


def default_workers() -> int:
    """Concurrent Terraform processes: one per core (a validate is CPU-bound: schema, checksum)."""
    return os.cpu_count() or 1


def run_all(
    repo: Path,
    only: Path | None,
    console: Console,
    workers: int | None = None,
    logdir: Path | None = None,
    strategy: str = TREE,
    use_cache: bool = False,
) -> list[StepResult]:
    """Every step over ``only`` (or the whole tree); Terraform's output per directory goes to ``logdir``.

    ``use_cache`` (tree strategy only): passed results whose inputs did not change are reused.
    """
    if strategy not in STRATEGIES:
        raise UsageError(f"unknown strategy {strategy!r}: one of {', '.join(STRATEGIES)}")
    tc = toolchain()
    warm_plugin_cache()
    cache = None
    if use_cache and strategy == TREE:
        max_age = None if tc.provider_source == "mirror" else REGISTRY_MAX_AGE
        cache = ResultCache(cache_dir() / CACHE_FILE, max_age)
    # A checkov that is missing or does not run is exit 2 and one line now, before any progress line,
    # not a failed row at the end. `checkov --version` costs seconds, so not when the cached result of
    # the checkov run is replayed: then checkov does not run at all.
    binary = checkov_binary()
    if cache is None or not cache.holds(checkov_cache_name(repo, only), cache.checkov_key(repo, only or repo, binary)):
        checkov_version()
    dirs = terraform_dirs(repo, only)
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

    def log(name: str) -> Path | None:
        return logdir / name if logdir is not None else None

    try:
        for tree in TREES:
            if (repo / tree).is_dir():
                scratch_copy(tree, scratch)
        with (
            Board(console) as board,
            ThreadPoolExecutor(max_workers=workers or default_workers()) as pool,
            ThreadPoolExecutor(max_workers=1) as side,
        ):
            docs_jobs: dict[Future, str] = {
                pool.submit(lambda m=m: [_timed(m, "terraform-docs", lambda: run_terraform_docs(docs, repo, m))]): m
                for m in doc_modules
            }
            run = _Run(repo, scratch, only, dirs, tc, tflint, log, board, pool, docs_jobs)
            results += _per_directory(run) if strategy == PER_DIRECTORY else _tree(run, side, cache)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    order = {"fmt": 0, "init": 1, "validate": 2, "tflint": 3, "terraform-docs": 4, "readme snippets": 5, "checkov": 6}
    return sorted(results, key=lambda r: (r.directory, order.get(r.check, 9)))


@dataclass(frozen=True)
class _Run:
    """What both strategies work with: the tree, its scratch copy, the tools, the progress board and pool."""

    repo: Path
    scratch: Path
    only: Path | None
    dirs: list[str]
    tc: Toolchain
    tflint: str | None
    log: Callable[[str], Path | None]
    board: Board
    pool: ThreadPoolExecutor
    docs_jobs: dict[Future, str]


def _per_directory(run: _Run) -> list[StepResult]:
    """The former way: fmt, init and validate in every directory; checkov once per module."""
    jobs: dict[Future, str] = {}
    # checkov runs are the longest: start them first so they do not form the tail.
    for t in checkov_targets(run.repo, run.only):
        jobs[run.pool.submit(lambda t=t: [checkov_step(run.repo, t)])] = f"checkov {t}"
    for d in run.dirs:
        jobs[run.pool.submit(terraform_steps, run.scratch / d, d, run.tc, run.tflint, run.log(log_name(d)))] = d
    jobs.update(run.docs_jobs)
    run.board.expect(len(jobs))
    return run.board.track(jobs)


def checkov_cache_name(repo: Path, only: Path | None) -> str:
    return f"checkov:{(only or repo).relative_to(repo).as_posix()}"


def _tree(run: _Run, side: ThreadPoolExecutor, cache: ResultCache | None = None) -> list[StepResult]:
    """One fmt, one init + validate per validation root, one checkov run beside them."""
    repo, scratch, only, dirs, tc, tflint, log = run.repo, run.scratch, run.only, run.dirs, run.tc, run.tflint, run.log
    pool, board = run.pool, run.board
    only_rel = only.relative_to(repo).as_posix() if only is not None else None
    outcomes: dict[str, RootOutcome] = {}
    every_dir = set(terraform_dirs(repo))

    def root(d: str) -> list[StepResult]:
        key = cache.root_key(scratch, repo, d, every_dir, tc) if cache is not None else ""
        hit = cache.get(f"root:{d}", key) if cache is not None else None
        if hit is not None:
            outcomes[d] = RootOutcome(ResultCache.replay(hit), loaded=set(hit.get("loaded", [])))
            return outcomes[d].results
        outcomes[d] = validate_root(scratch, d, tc, tflint, log(log_name(d)))
        if cache is not None:
            # Keyed on the modules this run loaded: what the next lookup will read back.
            loaded = outcomes[d].loaded
            key = cache.root_key(scratch, repo, d, every_dir, tc, loaded)
            cache.put(f"root:{d}", key, outcomes[d].results, loaded=sorted(loaded))
        return outcomes[d].results

    def checkov() -> list[StepResult]:
        scan = only or repo
        name = checkov_cache_name(repo, only)
        key = cache.checkov_key(repo, scan, checkov_binary()) if cache is not None else ""
        hit = cache.get(name, key) if cache is not None else None
        if hit is not None:
            return ResultCache.replay(hit)
        rows = checkov_tree(repo, only)
        if cache is not None:
            cache.put(name, key, rows)
        return rows

    readmes = snippet_readmes(repo, only)

    def snippets() -> list[StepResult]:
        key = cache.snippets_key(scratch, readmes, tc) if cache is not None else ""
        hit = cache.get("readme-snippets", key) if cache is not None else None
        if hit is not None:
            return ResultCache.replay(hit)
        rows = snippet_rows(scratch, readmes, tc)
        if cache is not None:
            cache.put("readme-snippets", key, rows)
        return rows

    # checkov is the longest single job: it gets its own thread, not one of the Terraform slots.
    checkov_job = {side.submit(checkov): f"checkov over {only_rel or 'the tree'} (one run)"}
    jobs: dict[Future, str] = {pool.submit(fmt_tree, scratch, dirs, only_rel, tc, log(FMT_LOG)): "fmt (one run)"}
    if readmes:
        jobs[pool.submit(snippets)] = f"README snippets of {len(readmes)} module(s): fmt, init + validate"
    # The deployable roots are the biggest configurations: first, so they do not form the tail.
    roots = sorted(validation_roots(repo, dirs), key=lambda d: (not d.startswith("terraform"), d))
    for d in roots:
        jobs[pool.submit(root, d)] = f"{d}: init + validate"
    jobs.update(run.docs_jobs)
    board.expect(len(jobs) + 1)
    results = board.track(jobs)
    covered, leftovers = covered_results(dirs, outcomes)
    results += covered
    # A module no root loaded (init failed, or no example calls it after all): on its own.
    more: dict[Future, str] = {pool.submit(root, d): f"{d}: init + validate (no root loaded it)" for d in leftovers}
    if tflint:
        for row in covered:
            more[
                pool.submit(lambda d=row.directory: [_timed(d, "tflint", lambda: run_tflint(tflint, scratch / d))])
            ] = f"{row.directory}: tflint"
    board.expect(len(more))
    results += board.track(more)
    results += board.track(checkov_job)
    if cache is not None:
        cache.save()
    return results


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
    # The tree strategy runs fmt once, into its own log; per directory, fmt shares the directory's log.
    one_fmt = any(r.directory == WHOLE and r.check == "fmt" for r in results)
    failed = {
        FMT_LOG if one_fmt and r.check == "fmt" else log_name(r.directory)
        for r in results
        if r.status == FAIL and r.check in TERRAFORM_CHECKS
    }
    for log in logdir.glob("*.log"):
        if log.name not in failed:
            log.unlink()
    if not any(logdir.glob("*.log")):
        shutil.rmtree(logdir, ignore_errors=True)
        return None
    return logdir


def validate(only_arg: str | None, output: str, workers: int | None, strategy: str, use_cache: bool) -> int:
    """Validate the tree (or ``only_arg``), print the report in ``output`` format; 0 all passed, 1 failures."""
    repo = REPO_ROOT
    only = resolve_only(repo, only_arg)
    console = Console(stderr=True, highlight=False)
    start = time.monotonic()
    logdir = Path(tempfile.mkdtemp(prefix="validate-", dir=logs_dir()))
    try:
        results = run_all(repo, only, console, workers, logdir, strategy, use_cache=use_cache)
    except BaseException:
        shutil.rmtree(logdir, ignore_errors=True)
        raise
    kept = keep_failed_logs(logdir, results)
    elapsed = time.monotonic() - start
    missing = missing_tools()
    failed = [r for r in results if r.status == FAIL]
    if output == "json":
        payload = {
            "ok": not failed,
            "seconds": round(elapsed, 1),
            "results": [asdict(r) | {"seconds": round(r.seconds, 2)} for r in results],
            "not_installed": missing,
            "terraform_logs": str(kept) if kept else None,
        }
        sys.stdout.write(json.dumps(payload, indent=2) + "\n")
    elif output == "markdown":
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
