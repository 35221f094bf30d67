"""Every command's failure path: exit 2 and exactly one readable line on stderr, never a traceback.

Each case runs ``python -m scripts`` as its own process, as people and CI run it: only a fresh
process shows what Python's logging and exception machinery print when nothing catches them.
"""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import scripts.commands as commands_pkg
from scripts.cli import command_names
from scripts.emulator import EmulatorError
from scripts.errors import PlatformError, UsageError
from scripts.iam.evaluator import EvaluatorError
from scripts.terraform.checkov_runner import CheckovError
from scripts.terraform.inventory import PlanFormatError
from scripts.terraform.tf import REPO_ROOT, TerraformError
from scripts.terraform.toolchain import ToolchainError
from scripts.walkthrough.actions import WorkflowError
from scripts.walkthrough.dayone import WalkthroughError
from scripts.walkthrough.readme import ReadmeError
from tests.support.cli import run_cli

DEAD_ENDPOINT = "http://127.0.0.1:9"  # the discard port: nothing listens on loopback


@pytest.mark.parametrize(
    "error",
    [
        UsageError,
        ToolchainError,
        PlanFormatError,
        TerraformError,
        CheckovError,
        EmulatorError,
        EvaluatorError,
        WorkflowError,
        ReadmeError,
        WalkthroughError,
    ],
)
def test_every_domain_error_derives_from_the_one_base_class(error):
    assert issubclass(error, PlatformError)


def cli(*argv: object, env: dict[str, str] | None = None, path: str | None = None) -> subprocess.CompletedProcess:
    unset = {"PLATFORM_AWS_ENDPOINT_URL", "PYTEST_XDIST_WORKER"}
    if path is not None:
        unset.add("PLATFORM_TERRAFORM_BINARY")
    return run_cli(*argv, unset=unset, env={**({"PATH": path} if path is not None else {}), **(env or {})})


