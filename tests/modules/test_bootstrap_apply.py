"""terraform/bootstrap: apply to the emulator, read the delivery identity and state bucket back with
boto3, use the bucket as a locked S3 backend, re-plan, destroy."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from scripts.terraform.backend import backend_config, committed_settings
from scripts.terraform.tf import REPO_ROOT, Workspace
from tests.harness import applied, assert_idempotent, example_workspace

pytestmark = [pytest.mark.emulator, pytest.mark.slow]

ROOT = "terraform/bootstrap"
OIDC_HOST = "token.actions.githubusercontent.com"
REPO = "repo:example-org/imgclass-platform"
INPUTS = {"github_owner": "example-org", "github_repository": "imgclass-platform"}
ENVIRONMENTS = ("dev", "prod")


@pytest.fixture(scope="module")
def stack(emulator, tmp_path_factory):
    ws = example_workspace(ROOT, emulator, tmp_path_factory.mktemp("bootapply"))
    with applied(ws, INPUTS) as outputs:
        yield ws, outputs


@pytest.fixture(scope="module")
def iam(aws):
    return aws("iam")


@pytest.fixture(scope="module")
def s3(aws):
    return aws("s3")


def role_name(arn: str) -> str:
    return arn.rsplit("/", 1)[1]


def policy_documents(iam, role: str) -> dict[str, dict]:
    """Attached customer-managed policies of a role: {policy name: document}."""
    docs = {}
    for attached in iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]:
        policy = iam.get_policy(PolicyArn=attached["PolicyArn"])["Policy"]
        version = iam.get_policy_version(PolicyArn=attached["PolicyArn"], VersionId=policy["DefaultVersionId"])
        docs[attached["PolicyName"]] = version["PolicyVersion"]["Document"]
    return docs


def statements(doc: dict) -> list[dict]:
    return [{**s, "Action": _list(s.get("Action")), "Resource": _list(s.get("Resource"))} for s in doc["Statement"]]


def _list(value: object) -> list:
    return value if isinstance(value, list) else [value]


def test_oidc_provider_for_github_with_the_sts_audience(stack, iam):
    _, out = stack
    provider = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=out["oidc_provider_arn"])
    assert provider["Url"] == OIDC_HOST
    assert provider["ClientIDList"] == ["sts.amazonaws.com"]
    assert out["oidc_provider_arn"].endswith(f":oidc-provider/{OIDC_HOST}")


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_roles_read_back_with_exact_trust(stack, iam, env):
    _, out = stack
    expected = {
        "plan": sorted([f"{REPO}:pull_request", f"{REPO}:ref:refs/heads/main"]),
        "apply": [f"{REPO}:environment:{env}"],
    }
    for kind, arn in (("plan", out["plan_role_arns"][env]), ("apply", out["apply_role_arns"][env])):
        role = iam.get_role(RoleName=role_name(arn))["Role"]
        assert role["Path"] == "/github-actions/"
        assert role["MaxSessionDuration"] == 3600
        [statement] = role["AssumeRolePolicyDocument"]["Statement"]
        assert statement["Effect"] == "Allow"
        assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
        assert statement["Principal"] == {"Federated": out["oidc_provider_arn"]}
        assert set(statement["Condition"]) == {"StringEquals"}, "only exact matches, never StringLike"
        condition = statement["Condition"]["StringEquals"]
        assert condition[f"{OIDC_HOST}:aud"] == "sts.amazonaws.com"
        assert sorted(_list(condition[f"{OIDC_HOST}:sub"])) == expected[kind], (kind, env)


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_plan_role_reads_state_and_writes_nothing(stack, iam, env):
    """Pull-request and drift plans run with -lock=false: the plan role needs no write at all."""
    _, out = stack
    docs = policy_documents(iam, role_name(out["plan_role_arns"][env]))
    assert set(docs) == {"imgclass-gha-read", f"imgclass-gha-read-{env}", f"imgclass-gha-plan-state-{env}"}
    state = {s["Sid"]: s for s in statements(docs[f"imgclass-gha-plan-state-{env}"])}
    key = f"arn:aws:s3:::{out['state_bucket']}/imgclass/{env}/terraform.tfstate"
    assert state["ReadState"]["Action"] == ["s3:GetObject"]
    assert state["ReadState"]["Resource"] == [key]
    writes = [s for s in state.values() if any(a in s["Action"] for a in ("s3:PutObject", "s3:DeleteObject"))]
    assert writes == [], "the plan role writes nothing, not even the lock file"
    assert state["StateKey"]["Resource"] == [out["state_bucket_kms_key_arn"]]
    assert state["StateKey"]["Action"] == ["kms:Decrypt"]
    # Nothing in the read policy returns object, secret or parameter values outside the service.
    read = statements(docs["imgclass-gha-read"]) + statements(docs[f"imgclass-gha-read-{env}"])
    actions = {a for s in read for a in s["Action"]}
    assert not actions & {"s3:GetObject", "secretsmanager:GetSecretValue", "s3:*", "*"}
    assert all(s["Effect"] == "Allow" for s in read)


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_apply_role_is_scoped_not_administrator(stack, iam, env):
    _, out = stack
    role = role_name(out["apply_role_arns"][env])
    attached = iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]
    assert not [p for p in attached if ":aws:policy/" in p["PolicyArn"]], "no AWS managed policy"
    assert iam.list_role_policies(RoleName=role)["PolicyNames"] == []
    docs = policy_documents(iam, role)
    assert set(docs) == {
        "imgclass-gha-read",
        f"imgclass-gha-read-{env}",
        f"imgclass-gha-apply-state-{env}",
        *(f"imgclass-gha-apply-{area}-{env}" for area in ("compute", "data", "services", "iam")),
    }
    other = "prod" if env == "dev" else "dev"
    for name, doc in docs.items():
        for s in statements(doc):
            if s["Effect"] == "Allow":
                assert not [a for a in s["Action"] if a == "*" or a.endswith(":*")], (name, s["Sid"])
            assert not [r for r in s["Resource"] if f"imgclass-{other}" in r], (name, s["Sid"], "other environment")
    guard = {s["Sid"]: s for s in statements(docs[f"imgclass-gha-apply-iam-{env}"])}
    assert guard["DenyChangesToDeliveryIdentity"]["Effect"] == "Deny"
    assert out["oidc_provider_arn"] in guard["DenyChangesToDeliveryIdentity"]["Resource"]
    assert guard["DenyChangesToStateKey"]["Resource"] == [out["state_bucket_kms_key_arn"]]
    assert guard["PassPlatformRoles"]["Condition"]["StringEquals"]["iam:PassedToService"]


def test_state_bucket_is_private_encrypted_and_versioned(stack, s3):
    _, out = stack
    bucket = out["state_bucket"]
    assert bucket == "imgclass-tfstate-123456789012"
    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert all(block.values()) and len(block) == 4
    rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"] == {
        "SSEAlgorithm": "aws:kms",
        "KMSMasterKeyID": out["state_bucket_kms_key_arn"],
    }
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    assert "aws:SecureTransport" in s3.get_bucket_policy(Bucket=bucket)["Policy"]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_backend_files_of_the_root_point_at_this_bucket(stack, env):
    """terraform/environments/<env>.s3.tfbackend holds the settings of the bootstrap's backend_config
    that every account shares; the per-account bucket and KMS key ARN are in github_variables as the
    repository variables that become STATE_BUCKET / STATE_KMS_KEY_ARN, and backend_config (scripts.terraform.backend)
    turns them into the same init arguments as the output's settings."""
    _, out = stack
    committed = committed_settings(REPO_ROOT / "terraform" / "environments" / f"{env}.s3.tfbackend")
    expected = out["backend_config"][env]
    assert committed == {k: expected[k] for k in ("key", "region", "encrypt", "use_lockfile")}
    repository = out["github_variables"]["repository"]
    prefix = env.upper()
    state = {
        "STATE_BUCKET": repository[f"{prefix}_STATE_BUCKET"],
        "STATE_KMS_KEY_ARN": repository[f"{prefix}_STATE_KMS_KEY_ARN"],
    }
    assert state == {"STATE_BUCKET": out["state_bucket"], "STATE_KMS_KEY_ARN": out["state_bucket_kms_key_arn"]}
    assert backend_config(env, state) == [
        f"-backend-config=environments/{env}.s3.tfbackend",
        f"-backend-config=bucket={expected['bucket']}",
        f"-backend-config=kms_key_id={expected['kms_key_id']}",
    ]


