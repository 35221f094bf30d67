"""Terraform driven from Python: scratch copies, init/validate/plan/apply/output/destroy, idempotency.

One ``Workspace`` is one root configuration in a scratch directory of its own, so tests and commands
can run in parallel without sharing ``.terraform`` directories, state or variable files. Execution goes
through ``tftest`` (see docs/adr/0001-terraform-wrapper.md); this module adds the project's toolchain
resolution, the emulator override and readable errors.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import re
import secrets
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tftest

from scripts.errors import PlatformError, UsageError
from scripts.terraform.inventory import PlanInventory
from scripts.terraform.toolchain import Toolchain, ToolchainError, cache_dir, toolchain

# tftest logs every line Terraform prints (INFO) and, on failure, the whole output again (CRITICAL).
# With no logging configured, Python's last-resort handler writes that CRITICAL record to stderr:
# thousands of lines before the project's own one-line summary. The project keeps Terraform's
# output in TerraformError.output and in the Workspace's log file instead.
_TFTEST_LOGGER = logging.getLogger("tftest")
_TFTEST_LOGGER.addHandler(logging.NullHandler())
_TFTEST_LOGGER.propagate = False

REPO_ROOT = Path(__file__).resolve().parents[2]
# What a configuration may reference through relative paths: copied whole into every scratch dir.
COPIED_TREES = ("modules", "terraform")
_IGNORED = shutil.ignore_patterns(
    ".terraform",
    "*.tfstate",
    "*.tfstate.*",
    "*_override.tf",
    "*.tfplan",
    "__pycache__",
    ".terraform.lock.hcl",
)
VARS_FILE = "zz_harness.auto.tfvars.json"
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_DIAGNOSTIC_START = re.compile(r"^(Error|Warning): (.*)$")
# A diagnostic's source block: "  on FILE line N:" (after "  with ADDRESS," for resources in modules).
_SNIPPET_START = re.compile(r"^\s{1,4}(on|with) ")
_TFTEST_FAILURE = re.compile(r"^Error running command \S+: (-?\d+) ", re.DOTALL)
# Summaries Terraform gives a failed validation block or custom condition: the configuration refused
# its inputs. Their detail is the author's error_message (checked against Terraform 1.11's output).
REFUSAL_SUMMARIES = (
    "Invalid value for variable",
    "Resource precondition failed",
    "Resource postcondition failed",
    "Module output value precondition failed",
)
_CHECKED_BY = "This was checked by "


@dataclass(frozen=True)
class Diagnostic:
    """One ``Error:`` or ``Warning:`` block of Terraform's human-readable output."""

    severity: str  # "error" or "warning"
    summary: str
    detail: tuple[str, ...]  # paragraphs, each joined into one line; source snippets left out

    @property
    def refusal(self) -> bool:
        """A validation block or a pre/postcondition failed: the configuration refused the inputs."""
        return self.summary in REFUSAL_SUMMARIES

    @property
    def message(self) -> str:
        """One line: a refusal's own error_message; otherwise the summary and the detail's first paragraph."""
        # Only the first paragraph: in -no-color output nothing marks where the last diagnostic
        # ends, and an error_message is one paragraph in practice.
        if self.refusal and self.detail and not self.detail[0].startswith(_CHECKED_BY):
            return self.detail[0]
        return f"{self.summary}: {self.detail[0]}" if self.detail else self.summary


def _plain_lines(output: str) -> list[str | None]:
    """Output lines with the box drawing of colour mode removed; None where a box closes."""
    lines: list[str | None] = []
    for raw in _ANSI.sub("", output).splitlines():
        line = raw.rstrip()
        if line in ("╷", "╵"):
            lines.append(None)
        elif line.startswith("│"):
            lines.append(line[2:] if line.startswith("│ ") else line[1:])
        else:
            lines.append(line)
    return lines


def diagnostics(output: str) -> list[Diagnostic]:
    """Every diagnostic in Terraform's human-readable output (``-no-color`` or colour mode).

    A diagnostic is ``Error: SUMMARY``, a blank line, an optional source block (``on FILE line N:``,
    the quoted line and the values of the expression: not the author's words), then the detail.
    Detail paragraphs are separated by blank lines; Terraform wraps them at 78 columns, so the
    lines of a paragraph are joined again.
    """
    found: list[Diagnostic] = []
    current: tuple[str, str, list[str]] | None = None

    def close() -> None:
        if current is None:
            return
        severity, summary, body = current
        paragraphs: list[list[str]] = [[]]
        for line in body:
            if line.strip():
                paragraphs[-1].append(line)
            elif paragraphs[-1]:
                paragraphs.append([])
        detail = tuple(
            " ".join(" ".join(ln.split()) for ln in para)
            for para in paragraphs
            if para and not _SNIPPET_START.match(para[0])
        )
        found.append(Diagnostic(severity, summary, detail))

    for line in _plain_lines(output):
        start = _DIAGNOSTIC_START.match(line) if line is not None else None
        if start or line is None:
            close()
            current = (start.group(1).lower(), start.group(2).strip(), []) if start else None
        elif current is not None:
            current[2].append(line)
    close()
    return found


