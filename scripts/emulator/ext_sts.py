"""AssumeRoleWithWebIdentity as AWS decides it: the role's trust policy must admit the token.

moto hands out credentials for any role to any token. AWS checks that the token's issuer is an IAM
OIDC provider of the account whose client ids include the token's ``aud``, then evaluates the role's
trust policy for ``sts:AssumeRoleWithWebIdentity`` with the provider as the federated principal and
the token's claims as ``<provider host>:sub`` / ``:aud`` condition keys, and refuses a
``DurationSeconds`` above the role's maximum session duration.
https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif

The token's signature is not verified: the emulator is not GitHub, and tests mint their own tokens
(``scripts.iam.pipeline.web_identity_token``). Everything the trust policy reads is checked.
"""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import urlparse


def token_claims(token: str) -> dict[str, Any]:
    try:
        payload = token.split(".")[1]
        return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))
    except (IndexError, ValueError) as exc:
        raise ValueError(f"the web identity token is not a JWT: {exc}") from None


def _refuse(message: str) -> Exception:
    from moto.sts.exceptions import STSClientError

    return STSClientError("AccessDenied", message)


def authorize_web_identity(account_id: str, role_arn: str, token: str, duration: int) -> None:
    """Raise AWS's error when the token may not assume the role; return when it may."""
    from moto.iam.models import iam_backends
    from moto.sts.exceptions import STSValidationError

    from scripts.iam import evaluator

    claims = token_claims(token)
    host = urlparse(str(claims.get("iss", ""))).netloc
    iam = iam_backends[account_id]["aws"]
    provider_arn = f"arn:aws:iam::{account_id}:oidc-provider/{host}"
    provider = iam.open_id_providers.get(provider_arn)
    if provider is None:
        raise _refuse(f"No OpenIDConnect provider found in your account for {claims.get('iss')}")
    audiences = claims.get("aud")
    audiences = audiences if isinstance(audiences, list) else [audiences]
    if not set(audiences) & set(provider.client_id_list):
        raise _refuse("Incorrect token audience")
    try:
        role = iam.get_role_by_arn(role_arn)
    except Exception:
        raise _refuse(f"Not authorized to perform sts:AssumeRoleWithWebIdentity on {role_arn}") from None
    if duration > role.max_session_duration:
        limit = role.max_session_duration
        raise STSValidationError(
            f"The requested DurationSeconds exceeds the MaxSessionDuration set for this role ({limit})."
        )
    context = {f"{host}:sub": str(claims.get("sub", "")), f"{host}:aud": audiences[0]}
    simulation = {
        "request": {
            "principal": provider_arn,
            "action": "sts:AssumeRoleWithWebIdentity",
            "resource": {"resource": role_arn, "accountId": account_id},
            "contextVariables": context,
        },
        "identityPolicies": [],
        "serviceControlPolicies": [],
        "resourceControlPolicies": [],
        "resourcePolicy": json.loads(role.assume_role_policy_document),
    }
    [result] = evaluator.simulate([simulation], unchecked=True)
    if result["result"] != "Allowed":
        raise _refuse(
            f"Not authorized to perform sts:AssumeRoleWithWebIdentity on {role_arn} "
            f"(sub {context[f'{host}:sub']!r}: {result['result']})"
        )


def install() -> None:
    from moto.sts import responses

    cls = responses.TokenResponse
    original = cls.assume_role_with_web_identity

    def assume_role_with_web_identity(self: Any) -> Any:
        authorize_web_identity(
            self.current_account,
            self._get_param("RoleArn"),
            self._get_param("WebIdentityToken") or "",
            self._get_int_param("DurationSeconds", 3600),
        )
        return original(self)

    cls.assume_role_with_web_identity = assume_role_with_web_identity
