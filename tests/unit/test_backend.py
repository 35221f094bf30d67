"""``scripts.terraform.backend``: the environment's committed backend file plus the account's state bucket and KMS
key from STATE_BUCKET / STATE_KMS_KEY_ARN, and ``python -m scripts init`` that runs it (no terraform
runs here: a stand-in Workspace records the command)."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import pytest

import scripts.commands.init as init_cmd
from scripts.cli import main
from scripts.errors import UsageError
from scripts.terraform.backend import PER_ACCOUNT, backend_config, committed_settings
from scripts.terraform.tf import REPO_ROOT, TerraformError

KMS_KEY = "arn:aws:kms:eu-west-1:111122223333:key/0b6e1c52-4f7a-4d0e-9d55-2c7f1f3a9e10"
ACCOUNT = {"STATE_BUCKET": "imgclass-tfstate-111122223333", "STATE_KMS_KEY_ARN": KMS_KEY}
ENVIRONMENTS = ("dev", "prod")


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_arguments_are_the_committed_file_then_the_accounts_bucket_and_key(env):
    assert backend_config(env, ACCOUNT) == [
        f"-backend-config=environments/{env}.s3.tfbackend",
        "-backend-config=bucket=imgclass-tfstate-111122223333",
        f"-backend-config=kms_key_id={KMS_KEY}",
    ]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_committed_files_hold_only_what_every_account_shares(env):
    settings = committed_settings(REPO_ROOT / "terraform" / "environments" / f"{env}.s3.tfbackend")
    assert not set(settings) & set(PER_ACCOUNT), settings
    assert settings == {
        "key": f"imgclass/{env}/terraform.tfstate",
        "region": "eu-west-1",
        "encrypt": True,
        "use_lockfile": True,
    }


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        (
            {"STATE_KMS_KEY_ARN": KMS_KEY},
            "STATE_BUCKET is empty: the prod state backend needs the bootstrap output state_bucket "
            "(terraform -chdir=terraform/bootstrap output -raw state_bucket), set as the repository variable "
            "PROD_STATE_BUCKET for the pipeline or in terraform/prod.account.env locally",
        ),
        (
            # An unset repository variable reaches the job as an empty string.
            {"STATE_BUCKET": "  ", "STATE_KMS_KEY_ARN": KMS_KEY},
            "STATE_BUCKET is empty: the prod state backend needs the bootstrap output state_bucket "
            "(terraform -chdir=terraform/bootstrap output -raw state_bucket), set as the repository variable "
            "PROD_STATE_BUCKET for the pipeline or in terraform/prod.account.env locally",
        ),
        (
            {"STATE_BUCKET": "imgclass-tfstate-111122223333", "STATE_KMS_KEY_ARN": ""},
            "STATE_KMS_KEY_ARN is empty: the prod state backend needs the bootstrap output state_bucket_kms_key_arn "
            "(terraform -chdir=terraform/bootstrap output -raw state_bucket_kms_key_arn), set as the repository "
            "variable PROD_STATE_KMS_KEY_ARN for the pipeline or in terraform/prod.account.env locally",
        ),
        (
            {"STATE_BUCKET": "imgclass-tfstate-111122223333", "STATE_KMS_KEY_ARN": "alias/imgclass-tfstate"},
            "STATE_KMS_KEY_ARN is 'alias/imgclass-tfstate', not a KMS key ARN "
            "(arn:aws:kms:<region>:<account>:key/<id>): "
            "take it from the bootstrap output state_bucket_kms_key_arn "
            "(PROD_STATE_KMS_KEY_ARN in the pipeline, terraform/prod.account.env locally)",
        ),
    ],
    ids=["bucket-unset", "bucket-blank", "key-empty", "key-not-an-arn"],
)
def test_missing_or_wrong_values_are_refused_with_where_to_set_them(environ, message):
    with pytest.raises(UsageError) as err:
        backend_config("prod", environ)
    assert err.value.one_line() == message


def _repo(tmp_path: Path, backend: str) -> Path:
    envs = tmp_path / "terraform" / "environments"
    envs.mkdir(parents=True)
    (envs / "dev.s3.tfbackend").write_text(backend)
    return tmp_path


def test_a_committed_per_account_setting_is_refused(tmp_path):
    repo = _repo(tmp_path, 'bucket = "imgclass-tfstate-123456789012"\nkey = "k"\nkms_key_id = "arn:aws:kms:x"\n')
    with pytest.raises(UsageError) as err:
        backend_config("dev", ACCOUNT, repo)
    assert err.value.one_line() == (
        "terraform/environments/dev.s3.tfbackend sets bucket, kms_key_id: per-account settings come only from "
        "STATE_BUCKET, STATE_KMS_KEY_ARN (docs/cicd.md); remove them from the file"
    )


def test_an_environment_without_a_backend_file(tmp_path):
    repo = _repo(tmp_path, 'key = "k"\n')
    with pytest.raises(UsageError, match=r"^environment 'qa' has no backend config: terraform/environments/qa"):
        backend_config("qa", ACCOUNT, repo)


def test_a_backend_file_that_is_not_hcl(tmp_path):
    repo = _repo(tmp_path, 'key = "k\n')
    with pytest.raises(UsageError, match=r"^dev.s3.tfbackend is not valid HCL: "):
        backend_config("dev", ACCOUNT, repo)


# --- python -m scripts init ---------------------------------------------------------------------------


class FakeWorkspace:
    calls: ClassVar[list[tuple[Path, tuple[str, ...]]]] = []
    fail: ClassVar[str | None] = None

    def __init__(self, tfdir, tc=None, extra_env=None, log=None):
        self.tfdir = Path(tfdir)
        self.log = log

    def run(self, command, *args, ok_codes=(0,)):
        FakeWorkspace.calls.append((self.tfdir, (command, *args)))
        if self.fail:
            raise TerraformError(command, self.fail, self.log)


@pytest.fixture
def fake_tf(monkeypatch, tmp_path):
    FakeWorkspace.calls = []
    FakeWorkspace.fail = None
    monkeypatch.setattr(init_cmd, "Workspace", FakeWorkspace)
    monkeypatch.setattr(init_cmd, "logs_dir", lambda: tmp_path)
    for name, value in ACCOUNT.items():
        monkeypatch.setenv(name, value)
    return FakeWorkspace


def test_init_command_runs_terraform_init_in_the_root_with_the_backend(capsys, fake_tf, tmp_path):
    assert main(["init", "--env", "dev"]) == 0
    [(tfdir, command)] = fake_tf.calls
    assert tfdir == REPO_ROOT / "terraform"
    assert command == ("init", "-input=false", "-lockfile=readonly", *backend_config("dev", ACCOUNT))
    assert capsys.readouterr().out.strip() == (
        f"terraform/ initialised with the dev state backend; Terraform log: {tmp_path / 'init-dev.terraform.log'}"
    )


def test_init_command_without_the_bucket_is_one_line_exit_2(capsys, fake_tf, monkeypatch):
    monkeypatch.setenv("STATE_BUCKET", "")
    assert main(["init", "--env", "dev"]) == 2
    err = capsys.readouterr().err
    assert err.splitlines() == [
        "error: STATE_BUCKET is empty: the dev state backend needs the bootstrap output state_bucket "
        "(terraform -chdir=terraform/bootstrap output -raw state_bucket), set as the repository variable "
        "DEV_STATE_BUCKET for the pipeline or in terraform/dev.account.env locally"
    ]
    assert fake_tf.calls == []


def test_init_command_failure_is_one_line_with_the_log(capsys, fake_tf, tmp_path):
    fake_tf.fail = "Error: Failed to get existing workspaces: S3 bucket does not exist.\n\nmore detail"
    assert main(["init", "--env", "prod"]) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("error: terraform init failed: ")
    assert "S3 bucket does not exist" in line
    assert str(tmp_path / "init-prod.terraform.log") in line
