"""The pipeline's role sessions: a role assumed with a GitHub OIDC token.

The pipeline (.github/workflows) exchanges the job's OIDC token for a plan or apply role session
(AssumeRoleWithWebIdentity). Here the token is minted locally with the claims GitHub puts in it, the
emulator's STS judges it against the role's trust policy (``scripts.emulator.ext_sts``), and the
walkthrough (``scripts.walkthrough``) gives the session's keys to the workflow steps in the
environment, exactly as ``aws-actions/configure-aws-credentials`` exports them.
"""

from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass
from typing import Any

from scripts.emulator import Emulator

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
