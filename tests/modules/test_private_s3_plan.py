"""modules/private-s3: plans checked in Python (no apply); the example's inventory is data, in
modules/private-s3/examples/complete/tests/inventory.toml."""

from __future__ import annotations

import pytest

from scripts.terraform.tf import unique_name
from tests.harness import inventory_path, module_workspace, shared_plan

pytestmark = pytest.mark.emulator
EXAMPLE = "modules/private-s3/examples/complete"


@pytest.fixture(scope="module")
def complete_plan(emulator, tmp_path_factory):
    """The plan whose inventory tests/modules/test_inventories.py asserts (examples/complete/tests/inventory.toml)."""
    plan = shared_plan(inventory_path(EXAMPLE), emulator, tmp_path_factory)
    return plan.name, plan.inventory


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