def test_bucket_refuses_plain_http(stack, s3):
    """The emulator speaks plain HTTP, which the bucket's TLS-only policy refuses, as AWS would."""
    _, out = stack
    with pytest.raises(ClientError) as err:
        s3.put_object(Bucket=out["state_bucket"], Key="probe", Body=b"x")
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_bucket_serves_as_a_locked_backend(stack, s3, emulator, tmp_path):
    """A root with the dev backend settings keeps its state here, encrypted with the bucket key.

    The TLS-only policy is lifted for this round trip (the emulator has no TLS) and restored after.
    """
    _, out = stack
    backend = out["backend_config"]["dev"]
    bucket = backend["bucket"]
    root = tmp_path / "backend_user"
    root.mkdir()
    (root / "main.tf").write_text(
        'terraform {\n  backend "s3" {}\n}\n\nresource "terraform_data" "marker" {\n  input = "x"\n}\n'
    )
    (root / "emulator.s3.tfbackend").write_text(
        "\n".join(
            [
                f'bucket = "{bucket}"',
                f'key = "{backend["key"]}"',
                f'region = "{backend["region"]}"',
                "encrypt = true",
                f'kms_key_id = "{backend["kms_key_id"]}"',
                "use_lockfile = true",
                "use_path_style = true",
                "skip_credentials_validation = true",
                "skip_metadata_api_check = true",
                f'endpoints = {{ s3 = "{emulator.endpoint_url}", sts = "{emulator.endpoint_url}" }}',
            ]
        )
        + "\n"
    )
    policy = s3.get_bucket_policy(Bucket=bucket)["Policy"]
    s3.delete_bucket_policy(Bucket=bucket)
    ws = Workspace(root, extra_env=emulator.env())
    try:
        ws.init(backend_config=str(root / "emulator.s3.tfbackend"))
        ws.apply()
        head = s3.head_object(Bucket=bucket, Key=backend["key"])
        assert head["ServerSideEncryption"] == "aws:kms"
        assert head["SSEKMSKeyId"] == out["state_bucket_kms_key_arn"]
        # The lock file exists only while a command runs.
        with pytest.raises(ClientError):
            s3.head_object(Bucket=bucket, Key=f"{backend['key']}.tflock")
        ws.destroy()
        versions = s3.list_object_versions(Bucket=bucket, Prefix=backend["key"]).get("Versions", [])
        assert len([v for v in versions if v["Key"] == backend["key"]]) >= 2, "every state write is a version"
    finally:
        # Empty the bucket (so the bootstrap can be destroyed) and put the policy back.
        listing = s3.list_object_versions(Bucket=bucket)
        objects = [
            {"Key": v["Key"], "VersionId": v["VersionId"]}
            for v in listing.get("Versions", []) + listing.get("DeleteMarkers", [])
        ]
        if objects:
            s3.delete_objects(Bucket=bucket, Delete={"Objects": objects})
        s3.put_bucket_policy(Bucket=bucket, Policy=policy)


def test_replan_is_clean(stack):
    ws, _ = stack
    assert_idempotent(ws)


def test_destroy_removes_roles_provider_and_bucket(stack, iam, s3):
    ws, out = stack
    ws.destroy()
    assert ws.state_resources() == []
    for arn in [*out["plan_role_arns"].values(), *out["apply_role_arns"].values()]:
        with pytest.raises(ClientError) as err:
            iam.get_role(RoleName=role_name(arn))
        assert err.value.response["Error"]["Code"] == "NoSuchEntity"
    assert iam.list_open_id_connect_providers()["OpenIDConnectProviderList"] == []
    with pytest.raises(ClientError):
        s3.head_bucket(Bucket=out["state_bucket"])
