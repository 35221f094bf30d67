"""modules/private-s3: validate, checkov, and plan inventories (no apply)."""

from __future__ import annotations

import pytest

from scripts.terraform.tf import unique_name
from tests.harness import assert_inventory, example_workspace, module_workspace

pytestmark = pytest.mark.emulator
EXAMPLE = "modules/private-s3/examples/complete"


@pytest.fixture(scope="module")
def complete_plan(emulator, tmp_path_factory):
    ws = example_workspace(EXAMPLE, emulator, tmp_path_factory.mktemp("s3plan"))
    name = unique_name("s3plan")
    return name, ws.plan({"name": name})


def test_complete_example_inventory(complete_plan):
    name, inv = complete_plan
    assert_inventory(
        inv,
        {
            "counts": {
                "aws_s3_bucket": 2,
                "aws_kms_key": 1,  # the log bucket is SSE-S3: no key of its own
                "aws_s3_bucket_public_access_block": 2,
                "aws_s3_bucket_logging": 1,
                "aws_s3_bucket_cors_configuration": 1,
                "aws_s3_bucket_notification": 1,
            },
            "values": {
                "module.bucket.aws_s3_bucket.this": {"bucket": f"{name}-data", "force_destroy": False},
                "module.bucket.module.kms_key[0].aws_kms_key.this": {
                    "enable_key_rotation": True,
                    "deletion_window_in_days": 30,
                },
                "module.bucket.aws_s3_bucket_public_access_block.this": {
                    "block_public_acls": True,
                    "block_public_policy": True,
                    "ignore_public_acls": True,
                    "restrict_public_buckets": True,
                },
                "module.bucket.aws_s3_bucket_ownership_controls.this": {
                    "rule": [{"object_ownership": "BucketOwnerEnforced"}]
                },
                "module.bucket.aws_s3_bucket_server_side_encryption_configuration.this": {
                    "rule": [
                        {
                            "bucket_key_enabled": True,
                            "apply_server_side_encryption_by_default": [{"sse_algorithm": "aws:kms"}],
                        }
                    ]
                },
                "module.logs.aws_s3_bucket_server_side_encryption_configuration.this": {
                    "rule": [
                        {
                            "bucket_key_enabled": False,
                            "apply_server_side_encryption_by_default": [{"sse_algorithm": "AES256"}],
                        }
                    ]
                },
                "module.bucket.aws_s3_bucket_versioning.this": {"versioning_configuration": [{"status": "Enabled"}]},
                "module.bucket.aws_s3_bucket_cors_configuration.this[0]": {
                    "cors_rule": [{"allowed_origins": ["https://app.example.com"], "allowed_methods": ["PUT"]}]
                },
                "module.bucket.aws_s3_bucket_notification.this[0]": {"eventbridge": True},
                "module.bucket.aws_s3_bucket_logging.this[0]": {"target_prefix": "s3-access/"},
            },
        },
    )


def test_lifecycle_rules_in_plan(complete_plan):
    _, inv = complete_plan
    rules = {r["id"]: r for r in inv.find("module.bucket.aws_s3_bucket_lifecycle_configuration.this").values["rule"]}
    assert rules["housekeeping"]["abort_incomplete_multipart_upload"] == [{"days_after_initiation": 7}]
    assert rules["housekeeping"]["noncurrent_version_expiration"][0]["noncurrent_days"] == 90
    assert rules["current-versions"]["transition"] == [{"days": 30, "date": None, "storage_class": "STANDARD_IA"}]


def test_defaults_are_private_and_minimal(emulator, tmp_path):
    ws = module_workspace("private-s3", {"bucket_name": unique_name("s3def")}, emulator, tmp_path)
    inv = ws.plan()
    assert inv.counts["aws_kms_key"] == 1
    assert inv.one("aws_kms_key").values["enable_key_rotation"] is True
    # Optional features stay off unless asked for.
    for rtype in ("aws_s3_bucket_logging", "aws_s3_bucket_cors_configuration", "aws_s3_bucket_notification"):
        assert inv.counts.get(rtype, 0) == 0, rtype
    assert inv.one("aws_s3_bucket").values["force_destroy"] is False


@pytest.mark.parametrize(
    ("inputs", "keys", "algorithm"),
    [
        (
            {"kms_key_arn": "arn:aws:kms:eu-west-1:123456789012:key/0a1b2c3d-1111-2222-3333-444455556666"},
            0,
            "aws:kms",
        ),
        ({"encryption": "AES256"}, 0, "AES256"),
    ],
    ids=["key-passed-in", "sse-s3"],
)
def test_no_key_created_when_not_needed(emulator, tmp_path, inputs, keys, algorithm):
    ws = module_workspace("private-s3", {"bucket_name": unique_name("s3key"), **inputs}, emulator, tmp_path)
    inv = ws.plan()
    assert inv.counts.get("aws_kms_key", 0) == keys
    rule = inv.one("aws_s3_bucket_server_side_encryption_configuration").values["rule"][0]
    default = rule["apply_server_side_encryption_by_default"][0]
    assert default["sse_algorithm"] == algorithm
    if "kms_key_arn" in inputs:
        assert default["kms_master_key_id"] == inputs["kms_key_arn"]
