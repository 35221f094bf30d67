"""terraform/bootstrap: a trust policy without a precise subject cannot be planned.

Empty values and wildcard characters in anything that ends up in a `sub` condition (owner,
repository, ids, environment names, trusted refs) are refused with a message that says why. The
cases share ONE initialised root; each case is one failing plan, and Terraform reports every
refused input of a case at once.
"""

from __future__ import annotations

import pytest

from tests.harness import assert_rejected, example_workspace

pytestmark = pytest.mark.emulator

VALID = {"github_owner": "example-org", "github_repository": "imgclass-platform"}
OWNER = "github_owner must be the exact GitHub account name"
REPOSITORY = "github_repository must be the exact repository name"
ENVIRONMENTS = "so it can be neither empty nor a wildcard (*, ?)"
EMPTY_OR_WILDCARD = "An empty value or a wildcard (*, ?) would let workflows of other repositories"
OWNER_ID = "github_owner_id must be the owner's numeric GitHub id (digits only, no wildcard)"
REFS = "plan_trusted_refs entries must be exact refs such as refs/heads/main: no wildcard"

CASES = {
    "empty-subject-parts": (
        {"github_owner": "", "github_repository": "", "environments": {}, "plan_trusted_refs": [""]},
        [
            OWNER,
            REPOSITORY,
            ENVIRONMENTS,
            REFS,
            "An empty value or a wildcard (*, ?) would let workflows of other repositories",
        ],
    ),
    "bare-wildcards": (
        {
            "github_owner": "*",
            "github_repository": "*",
            "environments": {"*": {}},
            "plan_trusted_refs": ["refs/heads/*"],
        },
        [OWNER, REPOSITORY, ENVIRONMENTS, REFS],
    ),
    "embedded-wildcards": (
        {
            "github_owner": "example-?",
            "github_repository": "imgclass-*",
            "environments": {"prod*": {}},
            "plan_trusted_refs": ["refs/heads/release/?"],
            "github_owner_id": "12*",
            "github_repository_id": "765432109",
        },
        [
            OWNER,
            REPOSITORY,
            ENVIRONMENTS,
            REFS,
            "github_owner_id must be the owner's numeric GitHub id (digits only, no wildcard)",
        ],
    ),
    "half-of-the-immutable-format": (
        {**VALID, "github_repository_id": "765432109"},
        ["github_owner_id and github_repository_id must be set together"],
    ),
    "state-key-prefix-and-provider": (
        {
            **VALID,
            "environments": {"dev": {"state_key": "imgclass/*/terraform.tfstate"}, "prod": {"resource_prefix": "*"}},
            "oidc_provider_arn": "arn:aws:iam::123456789012:oidc-provider/example.com",
            "oidc_thumbprints": ["not-a-thumbprint"],
        },
        [
            "environments[*].state_key must be an S3 key ending in .tfstate",
            "environments[*].resource_prefix must be 3-31 lowercase letters",
            "oidc_provider_arn must be the ARN of the token.actions.githubusercontent.com OIDC provider",
            "oidc_thumbprints must hold at most 5 SHA-1 thumbprints",
        ],
    ),
}


@pytest.fixture(scope="module")
def ws(emulator, tmp_path_factory):
    return example_workspace("terraform/bootstrap", emulator, tmp_path_factory.mktemp("bootinputs"))


@pytest.mark.parametrize(("bad", "messages"), list(CASES.values()), ids=list(CASES))
def test_rejected(ws, bad, messages):
    output = assert_rejected(ws, bad, *messages)
    # Nothing was planned: the refusal comes from input validation, before any resource.
    assert "Invalid value for variable" in output