def error_messages(output: str) -> list[str]:
    """One line per distinct error, refusals (the configuration's own messages) first."""
    errors = [d for d in diagnostics(output) if d.severity == "error"]
    ordered = [d for d in errors if d.refusal] + [d for d in errors if not d.refusal]
    return list(dict.fromkeys(d.message for d in ordered))


def first_diagnostic(output: str) -> str:
    """The most useful error as one line; without any ``Error:``, the last line of the output."""
    messages = error_messages(output)
    if messages:
        return messages[0]
    tail = [ln.strip() for ln in _ANSI.sub("", output).splitlines() if ln.strip()]
    return tail[-1] if tail else "no output"


class TerraformError(PlatformError, RuntimeError):
    """A Terraform command failed. ``str()`` is the most useful error; ``output`` is everything.

    ``log`` is the file holding the whole output when the Workspace keeps one; the CLI writes one
    otherwise, so a failure that reaches it is always one line plus a path.
    """

    def __init__(self, command: str, output: str, log: Path | None = None) -> None:
        self.command = command
        self.output = _ANSI.sub("", output)
        self.log = log
        super().__init__(f"terraform {command} failed: {first_diagnostic(self.output)}")

    @property
    def messages(self) -> list[str]:
        return error_messages(self.output)

    @property
    def refusals(self) -> list[str]:
        """The configuration's own messages (validations, conditions), one per distinct error."""
        found = [d for d in diagnostics(self.output) if d.severity == "error" and d.refusal]
        return list(dict.fromkeys(d.message for d in found))

    def one_line(self) -> str:
        if self.log is None and self.output.strip():
            self.log = write_log(f"terraform-{self.command}", self.output)
        return super().one_line()


def logs_dir() -> Path:
    """Where logs go that no command asked for elsewhere: build/logs, or the temp dir if read-only."""
    for candidate in (REPO_ROOT / "build" / "logs", Path(tempfile.gettempdir()) / "imgclass-platform-logs"):
        try:
            candidate.mkdir(parents=True, exist_ok=True)
        except OSError:
            continue
        if os.access(candidate, os.W_OK):
            return candidate
    raise UsageError("no writable directory for logs: neither build/logs nor the temp dir")


def write_log(name: str, text: str) -> Path:
    """Write ``text`` to a new file named after ``name`` and the time; returns its path."""
    path = logs_dir() / f"{name}-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{secrets.token_hex(2)}.log"
    path.write_text(text)
    return path


def unique_name(prefix: str, max_len: int = 32) -> str:
    """A name unique per run and per xdist worker, valid for S3, RDS and IAM (lowercase, dashes)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw")
    suffix = f"{worker}-{secrets.token_hex(3)}"
    head = prefix[: max_len - len(suffix) - 1].rstrip("-")
    return f"{head}-{suffix}".lower()


def scratch_copy(relpath: str | Path, dest_root: Path | None = None) -> Path:
    """Copy the repository's Terraform trees to a scratch dir and return the copy of ``relpath``."""
    root = Path(dest_root) if dest_root else Path(tempfile.mkdtemp(prefix="tfscratch-"))
    for tree in COPIED_TREES:
        src = REPO_ROOT / tree
        if src.is_dir():
            shutil.copytree(src, root / tree, ignore=_IGNORED, dirs_exist_ok=True)
    target = root / relpath
    if not target.is_dir():
        raise FileNotFoundError(f"{relpath} is not a Terraform directory of this repository")
    return target


