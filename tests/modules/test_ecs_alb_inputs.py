"""modules/alb: rejected inputs fail the plan with a message that says what to fix."""

from __future__ import annotations

import pytest

from tests.harness import assert_rejected, module_workspace, set_module_inputs

pytestmark = pytest.mark.emulator

VALID = {
    "name": "imgclass-dev",
    "vpc_id": "vpc-0a1b2c3d4e5f60718",
    "subnet_ids": ["subnet-0a1b2c3d4e5f60718", "subnet-1a1b2c3d4e5f60718"],
    "certificate_arn": "arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-1111-2222-3333-444455556666",
    "access_logs_bucket": "imgclass-dev-alb-logs",
}

CASES = [
    ({"ssl_policy": "ELBSecurityPolicy-2016-08"}, "ssl_policy must be a TLS 1.3 policy"),
    ({"subnet_ids": ["subnet-0a1b2c3d4e5f60718"]}, "subnet_ids must list at least two subnet IDs"),
    (
        {"certificate_arn": "arn:aws:iam::123456789012:server-certificate/x"},
        "certificate_arn must be an ACM certificate ARN",
    ),
    ({"access_logs_bucket": "arn:aws:s3:::logs"}, "access_logs_bucket must be an S3 bucket name"),
    ({"access_logs_prefix": "AWSLogs/alb"}, 'must not contain "AWSLogs"'),
    ({"name": "internal-api"}, 'must not start with "internal-"'),
]


@pytest.fixture(scope="module")
def ws(emulator, tmp_path_factory):
    return module_workspace("alb", VALID, emulator, tmp_path_factory.mktemp("albinputs"))


@pytest.mark.parametrize(("bad", "message"), CASES, ids=[next(iter(c[0])) + f"-{i}" for i, c in enumerate(CASES)])
def test_rejected(ws, bad, message):
    set_module_inputs(ws, {**VALID, **bad})
    assert_rejected(ws, None, message)
