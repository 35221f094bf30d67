"""terraform/bootstrap: validate, checkov, and plan inventories of the deploy roles' trust policies
in both GitHub subject formats (no apply)."""

from __future__ import annotations

import json

import pytest

from scripts.terraform.backend import github_prefix
from tests.harness import assert_rejected, example_workspace

pytestmark = pytest.mark.emulator

ROOT = "terraform/bootstrap"
OIDC_HOST = "token.actions.githubusercontent.com"
EXISTING_PROVIDER = f"arn:aws:iam::123456789012:oidc-provider/{OIDC_HOST}"
REPO = "repo:example-org/imgclass-platform"
IMMUTABLE_REPO = "repo:example-org@1234567/imgclass-platform@765432109"
ENVIRONMENTS = ("dev", "prod")

# Classic subjects, and an OIDC provider that already exists: every trust policy is known at plan time.
CLASSIC = {
    "github_owner": "example-org",
    "github_repository": "imgclass-platform",
    "oidc_provider_arn": EXISTING_PROVIDER,
}
# Immutable subjects, and the provider created here (its ARN, so the trust JSON, is known after apply).
IMMUTABLE = {
    "github_owner": "example-org",
    "github_repository": "imgclass-platform",
    "github_owner_id": "1234567",
    "github_repository_id": "765432109",
}
# Actions that may stand on Resource "*" (AWS offers no resource-level permission); docs/cicd.md explains each.


@pytest.fixture(scope="module")
def ws(emulator, tmp_path_factory):
    return example_workspace(ROOT, emulator, tmp_path_factory.mktemp("bootplan"))


@pytest.fixture(scope="module")
def classic(ws):
    return ws.plan(CLASSIC, ws.tfdir / "classic.tfplan")


@pytest.fixture(scope="module")
def immutable(ws, classic):  # after `classic`: both plans share the workspace's variables file
    return ws.plan(IMMUTABLE, ws.tfdir / "immutable.tfplan")


@pytest.fixture(scope="module")
def hyphenated(ws):
    return ws.plan({**CLASSIC, "environments": {"pre-prod": {}}}, ws.tfdir / "hyphenated.tfplan")


def trust(inventory, kind: str, env: str) -> dict:
    return json.loads(inventory.resources[f'aws_iam_role.{kind}["{env}"]'].values["assume_role_policy"])


def sub_values(statement: dict) -> list[str]:
    value = statement["Condition"]["StringEquals"][f"{OIDC_HOST}:sub"]
    return sorted(value if isinstance(value, list) else [value])


def test_validates(ws):
    result = ws.validate()
    assert result["valid"], result["diagnostics"]
    assert result["warning_count"] == 0, result["diagnostics"]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_apply_role_trusts_only_its_github_environment(classic, env):
    assert trust(classic, "apply", env) == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "GitHubEnvironment",
                "Effect": "Allow",
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Principal": {"Federated": EXISTING_PROVIDER},
                "Condition": {
                    "StringEquals": {
                        f"{OIDC_HOST}:aud": "sts.amazonaws.com",
                        f"{OIDC_HOST}:sub": f"{REPO}:environment:{env}",
                    }
                },
            }
        ],
    }


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_plan_role_trusts_pull_requests_and_main_only(classic, env):
    [statement] = trust(classic, "plan", env)["Statement"]
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert statement["Principal"] == {"Federated": EXISTING_PROVIDER}
    assert statement["Condition"]["StringEquals"][f"{OIDC_HOST}:aud"] == "sts.amazonaws.com"
    assert sub_values(statement) == sorted([f"{REPO}:pull_request", f"{REPO}:ref:refs/heads/main"])


def test_every_trust_condition_is_exact(classic):
    """StringEquals on both claims, never StringLike, no wildcard character in any subject."""
    for kind in ("plan", "apply"):
        for env in ENVIRONMENTS:
            for statement in trust(classic, kind, env)["Statement"]:
                assert set(statement["Condition"]) == {"StringEquals"}
                assert set(statement["Condition"]["StringEquals"]) == {f"{OIDC_HOST}:aud", f"{OIDC_HOST}:sub"}
                assert not [s for s in sub_values(statement) if "*" in s or "?" in s]


