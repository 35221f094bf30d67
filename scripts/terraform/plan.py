"""The logic of ``python -m scripts plan --env ENV``: plan an environment of the root configuration
and run the policy checks.

Against real AWS (the caller's credentials, the environment's S3 backend) or, with ``--emulator``,
against the embedded AWS emulator: there the "existing" network the root looks up is created first
(``scripts.emulator.network``) and state stays in a local backend of the scratch copy.

Steps: init (``terraform/environments/<env>.s3.tfbackend`` with the account's state bucket and KMS key
from ``STATE_BUCKET`` / ``STATE_KMS_KEY_ARN``: ``scripts.terraform.backend``), plan with
``terraform/environments/<env>.tfvars`` into ``<out>/<env>.tfplan``, ``terraform show -json`` into
``<out>/<env>.tfplan.json``, checks, report. Exit 0 safe, 1 policy violations (including inputs the
configuration's own validations and conditions refuse), 2 usage or environment errors.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.text import Text

from scripts.checks import CheckOptions, Report, run_checks
from scripts.errors import UsageError
from scripts.terraform.backend import backend_config
from scripts.terraform.inventory import PlanInventory
from scripts.terraform.tf import REPO_ROOT, TerraformError, Workspace, scratch_copy
from scripts.terraform.toolchain import toolchain

ROOT_DIR = "terraform"
ENV_DIR = "environments"
DEFAULT_REGION = "eu-west-1"
# A refused plan prints one line per distinct error; the rest stays in the log.
MAX_REFUSAL_LINES = 8


@dataclass(frozen=True)
class EnvironmentFiles:
    env: str
    tfvars: Path
    backend: Path | None
    # -backend-config arguments against AWS (scripts.terraform.backend): the file plus the account's bucket and key.
    backend_args: tuple[str, ...] = ()


def known_environments(repo: Path) -> list[str]:
    return sorted(p.name.removesuffix(".tfvars") for p in (repo / ROOT_DIR / ENV_DIR).glob("*.tfvars"))


def environment_files(repo: Path, env: str, emulator: bool) -> EnvironmentFiles:
    """The environment's tfvars and backend config, or a UsageError that says what is missing."""
    root = repo / ROOT_DIR
    if not any(root.glob("*.tf")):
        raise UsageError(f"no root configuration: {root} holds no *.tf files")
    env_dir = root / ENV_DIR
    tfvars = env_dir / f"{env}.tfvars"
    backend = env_dir / f"{env}.s3.tfbackend"
    known = known_environments(repo)
    if not tfvars.exists():
        if backend.exists():
            raise UsageError(f"environment {env!r} has no tfvars file: {tfvars.relative_to(repo)} is missing")
        listed = ", ".join(known) or "none"
        raise UsageError(f"unknown environment {env!r}: {env_dir.relative_to(repo)} has {listed}")
    try:
        tfvars.read_text()
    except OSError as exc:
        raise UsageError(f"cannot read {tfvars.relative_to(repo)}: {exc.strerror}") from exc
    if not emulator and not backend.exists():
        raise UsageError(f"environment {env!r} has no backend config: {backend.relative_to(repo)} is missing")
    return EnvironmentFiles(env, tfvars, backend if backend.exists() else None)


def tfvars_values(path: Path) -> dict[str, Any]:
    """Top-level values of a tfvars file (HCL), for the region and the network lookup."""
    import hcl2

    try:
        with path.open() as handle:
            data = hcl2.load(handle)
    except Exception as exc:
        raise UsageError(f"{path.name} is not valid HCL: {str(exc).splitlines()[0]}") from exc
    # bc-python-hcl2 wraps every attribute value in a one-element list.
    return {k: (v[0] if isinstance(v, list) and len(v) == 1 else v) for k, v in data.items()}


def prepare_out(out: Path) -> Path:
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".write-test"
        probe.write_text("")
        probe.unlink()
    except OSError as exc:
        raise UsageError(f"--out {out} is not a writable directory: {exc.strerror}") from exc
    return out


@contextmanager
def emulated_network(env: str, region: str) -> Iterator[Any]:
    """Start the emulator (embedded or PLATFORM_AWS_ENDPOINT_URL) with the network the root looks up."""
    from botocore.exceptions import BotoCoreError, ClientError

    from scripts.emulator import Emulator, EmulatorError
    from scripts.emulator.network import create_network, delete_network, network_tags

    emulator = Emulator.from_env(region=region).start()
    network = None
    try:
        try:
            network = create_network(emulator, region, network_tags(env))
        except (BotoCoreError, ClientError, RuntimeError) as exc:
            first = str(exc).strip().splitlines()[:1] or [type(exc).__name__]
            raise EmulatorError(f"creating the network fixture at {emulator.endpoint_url} failed: {first[0]}") from exc
        yield emulator, account_env(env, emulator, network)
    finally:
        if network is not None and emulator.external:
            delete_network(emulator, network)
        emulator.stop()


def account_env(env: str, emulator: Any, network: Any) -> dict[str, str]:
    """TF_VAR_<name> for the per-account inputs the emulator's "account" has (scripts.demo.steps decides
    which), except where the caller's environment sets them: theirs win, as in an AWS account."""
    from scripts.demo.steps import emulator_account_values

    values = emulator_account_values(env, emulator, network)
    return {
        f"TF_VAR_{name}": value if isinstance(value, str) else json.dumps(value)
        for name, value in values.items()
        if f"TF_VAR_{name}" not in os.environ
    }


