"""Run Terraform the way the deploy pipeline does: as a role assumed with a GitHub OIDC token.

The pipeline (.github/workflows) exchanges the job's OIDC token for a plan or apply role session
(AssumeRoleWithWebIdentity) and runs Terraform with those credentials against the S3 backend the
bootstrap created. Here the token is minted locally with the claims GitHub puts in it, the emulator's
STS judges it against the role's trust policy (``scripts.emulator.ext_sts``), and Terraform gets the
session's keys from the environment, exactly as ``aws-actions/configure-aws-credentials`` exports them.
"""

from __future__ import annotations

import base64
import json
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scripts.backend import BUCKET_VAR, KMS_KEY_VAR, backend_config
from scripts.emulator import Emulator
from scripts.emulator.override import write_override
from scripts.tf import REPO_ROOT, Workspace, scratch_copy

GITHUB_ISSUER = "https://token.actions.githubusercontent.com"
STS_AUDIENCE = "sts.amazonaws.com"


def web_identity_token(sub: str, aud: str = STS_AUDIENCE, issuer: str = GITHUB_ISSUER) -> str:
    """An (unsigned) JWT with the claims of a GitHub Actions OIDC token."""

    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    now = int(time.time())
    claims = {"iss": issuer, "sub": sub, "aud": aud, "iat": now, "exp": now + 300}
    return f"{part({'alg': 'RS256', 'typ': 'JWT'})}.{part(claims)}.c2lnbmF0dXJl"


@dataclass(frozen=True)
class Session:
    role_arn: str
    access_key: str
    secret_key: str
    token: str

    def env(self, emulator: Emulator) -> dict[str, str]:
        return {
            **emulator.env(),
            "AWS_ACCESS_KEY_ID": self.access_key,
            "AWS_SECRET_ACCESS_KEY": self.secret_key,
            "AWS_SESSION_TOKEN": self.token,
        }


def assume(emulator: Emulator, role_arn: str, sub: str, duration: int = 3600) -> Session:
    """AssumeRoleWithWebIdentity as the pipeline's credentials step calls it (unsigned, like the SDK)."""
    import boto3
    from botocore import UNSIGNED
    from botocore.config import Config

    sts = boto3.client(
        "sts",
        endpoint_url=emulator.endpoint_url,
        region_name=emulator.region,
        config=Config(signature_version=UNSIGNED),
    )
    answer = sts.assume_role_with_web_identity(
        RoleArn=role_arn,
        RoleSessionName="GitHubActions",
        WebIdentityToken=web_identity_token(sub),
        DurationSeconds=duration,
    )
    creds = answer["Credentials"]
    return Session(role_arn, creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])


def bootstrap_state(emulator: Emulator) -> dict[str, str]:
    """STATE_BUCKET and STATE_KMS_KEY_ARN as a person copies them from the bootstrap's outputs
    ``state_bucket`` and ``state_bucket_kms_key_arn``, read back from the emulated account: the one
    bucket named ``<service>-tfstate-<account id>`` (terraform/bootstrap/main.tf) and the KMS key of its
    default encryption, which is that output (tests/modules/test_bootstrap_apply.py checks both)."""
    account = emulator.client("sts").get_caller_identity()["Account"]
    s3 = emulator.client("s3")
    names = [b["Name"] for b in s3.list_buckets().get("Buckets", []) if b["Name"].endswith(f"-tfstate-{account}")]
    if len(names) != 1:
        raise RuntimeError(f"expected one state bucket *-tfstate-{account} of the bootstrap, found {names or 'none'}")
    rule = s3.get_bucket_encryption(Bucket=names[0])["ServerSideEncryptionConfiguration"]["Rules"][0]
    return {BUCKET_VAR: names[0], KMS_KEY_VAR: rule["ApplyServerSideEncryptionByDefault"]["KMSMasterKeyID"]}


def backend_file(dest: Path, env: str, emulator: Emulator) -> list[str]:
    """The ``-backend-config`` arguments of ``env`` as the pipeline passes them (``scripts.backend``: the
    committed file, the bootstrap's bucket and KMS key), plus one file with only what points them at the
    emulator."""
    arguments = backend_config(env, bootstrap_state(emulator))
    extra = (
        "use_path_style = true\n"
        f'endpoints = {{ s3 = "{emulator.endpoint_url}", sts = "{emulator.endpoint_url}", '
        f'iam = "{emulator.endpoint_url}" }}\n'
    )
    path = dest / f"{env}.emulator.s3.tfbackend"
    path.write_text(extra)
    return [*arguments, f"-backend-config={path}"]


def role_workspace(
    relpath: str,
    emulator: Emulator,
    session: Session,
    dest_root: Path,
    env: str,
    tf_vars: dict[str, Any],
) -> Workspace:
    """A scratch copy of the root, run with the session's keys against the environment's S3 backend."""
    tfdir = scratch_copy(relpath, dest_root)
    write_override(tfdir, emulator.endpoint_url or "", emulator.region, static_credentials=False)
    shutil.copy(REPO_ROOT / "terraform" / "environments" / f"{env}.tfvars", tfdir / "environment.auto.tfvars")
    ws = Workspace(tfdir, extra_env=session.env(emulator))
    ws.set_vars(tf_vars)
    ws.run("init", "-input=false", *backend_file(dest_root, env, emulator))
    return ws