def test_existing_oidc_provider_is_reused_not_created(classic):
    assert classic.counts.get("aws_iam_openid_connect_provider", 0) == 0


def test_roles_names_paths_and_attachments(classic):
    for env in ENVIRONMENTS:
        for kind in ("plan", "apply"):
            values = classic.resources[f'aws_iam_role.{kind}["{env}"]'].values
            assert values["name"] == f"imgclass-gha-{kind}-{env}"
            assert values["path"] == "/github-actions/"
            assert values["max_session_duration"] == 3600
    attachments = [r.address for r in classic.of_type("aws_iam_role_policy_attachment")]
    assert sorted(a for a in attachments if a.startswith("aws_iam_role_policy_attachment.plan")) == [
        f'aws_iam_role_policy_attachment.plan["{env}-{p}"]'
        for env in ENVIRONMENTS
        for p in ("read", "read-names", "state")
    ]
    apply = [a for a in attachments if a.startswith("aws_iam_role_policy_attachment.apply")]
    # read, read-names, state, compute, data, services, iam: within IAM's default quota of 10
    # managed policies per role (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
    assert len(apply) == 7 * len(ENVIRONMENTS)


def _policy(inventory, address: str) -> dict:
    return json.loads(inventory.resources[address].values["policy"])


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_apply_permissions_are_scoped_to_the_environment(classic, env):
    other = "prod" if env == "dev" else "dev"
    for area in ("compute", "data", "services", "read"):
        address = f'aws_iam_policy.read_names["{env}"]' if area == "read" else f'aws_iam_policy.apply["{area}-{env}"]'
        doc = _policy(classic, address)
        text = json.dumps(doc)
        assert f"imgclass-{other}" not in text, f"{area}-{env} reaches the {other} environment"
        assert len("".join(text.split())) <= 6144
        for statement in doc["Statement"]:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
            assert not [a for a in actions if a == "*" or a.endswith(":*")], statement["Sid"]
            if "*" not in resources:
                named = [r for r in resources if "imgclass" in r]
                assert all(f"imgclass-{env}" in r or f"imgclass/{env}/" in r for r in named), statement["Sid"]
            if statement["Sid"] in {"CreateTaggedSecurityGroups", "CreateTaggedKeys", "CreateTaggedProxies"}:
                assert statement["Condition"]["StringEquals"] == {
                    "aws:RequestTag/Service": "imgclass",
                    "aws:RequestTag/Environment": env,
                }


# Actions the read policy grants on Resource "*" although AWS offers a resource type: list calls the
# provider makes without an identifier, which AWS authorizes on "*". The IAM proof
# (tests/platform/test_platform_apply.py) recorded each on "*"; a scoped grant would be refused.
LIST_CALLS_ON_STAR = {"rds:DescribeDBInstances"}


def _broad_allows(docs: list[dict]) -> list[tuple[str, str]]:
    """(Sid, action) of every Allow on Resource "*", wildcard actions expanded by the IAM reference."""
    from scripts.iam import evaluator

    broad = []
    for doc in docs:
        for statement in doc["Statement"]:
            resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
            if statement["Effect"] == "Allow" and "*" in resources:
                actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
                broad += [(statement["Sid"], a) for a in actions]
    patterns = {a for _, a in broad if "*" in a}
    expanded = evaluator.expand(patterns) if patterns else {}
    return [
        (sid, x["action"])
        for sid, a in broad
        for x in (expanded[a] or [{"action": a}] if "*" in a else [{"action": a}])
    ]