@dataclass
class Workspace:
    """One root configuration in a directory of its own.

    ``log``: a file every command's full output is appended to (the command line, stdout, stderr,
    exit code), for the person who needs more than the one-line summary.
    """

    tfdir: Path
    tc: Toolchain = field(default_factory=toolchain)
    extra_env: dict[str, str] = field(default_factory=dict)
    log: Path | None = None

    def __post_init__(self) -> None:
        self.tfdir = Path(self.tfdir)
        if self.log is not None:
            self.log = Path(self.log)
        self._tf = tftest.TerraformTest(
            str(self.tfdir), binary=self.tc.terraform, env={**self.tc.env(), **self.extra_env}
        )
        # tftest copies os.environ at construction; the project's TF_CLI_CONFIG_FILE must win.
        self._tf.env.update({**self.tc.env(), **self.extra_env})

    # --- set-up ----------------------------------------------------------------------------
    @classmethod
    def scratch(
        cls,
        relpath: str | Path,
        emulator: Any = None,
        dest_root: Path | None = None,
        local_backend: bool = False,
    ) -> Workspace:
        """A scratch copy of ``relpath``; with an emulator, the provider override is written into it."""
        tfdir = scratch_copy(relpath, dest_root)
        env: dict[str, str] = {}
        if emulator is not None:
            from scripts.emulator.override import write_override

            write_override(tfdir, emulator.endpoint_url, emulator.region, local_backend=local_backend)
            env = emulator.env()
        return cls(tfdir, extra_env=env)

    def set_vars(self, tf_vars: Mapping[str, Any] | None) -> None:
        """Variables for every later command, as an auto-loaded JSON file (no shell quoting)."""
        path = self.tfdir / VARS_FILE
        if tf_vars:
            path.write_text(json.dumps(dict(tf_vars), indent=2))
        elif path.exists():
            path.unlink()

    # --- commands --------------------------------------------------------------------------
    def run(self, command: str, *args: str, ok_codes: tuple[int, ...] = (0,)) -> tftest.TerraformCommandOutput:
        # `state` takes its subcommand first and has no -no-color of its own.
        flags = () if command == "state" else ("-no-color",)
        try:
            result = self._tf.execute_command(command, *flags, *args)
        except tftest.TerraformTestError as exc:
            result = _from_tftest_error(exc)
        self._append_log(command, (*flags, *args), result)
        if result.retcode not in ok_codes:
            raise TerraformError(command, f"{result.out}\n{result.err}", self.log)
        return result

    def start(self, command: str, *args: str) -> subprocess.Popen[str]:
        """``terraform <command> <args>`` running, its output and errors merged on ``stdout`` as text.

        In a process group of its own, so that the caller signals Terraform and its provider plugins
        together (an interrupted apply, ``make demo``'s Ctrl-C) and nothing is left running if the
        caller itself is lost."""
        return subprocess.Popen(
            [self.tc.terraform, command, *args],
            cwd=self.tfdir,
            env={**os.environ, **self.tc.env(), **self.extra_env},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )

    def _append_log(self, command: str, args: tuple[str, ...], result: tftest.TerraformCommandOutput) -> None:
        if self.log is None:
            return
        out = result.out or ""
        if command in ("show", "output") and "-json" in args and result.retcode == 0:
            # Machine-readable output holds sensitive values in clear; callers save what they need.
            out = f"({len(out)} characters of JSON output, not copied into the log)\n"
        try:
            with self.log.open("a", encoding="utf-8") as handle:
                handle.write(f"$ terraform {command} {' '.join(args)}\n{out}")
                if result.err:
                    handle.write(result.err if result.err.endswith("\n") else result.err + "\n")
                handle.write(f"(exit {result.retcode})\n\n")
        except OSError as exc:
            raise UsageError(f"cannot write the Terraform log {self.log}: {exc.strerror}") from exc

    def init(self, backend: bool = True, backend_config: Mapping[str, str] | str | None = None) -> str:
        args = ["-input=false"]
        if not backend:
            args.append("-backend=false")
        if isinstance(backend_config, str):
            args.append(f"-backend-config={backend_config}")
        elif backend_config:
            args += [f"-backend-config={k}={v}" for k, v in backend_config.items()]
        return self.run("init", *args).out

    def validate(self) -> dict[str, Any]:
        result = self.run("validate", "-json", ok_codes=(0, 1))
        return json.loads(result.out)

    def plan(self, tf_vars: Mapping[str, Any] | None = None, out: Path | None = None, *extra: str) -> PlanInventory:
        """Plan into a saved plan file and return its inventory (from ``terraform show -json``)."""
        if tf_vars is not None:
            self.set_vars(tf_vars)
        plan_file = out or self.tfdir / "harness.tfplan"
        self.run("plan", "-input=false", f"-out={plan_file}", *extra)
        return PlanInventory.from_json(self.show_json(plan_file))

    def show_json(self, plan_file: Path) -> dict[str, Any]:
        return json.loads(self.run("show", "-json", str(plan_file)).out)

    def plan_error(self, tf_vars: Mapping[str, Any] | None = None) -> str:
        """Plan that must fail; returns the error output (for asserting on validation messages)."""
        if tf_vars is not None:
            self.set_vars(tf_vars)
        try:
            self.run("plan", "-input=false", "-refresh=false")
        except TerraformError as exc:
            return exc.output
        raise AssertionError("terraform plan succeeded, but an error was expected")

    def apply(self, tf_vars: Mapping[str, Any] | None = None, *extra: str) -> str:
        if tf_vars is not None:
            self.set_vars(tf_vars)
        return self.run("apply", "-input=false", "-auto-approve", *extra).out

    def output(self) -> dict[str, Any]:
        raw = json.loads(self.run("output", "-json").out)
        return {k: v["value"] for k, v in raw.items()}

    def destroy(self, *extra: str) -> str:
        return self.run("destroy", "-input=false", "-auto-approve", *extra).out

    def state_resources(self) -> list[str]:
        result = self.run("state", "list", ok_codes=(0, 1))
        return [ln for ln in result.out.splitlines() if ln.strip()]

    def replan(self) -> tuple[int, PlanInventory]:
        """Re-plan with ``-detailed-exitcode``: (0 no changes | 2 changes, inventory)."""
        plan_file = self.tfdir / "replan.tfplan"
        result = self.run("plan", "-input=false", "-detailed-exitcode", f"-out={plan_file}", ok_codes=(0, 2))
        return result.retcode, PlanInventory.from_json(self.show_json(plan_file))


