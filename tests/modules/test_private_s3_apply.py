"""modules/private-s3: apply the complete example to the emulator, read it back, re-plan, destroy."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from scripts.terraform.tf import unique_name
from tests.harness import applied, assert_idempotent, example_workspace

pytestmark = [pytest.mark.emulator, pytest.mark.slow]
EXAMPLE = "modules/private-s3/examples/complete"


@pytest.fixture(scope="module")
def stack(emulator, tmp_path_factory):
    ws = example_workspace(EXAMPLE, emulator, tmp_path_factory.mktemp("s3apply"))
    # force_destroy so the finalizer can always clean up the versioned buckets.
    with applied(ws, {"name": unique_name("s3app"), "force_destroy": True}) as outputs:
        yield ws, outputs


@pytest.fixture(scope="module")
def s3(aws):
    return aws("s3")


def test_public_access_fully_blocked(stack, s3):
    _, out = stack
    for bucket in (out["bucket_id"], out["log_bucket_id"]):
        cfg = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
        assert cfg == {
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        }


def test_encrypted_with_the_module_key(stack, s3, aws):
    _, out = stack
    rule = s3.get_bucket_encryption(Bucket=out["bucket_id"])["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    assert rule["ApplyServerSideEncryptionByDefault"]["KMSMasterKeyID"] == out["kms_key_arn"]
    assert rule["BucketKeyEnabled"] is True
    key = aws("kms").describe_key(KeyId=out["kms_key_arn"])["KeyMetadata"]
    assert key["KeyManager"] == "CUSTOMER"
    assert aws("kms").get_key_rotation_status(KeyId=out["kms_key_arn"])["KeyRotationEnabled"] is True


def test_versioning_and_ownership(stack, s3):
    _, out = stack
    assert s3.get_bucket_versioning(Bucket=out["bucket_id"])["Status"] == "Enabled"
    rules = s3.get_bucket_ownership_controls(Bucket=out["bucket_id"])["OwnershipControls"]["Rules"]
    assert rules == [{"ObjectOwnership": "BucketOwnerEnforced"}]


def test_policy_denies_plain_http_and_old_tls(stack, s3):
    _, out = stack
    policy = json.loads(s3.get_bucket_policy(Bucket=out["bucket_id"])["Policy"])
    by_sid = {s["Sid"]: s for s in policy["Statement"]}
    assert by_sid["DenyInsecureTransport"]["Effect"] == "Deny"
    assert by_sid["DenyInsecureTransport"]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert by_sid["DenyOutdatedTLS"]["Condition"] == {"NumericLessThan": {"s3:TlsVersion": "1.2"}}
    # The log bucket's grant for the data bucket's server access logs (server_access_log_sources),
    # beside the module's denies: under the source's prefix, for that bucket of this account only.
    log_policy = {
        s["Sid"]: s for s in json.loads(s3.get_bucket_policy(Bucket=out["log_bucket_id"])["Policy"])["Statement"]
    }
    assert {"S3ServerAccessLogsData", "DenyInsecureTransport", "DenyOutdatedTLS"} <= set(log_policy)
    grant = log_policy["S3ServerAccessLogsData"]
    assert grant["Principal"] == {"Service": "logging.s3.amazonaws.com"}
    assert grant["Resource"] == f"arn:aws:s3:::{out['log_bucket_id']}/s3-access/*"
    assert grant["Condition"] == {
        "StringEquals": {"aws:SourceAccount": "123456789012"},
        "ArnLike": {"aws:SourceArn": f"arn:aws:s3:::{out['bucket_id']}"},
    }


def test_lifecycle_rules(stack, s3):
    _, out = stack
    rules = {r["ID"]: r for r in s3.get_bucket_lifecycle_configuration(Bucket=out["bucket_id"])["Rules"]}
    assert rules["housekeeping"]["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 7}
    assert rules["housekeeping"]["NoncurrentVersionExpiration"]["NoncurrentDays"] == 90
    assert rules["current-versions"]["Transitions"][0]["StorageClass"] == "STANDARD_IA"
    assert all(r["Status"] == "Enabled" for r in rules.values())


def test_cors_and_logging(stack, s3):
    _, out = stack
    cors = s3.get_bucket_cors(Bucket=out["bucket_id"])["CORSRules"][0]
    assert cors["AllowedOrigins"] == ["https://app.example.com"]
    assert cors["AllowedMethods"] == ["PUT"]
    logging = s3.get_bucket_logging(Bucket=out["bucket_id"])["LoggingEnabled"]
    assert logging == {"TargetBucket": out["log_bucket_id"], "TargetPrefix": "s3-access/"}


def test_plain_http_requests_are_denied_by_the_policy(stack, s3):
    """The emulator is reached over plain HTTP, so the TLS-only policy must refuse even signed writes."""
    _, out = stack
    with pytest.raises(ClientError) as err:
        s3.put_object(Bucket=out["bucket_id"], Key="uploads/dog.jpg", Body=b"\xff\xd8\xff fake jpeg")
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_replan_is_clean(stack):
    ws, _ = stack
    assert_idempotent(ws)


def test_destroy_leaves_no_bucket(stack, s3):
    ws, out = stack
    ws.destroy()
    for bucket in (out["bucket_id"], out["log_bucket_id"]):
        with pytest.raises(ClientError) as err:
            s3.head_bucket(Bucket=bucket)
        assert err.value.response["Error"]["Code"] in {"404", "NoSuchBucket"}
    assert ws.state_resources() == []
