"""Terraform driven from Python: scratch copies, init/validate/plan/apply/output/destroy, idempotency.

One ``Workspace`` is one root configuration in a scratch directory of its own, so tests and commands
can run in parallel without sharing ``.terraform`` directories, state or variable files. Execution goes
through ``tftest`` (see docs/adr/0001-terraform-wrapper.md); this module adds the project's toolchain
resolution, the emulator override and readable errors.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import secrets
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tftest

from scripts.inventory import PlanInventory
from scripts.toolchain import Toolchain, cache_dir, toolchain

REPO_ROOT = Path(__file__).resolve().parent.parent
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
_SOURCE_LINE = re.compile(r"^\d+:")  # the source snippet Terraform quotes under a diagnostic


class TerraformError(RuntimeError):
    """A Terraform command failed. ``str()`` is the first diagnostic; ``output`` is everything."""

    def __init__(self, command: str, output: str) -> None:
        self.command = command
        self.output = _ANSI.sub("", output)
        super().__init__(f"terraform {command} failed: {first_diagnostic(self.output)}")


def first_diagnostic(output: str) -> str:
    """The first ``Error:`` summary and its detail line, joined into one line."""
    lines = [ln.strip(" │╷╵\t") for ln in output.splitlines()]
    for i, line in enumerate(lines):
        if line.startswith("Error:"):
            detail = [
                ln
                for ln in lines[i + 1 : i + 16]
                if ln and not ln.startswith(("on ", "with ", "├", "│")) and not _SOURCE_LINE.match(ln)
            ]
            summary = line[len("Error:") :].strip()
            return f"{summary}: {detail[0]}" if detail else summary
    tail = [ln for ln in lines if ln]
    return tail[-1] if tail else "no output"


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
    tfdir: Path
    tc: Toolchain = field(default_factory=toolchain)
    extra_env: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.tfdir = Path(self.tfdir)
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
            raise TerraformError(command, str(exc.args[0]) if exc.args else str(exc)) from None
        if result.retcode not in ok_codes:
            raise TerraformError(command, f"{result.out}\n{result.err}")
        return result

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


@contextmanager
def file_lock(name: str) -> Iterator[None]:
    """An exclusive lock shared by every process on the machine (xdist workers, parallel make jobs)."""
    lock_path = cache_dir() / f"{name}.lock"
    with lock_path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


WARMUP_CONFIG = """\
terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = ">= 5.100, < 7.0" }
  }
}
"""


def warm_plugin_cache() -> None:
    """Fill the shared plugin cache once, under a lock; parallel first writes to it are not safe."""
    tc = toolchain()
    if tc.provider_source == "mirror":
        return  # nothing shared to fill: each init links the read-only mirror directly
    with file_lock("plugin-cache"):
        if any(tc.plugin_cache.glob("registry.terraform.io/hashicorp/aws/*/*")):
            return
        with tempfile.TemporaryDirectory(prefix="tfwarm-") as tmp:
            Path(tmp, "main.tf").write_text(WARMUP_CONFIG)
            Workspace(Path(tmp), tc).init(backend=False)