def _status(console: Console, text: str) -> Any:
    return console.status(text) if console.is_terminal else nullcontext()


def plan_environment(
    repo: Path,
    files: EnvironmentFiles,
    out: Path,
    emulator: Any,
    console: Console,
    account: dict[str, str] | None = None,
) -> tuple[PlanInventory, Path]:
    """init + plan + show -json in a scratch copy; returns the inventory and the JSON path."""
    scratch = Path(tempfile.mkdtemp(prefix=f"plan-{files.env}-"))
    try:
        tfdir = scratch_copy(ROOT_DIR, scratch)
        extra_env: dict[str, str] = {}
        if emulator is not None:
            from scripts.emulator.override import write_override

            write_override(tfdir, emulator.endpoint_url, emulator.region, local_backend=True)
            extra_env = {**emulator.env(), **(account or {})}
        else:
            lock = repo / ROOT_DIR / ".terraform.lock.hcl"
            if lock.exists():
                shutil.copy2(lock, tfdir / lock.name)
        log = out / f"{files.env}.terraform.log"
        log.write_text("")  # one run, one log: init, plan and show, each with its command line
        ws = Workspace(tfdir, toolchain(), extra_env=extra_env, log=log)
        plan_file = out / f"{files.env}.tfplan"
        json_file = out / f"{files.env}.tfplan.json"
        tfvars = tfdir / ENV_DIR / files.tfvars.name
        # A failed init or show is an environment error: TerraformError reaches the CLI (exit 2, one
        # line, the log's path).
        with _status(console, f"terraform init ({files.env})"):
            if emulator is None:
                ws.run("init", "-input=false", *files.backend_args)
            else:
                ws.init()
        try:
            with _status(console, f"terraform plan ({files.env})"):
                # A plan for review only reads state: no lock, so it neither waits for nor blocks an
                # apply, and read-only credentials (the plan role) suffice. Applying the saved plan
                # refuses it if the state changed since ("Saved plan is stale").
                ws.run("plan", "-input=false", "-lock=false", f"-var-file={tfvars}", f"-out={plan_file}")
        except TerraformError as exc:
            if exc.refusals:
                raise PlanRefused(exc.messages, log) from exc
            raise
        with _status(console, "terraform show -json"):
            raw = ws.show_json(plan_file)
        json_file.write_text(json.dumps(raw, indent=1))
        return PlanInventory.from_json(raw), json_file
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


class PlanRefused(Exception):
    """Terraform refused the plan through the configuration's own validations or conditions.

    Not a PlatformError: a refusal is the command's verdict (exit 1), like a failed policy check.
    """

    def __init__(self, messages: list[str], log: Path) -> None:
        self.messages = messages  # one per distinct error, the configuration's own messages first
        self.log = log
        super().__init__(messages[0] if messages else "terraform refused the plan")


def print_refusal(console: Console, env: str, refused: PlanRefused) -> None:
    """The configuration's own messages, one line each (the most useful first), then the log's path."""
    shown = refused.messages[:MAX_REFUSAL_LINES]
    for message in shown:
        console.print(Text.assemble(("UNSAFE", "bold red"), f": {message}"), soft_wrap=True)
    more = len(refused.messages) - len(shown)
    count = f"{len(refused.messages)} error{'s' if len(refused.messages) != 1 else ''}"
    tail = f"; {more} more in the log" if more else ""
    console.print(
        f"terraform refused the plan of {env} ({count}{tail}); full Terraform log: {refused.log}",
        soft_wrap=True,
        markup=False,
        highlight=False,
    )


def plan_and_check(env: str, *, use_emulator: bool, out: Path | None, options: CheckOptions) -> Report | None:
    """Plan ``env`` (init, plan and show -json into ``out``, default build/plans/<env>) against AWS or the
    emulator and run the checks; None when Terraform refused the plan (its messages are printed: the
    command's verdict is 1)."""
    repo = REPO_ROOT
    files = environment_files(repo, env, use_emulator)
    out = prepare_out(out or repo / "build" / "plans" / env)
    console = Console(stderr=True, highlight=False)
    values = tfvars_values(files.tfvars)
    region = values.get("region") if isinstance(values.get("region"), str) else DEFAULT_REGION
    toolchain()  # a missing terraform or provider is exit 2 before anything starts
    if not use_emulator:
        # So is a missing STATE_BUCKET / STATE_KMS_KEY_ARN, with the variable to set.
        files = replace(files, backend_args=tuple(backend_config(env, os.environ, repo)))
    try:
        if use_emulator:
            with emulated_network(env, region) as (emulator, account):
                inventory, json_file = plan_environment(repo, files, out, emulator, console, account)
        else:
            inventory, json_file = plan_environment(repo, files, out, None, console)
    except PlanRefused as refused:
        print_refusal(console, env, refused)
        return None
    console.print(
        f"plan: {out / f'{env}.tfplan'}  json: {json_file}  Terraform log: {out / f'{env}.terraform.log'}",
        soft_wrap=True,
        markup=False,
        highlight=False,
    )
    return run_checks(inventory, options, source=f"{env} ({json_file})")