def _scopable(broad: list[tuple[str, str]]) -> list[str]:
    from scripts.iam import evaluator

    meta = evaluator.describe({a for _, a in broad})
    return [
        f"{sid}: {a} supports {[t['name'] for t in meta[a]['resourceTypes']]}"
        for sid, a in broad
        if meta[a] and meta[a]["resourceTypes"]
    ]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_apply_policies_use_star_only_where_aws_offers_no_resource(classic, env):
    """An Allow on Resource "*" only for actions without resource-level permissions, as the IAM
    service reference (iam-data, the evaluator's data) lists them; "*" action never."""
    # The iam area's document names the state key, unknown until apply; its statements name ARNs.
    docs = [_policy(classic, f'aws_iam_policy.apply["{area}-{env}"]') for area in ("compute", "data", "services")]
    broad = _broad_allows(docs)
    assert broad, "the policies were not read"
    scoped = _scopable(broad)
    assert not scoped, "Resource * where AWS offers resource-level permissions:\n" + "\n".join(scoped)


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_read_policies_use_star_only_where_aws_offers_no_resource(classic, env):
    """What the plan and apply roles read: "*" only where the reference gives no resource type, or
    for the listed list calls; every other read names the environment's resources."""
    docs = [_policy(classic, "aws_iam_policy.read"), _policy(classic, f'aws_iam_policy.read_names["{env}"]')]
    assert all(len("".join(json.dumps(doc).split())) <= 6144 for doc in docs)
    broad = _broad_allows(docs)
    assert ("ReadWithoutResourceTypes", "elasticloadbalancing:DescribeLoadBalancers") in broad
    listed = {a for _, a in broad} & LIST_CALLS_ON_STAR
    assert listed == LIST_CALLS_ON_STAR, "an exception is no longer needed: drop it from LIST_CALLS_ON_STAR"
    scoped = _scopable([(sid, a) for sid, a in broad if a not in LIST_CALLS_ON_STAR])
    assert not scoped, "Resource * where AWS offers resource-level permissions:\n" + "\n".join(scoped)
    for statement in docs[1]["Statement"]:
        resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        assert "*" not in resources, statement["Sid"]
        assert all(r.startswith("arn:aws:") and ":123456789012:" in r for r in resources), statement["Sid"]


def test_read_policy_returns_no_data(classic):
    doc = _policy(classic, "aws_iam_policy.read")
    actions = {a for s in doc["Statement"] for a in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])}
    assert not actions & {"s3:GetObject", "secretsmanager:GetSecretValue", "ssm:GetParametersByPath", "kms:*"}
    assert all(s["Effect"] == "Allow" for s in doc["Statement"])
    by_sid = {s["Sid"]: s for s in doc["Statement"]}
    assert by_sid["ParametersOfTheService"]["Resource"].endswith(":parameter/imgclass/*")
    assert by_sid["DecryptParametersOfTheService"]["Condition"]["StringEquals"]["kms:ViaService"] == (
        "ssm.eu-west-1.amazonaws.com"
    )


# Rows the policy tables (terraform/bootstrap/policies.tf) must refuse: a misspelt field would
# silently drop what it meant to add, and a document over IAM's 6,144 characters fails only at apply.
BAD_ROWS = """
locals {
  read_statements = [
    { sid = "Misspelt", actions = { s3 = ["ListBucket"] }, resources = ["arn:aws:s3:::imgclass-x"], scop = "tagged" },
  ]
  plan_state_statements = {
    for env in keys(local.environments) : env => [{
      sid       = "TooLong"
      actions   = { s3 = ["GetObject"] }
      resources = [for i in range(300) : "arn:aws:s3:::imgclass-${env}-object-${i}"]
    }]
  }
}
"""