def _from_tftest_error(exc: tftest.TerraformTestError) -> tftest.TerraformCommandOutput:
    """The exit code, stdout and stderr back out of tftest's exception.

    tftest raises for exit codes 1 and 11 with the message ``Error running command CMD: CODE OUT ERR``
    and ``ERR`` as its second argument; anything else (a missing binary) becomes exit code -1.
    """
    message = str(exc.args[0]) if exc.args else str(exc)
    err = str(exc.args[1]) if len(exc.args) > 1 and exc.args[1] else ""
    match = _TFTEST_FAILURE.match(message)
    if match is None:
        return tftest.TerraformCommandOutput(-1, "", message)
    body = message[match.end() :]
    suffix = f" {err}"
    out = body[: -len(suffix)] if body.endswith(suffix) else body
    return tftest.TerraformCommandOutput(int(match.group(1)), out, err)


@contextmanager
def file_lock(name: str) -> Iterator[None]:
    """An exclusive lock shared by every process on the machine (xdist workers, parallel make jobs)."""
    lock_path = cache_dir() / f"{name}.lock"
    try:
        handle = lock_path.open("w")
    except OSError as exc:
        raise ToolchainError(f"cannot create the lock file {lock_path}: {exc.strerror}") from exc
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# The repository's one statement of the Terraform and provider versions (ADR 0023): every configuration
# links it as versions.tf, and the roots this tooling writes read the provider constraint from it.
VERSIONS_FILE = REPO_ROOT / "modules" / "_shared" / "versions.tf"
_AWS_CONSTRAINT = re.compile(r'\baws\s*=\s*\{[^}]*\bversion\s*=\s*"([^"]+)"', re.DOTALL)


def aws_constraint(versions_text: str) -> str | None:
    """The AWS provider version constraint a ``terraform`` block states, if it states one."""
    match = _AWS_CONSTRAINT.search(versions_text)
    return match.group(1) if match else None


def provider_constraint(versions_file: Path = VERSIONS_FILE) -> str:
    """The AWS provider version constraint the repository's configurations accept."""
    try:
        constraint = aws_constraint(versions_file.read_text())
    except OSError as exc:
        raise ToolchainError(f"cannot read the provider versions from {versions_file}: {exc.strerror}") from None
    if constraint is None:
        raise ToolchainError(f"{versions_file} states no version constraint for the aws provider")
    return constraint


def warmup_config() -> str:
    """A configuration that needs nothing but the AWS provider, at the repository's constraint."""
    return (
        "terraform {\n  required_providers {\n"
        f'    aws = {{ source = "hashicorp/aws", version = "{provider_constraint()}" }}\n'
        "  }\n}\n"
    )


def warm_plugin_cache() -> None:
    """Fill the shared plugin cache once, under a lock; parallel first writes to it are not safe."""
    tc = toolchain()
    if tc.provider_source == "mirror":
        return  # nothing shared to fill: each init links the read-only mirror directly
    with file_lock("plugin-cache"):
        if any(tc.plugin_cache.glob("registry.terraform.io/hashicorp/aws/*/*")):
            return
        with tempfile.TemporaryDirectory(prefix="tfwarm-") as tmp:
            Path(tmp, "main.tf").write_text(warmup_config())
            try:
                Workspace(Path(tmp), tc).init(backend=False)
            except TerraformError as exc:
                log = write_log("plugin-cache", exc.output)
                raise ToolchainError(
                    f"filling the provider plugin cache {tc.plugin_cache} failed: {first_diagnostic(exc.output)} "
                    f"(full Terraform log: {log})"
                ) from exc
