"""The S3 backend of an environment: the committed file plus the account's state bucket and key.

``terraform/environments/<env>.s3.tfbackend`` holds what is the same in every account (key, region,
encrypt, use_lockfile). The state bucket and the KMS key that encrypts the state are per account
(``terraform/bootstrap`` creates both), so they come from the environment, like every other
per-account value (docs/adr/0014-per-account-values.md): ``STATE_BUCKET`` and ``STATE_KMS_KEY_ARN``,
which the pipeline fills from the repository variables ``<ENV>_STATE_BUCKET`` /
``<ENV>_STATE_KMS_KEY_ARN`` and a person from ``terraform/<env>.account.env``.

Terraform reads no environment variable for ``bucket`` or ``kms_key_id`` (only region, credentials
and endpoints have one: https://developer.hashicorp.com/terraform/language/backend/s3), so both become
``-backend-config`` arguments. This module is the one place that turns env + committed file into
those arguments; ``python -m scripts init``, ``plan``, ``orphans`` and the IAM proof all call it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from scripts.checks.tables import aws_id_pattern
from scripts.errors import UsageError
from scripts.terraform.tf import REPO_ROOT

BUCKET_VAR = "STATE_BUCKET"
KMS_KEY_VAR = "STATE_KMS_KEY_ARN"
# Backend setting -> (environment variable, terraform/bootstrap output it is taken from).
PER_ACCOUNT: dict[str, tuple[str, str]] = {
    "bucket": (BUCKET_VAR, "state_bucket"),
    "kms_key_id": (KMS_KEY_VAR, "state_bucket_kms_key_arn"),
}
ENV_DIR = "environments"
# kms_key_id is "Amazon Resource Name (ARN) of a Key Management Service (KMS) Key to use for encrypting
# the state and lock files" (https://developer.hashicorp.com/terraform/language/backend/s3); a key id
# or alias would be a different value from the bootstrap's output, so only a key ARN is accepted, in the
# format the modules' validations check (modules/_shared/aws_id_patterns.json).
KMS_KEY_ARN = re.compile(aws_id_pattern("kms_key_arn"))


def github_prefix(env: str) -> str:
    """The prefix of an environment's GitHub variables (pre-prod -> PRE_PROD), as terraform/bootstrap's
    local.github_prefix names them; the one statement of it for every Python tool."""
    return env.upper().replace("-", "_")


def backend_path(env: str, repo: Path = REPO_ROOT) -> Path:
    """``terraform/environments/<env>.s3.tfbackend``, or a UsageError that says it is missing."""
    path = repo / "terraform" / ENV_DIR / f"{env}.s3.tfbackend"
    if not path.is_file():
        raise UsageError(f"environment {env!r} has no backend config: terraform/{ENV_DIR}/{path.name} is missing")
    return path


def committed_settings(path: Path) -> dict[str, object]:
    """The top-level settings of a backend file (HCL)."""
    import hcl2

    try:
        data = hcl2.loads(path.read_text())
    except Exception as exc:
        first = str(exc).strip().splitlines()[:1] or [type(exc).__name__]
        raise UsageError(f"{path.name} is not valid HCL: {first[0]}") from exc
    # python-hcl2 wraps some attribute values in a one-element list.
    return {k: (v[0] if isinstance(v, list) and len(v) == 1 else v) for k, v in data.items()}


def missing_message(env: str, var: str, output: str) -> str:
    return (
        f"{var} is empty: the {env} state backend needs the bootstrap output {output} "
        f"(terraform -chdir=terraform/bootstrap output -raw {output}), set as the repository variable "
        f"{github_prefix(env)}_{var} for the pipeline or in terraform/{env}.account.env locally"
    )


def backend_config(env: str, environ: Mapping[str, str], repo: Path = REPO_ROOT) -> list[str]:
    """The ``-backend-config`` arguments of ``terraform init`` for ``env``: the committed file, then
    the per-account bucket and KMS key ARN from ``environ``.

    Paths are relative to the root configuration (``terraform -chdir=terraform init ...``, or a
    scratch copy of it). Later ``-backend-config`` options override earlier ones
    (https://developer.hashicorp.com/terraform/language/backend#partial-configuration); the committed
    file may set neither per-account setting, so nothing here is overridden silently.
    """
    path = backend_path(env, repo)
    committed = committed_settings(path)
    named = sorted(set(committed) & set(PER_ACCOUNT))
    if named:
        raise UsageError(
            f"terraform/{ENV_DIR}/{path.name} sets {', '.join(named)}: per-account settings come only from "
            f"{', '.join(PER_ACCOUNT[n][0] for n in named)} (docs/cicd.md); remove them from the file"
        )
    values: dict[str, str] = {}
    for setting, (var, output) in PER_ACCOUNT.items():
        value = (environ.get(var) or "").strip()
        if not value:
            raise UsageError(missing_message(env, var, output))
        values[setting] = value
    if not KMS_KEY_ARN.match(values["kms_key_id"]):
        raise UsageError(
            f"{KMS_KEY_VAR} is {values['kms_key_id']!r}, not a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>): "
            f"take it from the bootstrap output state_bucket_kms_key_arn "
            f"({github_prefix(env)}_{KMS_KEY_VAR} in the pipeline, terraform/{env}.account.env locally)"
        )
    return [
        f"-backend-config={ENV_DIR}/{path.name}",
        f"-backend-config=bucket={values['bucket']}",
        f"-backend-config=kms_key_id={values['kms_key_id']}",
    ]