def test_policy_tables_refuse_unknown_fields_and_oversized_documents(ws, classic):
    """Runs after `classic` (its fixture) and removes the override, so later plans of the shared
    workspace see the committed tables."""
    override = ws.tfdir / "bad_rows_override.tf"
    override.write_text(BAD_ROWS)
    try:
        assert_rejected(
            ws,
            CLASSIC,
            "A row of the policy table read has a field other than "
            "sid, effect, actions, resources, scope, conditions, when.",
            "The policy document plan-state/dev exceeds IAM's 6,144-character limit for managed policies; split it.",
            "The policy document plan-state/prod exceeds IAM's 6,144-character limit",
        )
    finally:
        override.unlink()


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_immutable_subject_format(immutable, env):
    """With the owner and repository ids, every subject uses repo:<owner>@<id>/<repo>@<id>:..."""
    statement = immutable.resources[f'data.aws_iam_policy_document.trust["apply/{env}"]'].values["statement"][0]
    conditions = {c["variable"]: (c["test"], c["values"]) for c in statement["condition"]}
    assert conditions == {
        f"{OIDC_HOST}:aud": ("StringEquals", ["sts.amazonaws.com"]),
        f"{OIDC_HOST}:sub": ("StringEquals", [f"{IMMUTABLE_REPO}:environment:{env}"]),
    }
    statement = immutable.resources[f'data.aws_iam_policy_document.trust["plan/{env}"]'].values["statement"][0]
    conditions = {c["variable"]: (c["test"], sorted(c["values"])) for c in statement["condition"]}
    assert conditions[f"{OIDC_HOST}:sub"] == (
        "StringEquals",
        sorted([f"{IMMUTABLE_REPO}:pull_request", f"{IMMUTABLE_REPO}:ref:refs/heads/main"]),
    )
    assert immutable.outputs["trust_subjects"][env] == {
        "plan": [f"{IMMUTABLE_REPO}:pull_request", f"{IMMUTABLE_REPO}:ref:refs/heads/main"],
        "apply": [f"{IMMUTABLE_REPO}:environment:{env}"],
    }


def test_oidc_provider_created_for_github_actions(immutable):
    provider = immutable.one("aws_iam_openid_connect_provider").values
    assert provider["url"] == f"https://{OIDC_HOST}"
    assert provider["client_id_list"] == ["sts.amazonaws.com"]
    # No thumbprints given: IAM uses its own trusted CAs for GitHub (computed, valid in 5.100 and 6.x).
    assert provider.get("thumbprint_list") in (None, [])


def test_state_bucket_from_private_s3(immutable):
    bucket = immutable.find("module.state_bucket.aws_s3_bucket.this").values
    assert bucket["bucket"] == "imgclass-tfstate-123456789012"
    assert bucket["force_destroy"] is False
    versioning = immutable.find("module.state_bucket.aws_s3_bucket_versioning.this").values
    assert versioning["versioning_configuration"][0]["status"] == "Enabled"
    sse = immutable.find("module.state_bucket.aws_s3_bucket_server_side_encryption_configuration.this").values
    assert sse["rule"][0]["apply_server_side_encryption_by_default"][0]["sse_algorithm"] == "aws:kms"
    # The state key, wherever private-s3 declares it (the bootstrap has no other key).
    assert immutable.one("aws_kms_key").values["enable_key_rotation"] is True


def planned_keys(inventory, output: str) -> dict[str, set[str]]:
    """Per top-level field of ``output``, the keys of its map, known or not: an ARN known only after
    apply is left out of the plan's ``after`` and marked in ``after_unknown``."""
    change = inventory.raw["output_changes"][output]
    after, unknown = change["after"], change["after_unknown"]
    return {field: set(after.get(field, {})) | set(unknown.get(field, {})) for field in ("repository", "environments")}


def test_github_variables_of_a_hyphenated_environment_use_the_python_prefix(hyphenated):
    """The variable names the bootstrap hands out are the ones the Python tools read
    (scripts/terraform/backend.py): a hyphen is not allowed in a GitHub variable name."""
    prefix = github_prefix("pre-prod")
    assert prefix == "PRE_PROD"
    names = {f"{prefix}_{name}" for name in ("PLAN_ROLE_ARN", "STATE_BUCKET", "STATE_KMS_KEY_ARN")}
    assert planned_keys(hyphenated, "github_variables") == {
        "repository": {"AWS_REGION", *names},
        "environments": {"pre-prod"},
    }
