"""``python -m scripts plan``: environment and toolchain errors (exit 2), the refusal path (exit 1)
and the report wiring, on a stand-in repository and a stand-in Terraform (no terraform runs here;
tests/unit/test_cli_plan_emulator.py plans the real root)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import ClassVar

import pytest

import scripts.terraform.plan as plan_cmd
from scripts.cli import main
from scripts.terraform.tf import TerraformError
from scripts.terraform.toolchain import toolchain
from tests.support.planbuilder import platform_plan

KMS_KEY = "arn:aws:kms:eu-central-1:111122223333:key/0b6e1c52-4f7a-4d0e-9d55-2c7f1f3a9e10"


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """A repository with a root, dev (tfvars + backend), prod (backend only), stage (tfvars only)."""
    root = tmp_path / "repo"
    envs = root / "terraform" / "environments"
    envs.mkdir(parents=True)
    (root / "terraform" / "main.tf").write_text('variable "environment" {\n  type = string\n}\n')
    (envs / "dev.tfvars").write_text('environment = "dev"\nregion      = "eu-central-1"\n')
    (envs / "dev.s3.tfbackend").write_text('key = "dev.tfstate"\nregion = "eu-central-1"\n')
    (envs / "prod.s3.tfbackend").write_text('key = "prod.tfstate"\n')
    (envs / "stage.tfvars").write_text('environment = "stage"\n')
    # The account's state bucket and key, as the pipeline sets them from <ENV>_STATE_* (docs/cicd.md).
    monkeypatch.setenv("STATE_BUCKET", "imgclass-tfstate-111122223333")
    monkeypatch.setenv("STATE_KMS_KEY_ARN", KMS_KEY)
    monkeypatch.setattr(plan_cmd, "REPO_ROOT", root)
    monkeypatch.setattr("scripts.terraform.tf.REPO_ROOT", root)
    return root


def one_line_error(capsys, *argv):
    code = main(["plan", *map(str, argv)])
    err = capsys.readouterr().err
    assert code == 2, err
    lines = [ln for ln in err.strip().splitlines() if ln]
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    return lines[0]


def test_unknown_environment_lists_the_known_ones(capsys, repo):
    line = one_line_error(capsys, "--env", "qa")
    assert "unknown environment 'qa'" in line and "dev, stage" in line


def test_environment_without_tfvars(capsys, repo):
    assert "environment 'prod' has no tfvars file" in one_line_error(capsys, "--env", "prod")


def test_environment_without_backend_config_against_aws(capsys, repo):
    assert "has no backend config" in one_line_error(capsys, "--env", "stage")


def test_no_root_configuration(capsys, repo):
    (repo / "terraform" / "main.tf").unlink()
    assert "no root configuration" in one_line_error(capsys, "--env", "dev")


def test_unreadable_tfvars(capsys, repo):
    (repo / "terraform" / "environments" / "dev.tfvars").write_text("environment = \n")
    assert "dev.tfvars is not valid HCL" in one_line_error(capsys, "--env", "dev")


def test_unwritable_out_dir(capsys, repo):
    assert "--out /proc/plans is not a writable directory" in one_line_error(
        capsys, "--env", "dev", "--out", "/proc/plans"
    )


def test_missing_terraform(capsys, repo, tmp_path, monkeypatch):
    monkeypatch.setenv("PLATFORM_TERRAFORM_BINARY", str(tmp_path / "no-terraform"))
    toolchain.cache_clear()
    try:
        line = one_line_error(capsys, "--env", "dev", "--out", tmp_path / "out")
    finally:
        toolchain.cache_clear()
    assert "terraform not found" in line


def test_unreachable_emulator_endpoint(capsys, repo, tmp_path, monkeypatch):
    monkeypatch.setattr(plan_cmd, "toolchain", lambda: None)
    monkeypatch.setenv("PLATFORM_AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    line = one_line_error(capsys, "--env", "stage", "--emulator", "--out", tmp_path / "out")
    assert "AWS endpoint http://127.0.0.1:9 does not answer" in line


# --- with a stand-in Terraform ------------------------------------------------------------------


class FakeWorkspace:
    """Records commands; ``fail`` maps a command to the TerraformError output it raises."""

    calls: ClassVar[list[tuple[str, ...]]] = []
    fail: ClassVar[dict[str, str]] = {}
    plan_json: ClassVar[dict] = {}

    def __init__(self, tfdir, tc=None, extra_env=None, log=None):
        self.tfdir = Path(tfdir)
        self.log = log

    def _fail(self, command):
        # As Workspace.run: the output goes to the log, and the error carries the log's path.
        output = self.fail[command]
        with self.log.open("a") as handle:
            handle.write(f"$ terraform {command}\n{output}\n")
        raise TerraformError(command, output, self.log)

    def init(self, backend=True, backend_config=None):
        FakeWorkspace.calls.append(("init", str(backend_config)))
        if "init" in self.fail:
            self._fail("init")
        return ""

    def run(self, command, *args, ok_codes=(0,)):
        FakeWorkspace.calls.append((command, *args))
        if command in self.fail:
            self._fail(command)
        return None

    def show_json(self, plan_file):
        return self.plan_json


@pytest.fixture
def fake_tf(monkeypatch):
    FakeWorkspace.calls = []
    FakeWorkspace.fail = {}
    FakeWorkspace.plan_json = platform_plan().build()
    monkeypatch.setattr(plan_cmd, "Workspace", FakeWorkspace)
    monkeypatch.setattr(plan_cmd, "toolchain", lambda: None)
    return FakeWorkspace


def test_plan_runs_init_plan_show_and_the_checks(capsys, repo, fake_tf, tmp_path):
    out = tmp_path / "out"
    code = main(["plan", "--env", "dev", "--out", str(out), "--format", "json"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    init, plan = fake_tf.calls
    # The committed file (relative to the scratch copy of terraform/), then the account's bucket and key.
    assert init == (
        "init",
        "-input=false",
        "-backend-config=environments/dev.s3.tfbackend",
        "-backend-config=bucket=imgclass-tfstate-111122223333",
        f"-backend-config=kms_key_id={KMS_KEY}",
    )
    assert plan[0] == "plan"
    # A plan for review never takes the state lock: read-only credentials suffice.
    assert "-lock=false" in plan and not any(a.startswith("-lock-timeout") for a in plan)
    assert any(a.startswith("-var-file=") and a.endswith("environments/dev.tfvars") for a in plan)
    assert f"-out={out / 'dev.tfplan'}" in plan
    report = json.loads(captured.out)
    assert report["safe"] is True and report["connection_budget"][0]["cap"] == 303
    assert json.loads((out / "dev.tfplan.json").read_text())["format_version"] == "1.2"


def test_missing_state_bucket_is_refused_before_terraform_runs(capsys, repo, fake_tf, tmp_path, monkeypatch):
    monkeypatch.delenv("STATE_BUCKET")
    line = one_line_error(capsys, "--env", "dev", "--out", tmp_path / "out")
    assert line == (
        "error: STATE_BUCKET is empty: the dev state backend needs the bootstrap output state_bucket "
        "(terraform -chdir=terraform/bootstrap output -raw state_bucket), set as the repository variable "
        "DEV_STATE_BUCKET for the pipeline or in terraform/dev.account.env locally"
    )
    assert fake_tf.calls == []


def test_a_committed_bucket_is_refused(capsys, repo, fake_tf, tmp_path):
    (repo / "terraform" / "environments" / "dev.s3.tfbackend").write_text('bucket = "theirs"\nkey = "dev.tfstate"\n')
    line = one_line_error(capsys, "--env", "dev", "--out", tmp_path / "out")
    assert "dev.s3.tfbackend sets bucket: per-account settings come only from STATE_BUCKET" in line
    assert fake_tf.calls == []


def test_prod_like_is_what_the_planned_root_states(capsys, repo, fake_tf, tmp_path):
    # terraform/locals.tf maps the environment to intents and states them as the output `intents`;
    # the checks take that statement, not the --env name.
    (repo / "terraform" / "environments" / "prod.tfvars").write_text('environment = "prod"\n')
    plan = platform_plan().build()
    plan["planned_values"]["outputs"]["intents"] = {"sensitive": False, "value": {"production_like": True}}
    fake_tf.plan_json = plan
    code = main(["plan", "--env", "prod", "--out", str(tmp_path / "out"), "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 1  # platform_plan("dev") values: single-AZ, no deletion protection
    assert report["summary"]["prod_like"] is True
    assert {"reliability.multi-az", "reliability.deletion-protection"} <= {f["check_id"] for f in report["findings"]}


def test_init_failure_is_an_environment_error_with_the_log(capsys, repo, fake_tf, tmp_path):
    fake_tf.fail = {"init": "Error: No valid credential sources found\n\nPlease see the docs"}
    line = one_line_error(capsys, "--env", "dev", "--out", tmp_path / "out")
    assert "No valid credential sources found" in line
    assert "dev.terraform.log" in line
    assert "credential" in (tmp_path / "out" / "dev.terraform.log").read_text()


# Terraform 1.11's own rendering (-no-color) of a refused plan: the expression values under the
# source line are Terraform's detail, the paragraph after them is the configuration's message.
REFUSED = """
Error: Invalid value for variable

  on environments/prod.tfvars line 24:
  24: deletion_protection = false
    ├────────────────
    │ var.deletion_protection is false

