"""modules/rds-proxy: every rejected input fails the plan with a message that says what to fix."""

from __future__ import annotations

import pytest

from tests.harness import assert_rejected, module_workspace, set_module_inputs

pytestmark = pytest.mark.emulator

VALID = {
    "name": "imgclass-inputs",
    "vpc_id": "vpc-0123456789abcdef0",
    "subnet_ids": ["subnet-0a1b2c3d4e5f60718", "subnet-1a1b2c3d4e5f60718"],
    "db_instance_identifier": "imgclass-db",
    "db_security_group_id": "sg-0123456789abcdef0",
    "db_max_connections": 405,
    "master_user_secret_arn": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-0a1b2c3d-AbCdEf",
    "secrets_kms_key_arns": ["arn:aws:kms:eu-west-1:123456789012:key/0a1b2c3d-1111-2222-3333-444455556666"],
    "allowed_security_group_ids": {"app": "sg-1123456789abcdef0"},
    "log_kms_key_arn": "arn:aws:kms:eu-west-1:123456789012:key/0a1b2c3d-1111-2222-3333-444455556666",
}

PERCENT = "max_connections_percent must be a whole number from 1 to 100"
IDLE_PERCENT = "max_idle_connections_percent must be a whole number from 1 to 100"
BORROW = "connection_borrow_timeout must be a whole number of seconds from 1 to 3600"

CASES = [
    ({"max_connections_percent": 0}, [PERCENT]),
    ({"max_connections_percent": 101}, [PERCENT]),
    ({"max_idle_connections_percent": 0}, [IDLE_PERCENT]),
    ({"max_connections_percent": 100, "max_idle_connections_percent": 101}, [IDLE_PERCENT]),
    (
        {"max_connections_percent": 60, "max_idle_connections_percent": 70},
        ["max_idle_connections_percent must not exceed max_connections_percent"],
    ),
    ({"connection_borrow_timeout": 0}, [BORROW, "0, an unlimited wait, is not allowed"]),
    ({"connection_borrow_timeout": 3601}, [BORROW]),
    ({"permissions_boundary": "AdministratorAccess"}, ["permissions_boundary must be null or an IAM policy ARN"]),
    ({"subnet_ids": []}, ["subnet_ids must list at least two subnets in different Availability Zones"]),
    ({"subnet_ids": ["subnet-0a1b2c3d4e5f60718"]}, ["subnet_ids must list at least two subnets"]),
    ({"allowed_security_group_ids": {}}, ["allowed_security_group_ids must name at least one client security group"]),
    (
        {"allowed_security_group_ids": {"office": "10.0.0.0/8"}},
        ["to security group ids (sg-xxxxxxxx), not CIDR blocks"],
    ),
    # Independent inputs, rejected together in one plan (Terraform reports every failed validation).
    (
        {
            "name": "Proxy_1",
            "max_connections_percent": 75.5,
            "idle_client_timeout": 28801,
            "session_pinning_filters": ["EXCLUDE_ALL"],
            "master_user_secret_arn": "rds!db-0a1b2c3d",
            "additional_secret_arns": {"app": "imgclass/app"},
            "secrets_kms_key_arns": [],
            "db_max_connections": 0,
            "db_security_group_id": "0.0.0.0/0",
            "log_kms_key_arn": "alias/aws/logs",
            "log_retention_in_days": 10,
        },
        [
            "name must be 3-50 characters of lowercase letters, digits and hyphens",
            PERCENT,
            "idle_client_timeout must be a whole number of seconds from 1 to 28800",
            'session_pinning_filters may only contain "EXCLUDE_VARIABLE_SETS"',
            "master_user_secret_arn must be a Secrets Manager secret ARN",
            "additional_secret_arns values must be Secrets Manager secret ARNs",
            "secrets_kms_key_arns must list at least one KMS key ARN",
            "db_max_connections must be a whole number from 10 to 262143",
            "db_security_group_id must be a security group id",
            "log_kms_key_arn must be a KMS key ARN",
            "log_retention_in_days must be a CloudWatch Logs retention value",
        ],
    ),
]


@pytest.fixture(scope="module")
def ws(emulator, tmp_path_factory):
    # One initialised root for every case: each case only rewrites the module inputs.
    return module_workspace("rds-proxy", VALID, emulator, tmp_path_factory.mktemp("proxyinputs"))


@pytest.mark.parametrize(
    ("bad", "messages"),
    CASES,
    ids=[(next(iter(c[0])) if len(c[0]) < 4 else "independent-inputs") + f"-{i}" for i, c in enumerate(CASES)],
)
def test_rejected(ws, bad, messages):
    set_module_inputs(ws, {**VALID, **bad})
    assert_rejected(ws, None, *messages)