def fake_tool(directory: Path, name: str, body: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    tool = directory / name
    tool.write_text(f"#!/bin/sh\n{body}\n")
    tool.chmod(0o755)
    return tool


def no_terraform(tmp: Path) -> dict:
    """A PATH that holds no terraform (the interpreter and checkov are found by absolute path)."""
    empty = tmp / "empty-bin"
    empty.mkdir()
    return {"path": str(empty)}


def dead_emulator(tmp: Path) -> dict:
    return {"env": {"PLATFORM_AWS_ENDPOINT_URL": DEAD_ENDPOINT}}


def broken_checkov(tmp: Path) -> dict:
    tool = fake_tool(tmp / "bin", "checkov", "echo \"ModuleNotFoundError: No module named 'checkov'\" >&2; exit 1")
    return {"env": {"PLATFORM_CHECKOV_BINARY": str(tool)}}


def missing_checkov(tmp: Path) -> dict:
    return {"env": {"PLATFORM_CHECKOV_BINARY": str(tmp / "no-checkov")}}


def unwritable_cache(tmp: Path) -> dict:
    return {"env": {"PLATFORM_CACHE_DIR": "/proc/imgclass-cache"}}


def failing_init(tmp: Path) -> dict:
    """A terraform whose init fails, with the registry as provider source: the cache warm-up runs."""
    tool = fake_tool(
        tmp / "bin",
        "terraform",
        'if [ "$1" = version ]; then echo \'{"terraform_version": "1.11.4"}\'; exit 0; fi\n'
        "printf '\\nError: Failed to query available provider packages\\n\\nregistry unreachable\\n' >&2; exit 1",
    )
    return {
        "env": {
            "PLATFORM_TERRAFORM_BINARY": str(tool),
            "PLATFORM_CACHE_DIR": str(tmp / "cache"),
            "PLATFORM_TF_PROVIDER_SOURCE": "registry",
        }
    }


def failing_init_with_a_bucket(tmp: Path) -> dict:
    change = failing_init(tmp)
    change["env"] |= {
        "STATE_BUCKET": "imgclass-state",
        "STATE_KMS_KEY_ARN": "arn:aws:kms:eu-west-1:111122223333:key/0a1b2c3d-1111-2222-3333-444455556666",
    }
    return change


def dead_aws(tmp: Path) -> dict:
    """AWS calls to an endpoint nothing answers, once (botocore would retry)."""
    return {
        "env": {
            "AWS_ENDPOINT_URL": DEAD_ENDPOINT,
            "AWS_MAX_ATTEMPTS": "1",
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "eu-west-1",
        }
    }


def write(tmp: Path, name: str, data: bytes) -> Path:
    path = tmp / name
    path.write_bytes(data)
    return path


# (command line, environment change, fragment of the one line). ``{tmp}`` is the test's tmp_path.
CASES = {
    "tools-without-terraform": (["tools"], no_terraform, "terraform not found: install Terraform"),
    "tools-checkov-does-not-run": (["tools"], broken_checkov, "does not run (`checkov --version`: ModuleNotFound"),
    "tools-unwritable-cache": (["tools"], unwritable_cache, "cache directory /proc/imgclass-cache cannot be created"),
    "tools-plugin-cache-fails": (
        ["tools"],
        failing_init,
        "plugin-cache failed: Failed to query available provider packages: registry unreachable (full Terraform log: ",
    ),
    "validate-without-terraform": (["validate", "--only", "modules/private-s3"], no_terraform, "terraform not found"),
    "validate-without-checkov": (["validate", "--only", "modules/private-s3"], missing_checkov, "checkov not found"),
    "validate-checkov-does-not-run": (
        ["validate", "--only", "modules/private-s3", "--no-cache"],
        broken_checkov,
        "does not run (`checkov --version`: ModuleNotFound",
    ),
    "validate-plugin-cache-fails": (
        ["validate", "--only", "modules/private-s3"],
        failing_init,
        "plugin-cache failed: Failed to query available provider packages: registry unreachable",
    ),
    "plan-terraform-init-fails": (
        ["plan", "--env", "dev", "--emulator", "--out", "{tmp}/out"],
        failing_init,
        "terraform init failed: Failed to query available provider packages: registry unreachable (full Terraform log",
    ),
    "plan-dead-emulator": (
        ["plan", "--env", "dev", "--emulator", "--out", "{tmp}/out"],
        dead_emulator,
        f"AWS endpoint {DEAD_ENDPOINT} does not answer",
    ),
    "plan-without-terraform": (["plan", "--env", "dev", "--out", "{tmp}/out"], no_terraform, "terraform not found"),
    "plan-usage": (["plan"], None, "the following arguments are required: --env"),
    "check-plan-unreadable": (["check-plan", "{tmp}/missing.json"], None, "cannot read plan JSON"),
    "check-plan-invalid": (["check-plan", "{tmp}/garbage.json"], None, "is not a text file in UTF-8 or UTF-16"),
    "check-plan-not-a-plan": (["check-plan", "{tmp}/list.json"], None, "plan JSON must be an object"),
    "demo-dead-emulator": (["demo"], dead_emulator, f"AWS endpoint {DEAD_ENDPOINT} does not answer"),
    "demo-without-terraform": (["demo"], no_terraform, "terraform not found"),
    "demo-plugin-cache-fails": (["demo"], failing_init, "plugin-cache failed: Failed to query available provider"),
    "docs-not-a-module": (["docs", "{tmp}"], None, "README.md: No such file or directory"),
    "iam-check-without-terraform": (["iam-check"], no_terraform, "terraform not found"),
    "init-without-bucket": (["init", "--env", "dev"], None, "STATE_BUCKET is empty"),
    "init-terraform-fails": (
        ["init", "--env", "dev"],
        failing_init_with_a_bucket,
        "terraform init failed: Failed to query available provider packages: registry unreachable (full Terraform log",
    ),
    "iam-check-plugin-cache-fails": (
        ["iam-check"],
        failing_init,
        "plugin-cache failed: Failed to query available provider packages: registry unreachable",
    ),
    "iam-check-usage": (["iam-check", "--env", "qa"], None, "argument --env: invalid choice: 'qa'"),
    "orphans-usage": (["orphans"], None, "the following arguments are required: --env"),
    "orphans-unreadable-state": (
        ["orphans", "--env", "dev", "--state", "{tmp}/missing.tfstate"],
        None,
        "missing.tfstate: No such file or directory",
    ),
    "orphans-not-a-state": (
        ["orphans", "--env", "dev", "--state", "{tmp}/list.json"],
        None,
        "is not a Terraform state",
    ),
    "orphans-without-terraform": (["orphans", "--env", "dev"], no_terraform, "terraform not found"),
    "orphans-dead-aws-endpoint": (
        ["orphans", "--env", "dev", "--state", "{tmp}/empty.tfstate"],
        dead_aws,
        f'listing the dev resources in AWS failed: Could not connect to the endpoint URL: "{DEAD_ENDPOINT}/"',
    ),
    "inventory-unreadable-plan": (["inventory", "{tmp}/missing.json"], None, "cannot read plan JSON"),
    "bench-without-terraform": (["bench"], no_terraform, "terraform not found"),
    "bench-checkov-does-not-run": (["bench"], broken_checkov, "does not run (`checkov --version`: ModuleNotFound"),
    "pr-comment-no-reports": (
        ["pr-comment", "--run-url", "https://example.com/run", "--title", "t", "--marker", "m", "{tmp}/missing"],
        None,
        "missing is not a directory of report parts",
    ),
    "bench-unreadable-suite-report": (
        ["bench", "--skip-check", "--suite-after", "{tmp}/garbage.json"],
        None,
        "cannot read the JUnit report",
    ),
}


def test_every_command_has_a_failure_case():
    """A new command needs a case here (issue 12: every command's failure path)."""
    covered = {argv[0].replace("-", "_") for argv, _, _ in CASES.values()}
    assert covered == set(command_names())


def test_every_command_module_is_registered():
    """The registry (scripts.cli.COMMANDS) lists every module of scripts/commands/, and nothing else."""
    modules = {info.name for info in pkgutil.iter_modules(commands_pkg.__path__) if not info.name.startswith("_")}
    assert sorted(command_names()) == sorted(modules)
    assert len(set(command_names())) == len(command_names())


@pytest.mark.parametrize("case", sorted(CASES))
def test_command_failure_is_exit_2_and_one_line(case, tmp_path):
    argv, change, fragment = CASES[case]
    write(tmp_path, "garbage.json", b"\x89PNG\r\n\x1a\n\x00\x00\xff")
    write(tmp_path, "list.json", b"[]")
    write(tmp_path, "empty.tfstate", b'{"version": 4, "resources": []}')
    kwargs = change(tmp_path) if change else {}
    proc = cli(*(a.replace("{tmp}", str(tmp_path)) for a in argv), **kwargs)
    lines = proc.stderr.splitlines()
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("error: ") and fragment in lines[0], lines[0]


def test_a_terraform_error_reaching_the_cli_prints_one_line_and_writes_the_log(tmp_path, capsys, monkeypatch):
    """A TerraformError no command handled: the CLI writes its output to a log and prints the path."""
    import scripts.commands.tools as tools
    from scripts.cli import main

    monkeypatch.setattr("scripts.terraform.tf.REPO_ROOT", tmp_path)

    def fail(_args):
        raise TerraformError("apply", "lots of output\n" * 500 + "\nError: creating ECS Service: boom\n\ndetail\n")

    monkeypatch.setattr(tools, "run", fail)
    assert main(["tools"]) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("error: terraform apply failed: creating ECS Service: boom: detail (full Terraform log: ")
    log = Path(line.rsplit("full Terraform log: ", 1)[1].rstrip(")"))
    assert log.parent == tmp_path / "build" / "logs"
    assert log.read_text().count("lots of output") == 500


def test_a_run_imports_its_own_command_and_help_lists_every_one():
    probe = (
        "import sys; from scripts.cli import build_parser, requested_command; "
        "build_parser(requested_command(sys.argv[1:])); "
        "print(' '.join(sorted(m for m in sys.modules if m.startswith('scripts.commands.'))))"
    )

    def imported(*argv: str) -> list[str]:
        proc = subprocess.run(
            [sys.executable, "-c", probe, *argv], capture_output=True, text=True, cwd=REPO_ROOT, check=True
        )
        return proc.stdout.split()

    assert imported("check-plan", "plan.json", "--format", "json") == ["scripts.commands.check_plan"]
    assert imported("--help") == sorted(f"scripts.commands.{name}" for name in command_names())
    assert imported("no-such-command") == sorted(f"scripts.commands.{name}" for name in command_names())
