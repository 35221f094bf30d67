"""modules/private-s3: who the bucket policy lets deliver load balancer access logs, by region.

Elastic Load Balancing writes access logs as a per-region AWS account in the Regions opened before
August 2022, and as the log-delivery service principal in the Regions opened since; the provider's
aws_elb_service_account knows only the former and fails the plan anywhere else
(https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html).
Applied on the emulator and read back: the policy names the bucket's ARN, unknown until apply."""

from __future__ import annotations

import json

import pytest

from scripts.terraform.tf import unique_name
from tests.harness import module_workspace

pytestmark = pytest.mark.emulator

SERVICE = {"Service": "logdelivery.elasticloadbalancing.amazonaws.com"}


def _log_delivery_principals(emulator, tmp_path, region: str) -> dict[str, dict]:
    bucket = unique_name("s3elb")
    inputs = {"bucket_name": bucket, "encryption": "AES256", "elb_log_delivery_prefix": "alb", "force_destroy": True}
    ws = module_workspace("private-s3", inputs, emulator, tmp_path, region=region)
    try:
        # Only the policy and what it depends on: the lifecycle configuration alone costs the
        # provider's fixed 55 s wait (../shared/emulator-facts.md) and says nothing about who may write.
        ws.apply(None, "-target=module.under_test.aws_s3_bucket_policy.this")
        policy = json.loads(emulator.client("s3", region).get_bucket_policy(Bucket=bucket)["Policy"])
    finally:
        ws.destroy()
    return {s["Sid"]: s["Principal"] for s in policy["Statement"] if s["Sid"].startswith("ElbLogDelivery")}


@pytest.mark.parametrize(
    ("region", "expected"),
    [
        # Opened before August 2022: the region's Elastic Load Balancing account, and the service
        # principal as well, so the same policy keeps working when AWS moves the region over.
        (
            "eu-west-1",
            {"ElbLogDeliveryAccount": {"AWS": "arn:aws:iam::156460612806:root"}, "ElbLogDeliveryService": SERVICE},
        ),
        # Zurich opened in November 2022: no Elastic Load Balancing account, the service principal only.
        ("eu-central-2", {"ElbLogDeliveryService": SERVICE}),
    ],
    ids=["opened-before-august-2022", "opened-since-august-2022"],
)
def test_log_delivery_principal_follows_the_region(emulator, tmp_path, region, expected):
    assert _log_delivery_principals(emulator, tmp_path, region) == expected