prod needs deletion_protection = true: a terraform destroy or a replacement
would delete the database.

This was checked by the validation rule at variables.tf:151,3-13.

Error: Resource precondition failed

  on database.tf line 12, in module "database":
  12:       condition     = local.budget.total <= local.budget.cap
    ├────────────────
    │ local.budget.cap is 303

The services' connection budget exceeds the proxy cap.

Error: Invalid value for variable

  on environments/prod.tfvars line 24:
  24: deletion_protection = false

prod needs deletion_protection = true: a terraform destroy or a replacement
would delete the database.

This was checked by the validation rule at variables.tf:151,3-13.
"""


def test_inputs_refused_by_the_configuration_exit_1(capsys, repo, fake_tf, tmp_path):
    fake_tf.fail = {"plan": "Error: reading EC2 VPCs: throttled\n" + REFUSED}
    out = tmp_path / "out"
    code = main(["plan", "--env", "dev", "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 1
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    # One line per distinct error, the configuration's own messages first, then the log's path.
    assert lines == [
        "UNSAFE: prod needs deletion_protection = true: a terraform destroy or a replacement would delete the "
        "database.",
        "UNSAFE: The services' connection budget exceeds the proxy cap.",
        "UNSAFE: reading EC2 VPCs: throttled",
        f"terraform refused the plan of dev (3 errors); full Terraform log: {out / 'dev.terraform.log'}",
    ]
    assert "var.deletion_protection is false" in (out / "dev.terraform.log").read_text()


def test_a_long_refusal_keeps_the_terminal_short(capsys, repo, fake_tf, tmp_path):
    refusals = [
        f"Error: Resource precondition failed\n\n  on main.tf line {i}:\n\nrule {i} is broken.\n" for i in range(20)
    ]
    fake_tf.fail = {"plan": "\n".join(refusals)}
    assert main(["plan", "--env", "dev", "--out", str(tmp_path / "out")]) == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == plan_cmd.MAX_REFUSAL_LINES + 1
    assert lines[0] == "UNSAFE: rule 0 is broken."
    assert "(20 errors; 12 more in the log)" in lines[-1]


def test_other_plan_failures_exit_2(capsys, repo, fake_tf, tmp_path):
    fake_tf.fail = {"plan": "Error: reading EC2 VPCs: connection refused"}
    assert "reading EC2 VPCs" in one_line_error(capsys, "--env", "dev", "--out", tmp_path / "out")


def test_tfvars_region_is_read_for_the_network_fixture(repo):
    values = plan_cmd.tfvars_values(repo / "terraform" / "environments" / "dev.tfvars")
    assert values["region"] == "eu-central-1"
