"""modules/rds-postgres: every rejected input fails the plan with a message that says what to fix."""

from __future__ import annotations

import pytest

from tests.harness import assert_rejected, module_workspace, set_module_inputs

pytestmark = pytest.mark.emulator

VALID = {
    "identifier": "imgclass-inputs",
    "instance_class": "db.t4g.medium",
    "vpc_id": "vpc-0123456789abcdef0",
    "subnet_ids": ["subnet-0a1b2c3d4e5f60718", "subnet-1a1b2c3d4e5f60718"],
}

CASES = [
    # The budget cannot be computed for a class the module does not know; the message lists them.
    (
        {"instance_class": "db.x2g.huge"},
        [
            'instance_class "db.x2g.huge" is not in the module\'s sizing table',
            "Known classes: db.m5.2xlarge, db.m5.4xlarge,",
            "db.t4g.medium",
        ],
    ),
    # The minimum is the caller's intent, 7 days unless lowered (the root lowers it for dev only).
    ({"backup_retention_period": 3}, ["backup_retention_period (3) is below minimum_backup_retention_days (7)"]),
    (
        {"minimum_backup_retention_days": 14, "backup_retention_period": 10},
        ["backup_retention_period (10) is below minimum_backup_retention_days (14)"],
    ),
    (
        {"minimum_backup_retention_days": 36, "backup_retention_period": 35},
        ["minimum_backup_retention_days must be a whole number of days from 1 to 35"],
    ),
    (
        {"minimum_backup_retention_days": 1, "backup_retention_period": 0},
        ["backup_retention_period must be a whole number of days from 1 to 35"],
    ),
    ({"backup_retention_period": 36}, ["backup_retention_period must be a whole number of days from 1 to 35"]),
    ({"subnet_ids": []}, ["subnet_ids must list at least two subnets in different Availability Zones"]),
    ({"subnet_ids": ["subnet-0a1b2c3d4e5f60718"]}, ["subnet_ids must list at least two subnets"]),
    ({"engine_version": "15.7"}, ["engine_version must be a PostgreSQL 16 or 17 version"]),
    (
        {"engine_version": "17.4.1"},
        ["engine_version must be a PostgreSQL 16 or 17 version written as MAJOR or MAJOR.MINOR"],
    ),
    ({"publicly_accessible": True}, ["publicly_accessible cannot be true: this database is private by design"]),
    (
        {"allowed_security_group_ids": {"world": "0.0.0.0/0"}},
        ["must be security group ids (sg-xxxxxxxx), not CIDR blocks"],
    ),
    (
        {"max_allocated_storage": 20},
        ["max_allocated_storage must be a whole number of GiB greater than allocated_storage"],
    ),
    # AWS rules moto does not enforce, rejected together in one plan (each message is the module's).
    (
        {
            # 50 characters: RDS would take it, but <identifier>-rds-monitoring would exceed IAM's 64.
            "identifier": "imgclass-" + "a" * 41,
            "backup_window": "10:00-10:15",
            "maintenance_window": "sun:10:05-sun:10:20",
            "final_snapshot_suffix": "-2026",
            "permissions_boundary": "arn:aws:iam::123456789012:role/boundary",
        },
        [
            "identifier must be 3-49 characters",
            "must fit IAM's 64-character role name limit",
            "backup_window must last at least 30 minutes",
            "maintenance_window must last at least 30 minutes",
            "final_snapshot_suffix must be null or 1-32 lowercase letters",
            "permissions_boundary must be null or an IAM policy ARN",
        ],
    ),
    # A rule that refers to another input only shows when no other input is rejected, so it is alone.
    (
        {"allocated_storage": 100, "max_allocated_storage": 105},
        [
            "max_allocated_storage (105 GiB) must be at least 10 % above allocated_storage (100 GiB),"
            " that is at least 110 GiB"
        ],
    ),
    # The overlap is a precondition on the instance, so it is planned with otherwise valid inputs.
    (
        {"backup_window": "10:00-10:30", "maintenance_window": "sun:10:15-sun:10:45"},
        ["backup_window (10:00-10:30) must not overlap maintenance_window (sun:10:15-sun:10:45)"],
    ),
    # A daily backup window that crosses midnight overlaps a maintenance window early on Monday.
    (
        {"backup_window": "23:30-00:30", "maintenance_window": "mon:00:00-mon:01:00"},
        ["backup_window (23:30-00:30) must not overlap maintenance_window (mon:00:00-mon:01:00)"],
    ),
    # Restore sources: formats from RestoreDBInstanceFromDBSnapshot / RestoreDBInstanceToPointInTime.
    (
        {"snapshot_identifier": "snap--2026-", "kms_key_log_group_names": ["/aws/rds/proxy/*"]},
        [
            "snapshot_identifier must be a DB snapshot identifier",
            "kms_key_log_group_names must be exact log group names",
        ],
    ),
    # One rule per case: Terraform reports the first failed rule of a variable only.
    (
        {"restore_to_point_in_time": {"source_db_instance_identifier": "Src_DB", "use_latest_restorable_time": True}},
        ["restore_to_point_in_time.source_db_instance_identifier must be a DB instance identifier"],
    ),
    (
        {
            "restore_to_point_in_time": {
                "source_db_instance_identifier": "imgclass-src",
                "restore_time": "2026-03-01 09:30",
            }
        },
        ["restore_to_point_in_time.restore_time must be a past UTC time in RFC 3339 form"],
    ),
    (
        {"restore_to_point_in_time": {"source_db_instance_identifier": "imgclass-src"}},
        ["restore_to_point_in_time needs exactly one of restore_time or use_latest_restorable_time = true"],
    ),
    (
        {
            "restore_to_point_in_time": {
                "source_db_instance_identifier": "imgclass-src",
                "restore_time": "2026-03-01T09:30:00Z",
                "use_latest_restorable_time": True,
            }
        },
        ["restore_to_point_in_time needs exactly one of restore_time or use_latest_restorable_time = true"],
    ),
    (
        {
            "restore_to_point_in_time": {
                "source_db_instance_identifier": "imgclass-src",
                "restore_time": "2999-01-01T00:00:00Z",
            }
        },
        ["restore_to_point_in_time.restore_time must be a past UTC time"],
    ),
    # Rules that refer to another input, each alone.
    (
        {
            "restore_to_point_in_time": {
                "source_db_instance_identifier": "imgclass-inputs",
                "use_latest_restorable_time": True,
            }
        },
        ["restore_to_point_in_time.source_db_instance_identifier must differ from identifier"],
    ),
    (
        {
            "snapshot_identifier": "imgclass-prod-final",
            "restore_to_point_in_time": {
                "source_db_instance_identifier": "imgclass-src",
                "use_latest_restorable_time": True,
            },
        },
        ["snapshot_identifier and restore_to_point_in_time are mutually exclusive"],
    ),
    # Independent inputs, rejected together in one plan: Terraform reports every failed validation
    # (rules that refer to another input are left to single-input cases).
    (
        {
            "identifier": "Imgclass_DB",
            "engine_version": "postgres17",
            "subnet_ids": ["subnet-0a1b2c3d4e5f60718", "subnet-0a1b2c3d4e5f60718"],
            "allowed_security_group_ids": {"Proxy SG": "sg-0123456789abcdef0"},
            "master_username": "rdsadmin",
            "max_connections": 5,
            "parameters": [{"name": "rds.force_ssl", "value": "0"}],
            "monitoring_interval": 7,
            "performance_insights_retention_period": 30,
            "kms_key_arn": "alias/rds",
            "maintenance_window": "Sun:03:00-Sun:04:00",
            "backup_window": "2am-3am",
            "port": 80,
            "log_retention_in_days": 10,
        },
        [
            "identifier must be 3-49 characters of lowercase letters, digits and hyphens",
            "engine_version must be a PostgreSQL 16 or 17 version",
            "subnet_ids entries must be distinct subnet ids",
            "allowed_security_group_ids keys must be short static names",
            "not be a reserved name",
            "max_connections must be null (use the instance-class formula) or a whole number from 10 to 262143",
            "parameters must not set rds.force_ssl",
            "monitoring_interval must be one of 0 (off), 1, 5, 10, 15, 30, 60 seconds",
            "performance_insights_retention_period must be 7 or a multiple of 31",
            "kms_key_arn must be a KMS key ARN",
            "maintenance_window must be ddd:hh24:mi-ddd:hh24:mi",
            "backup_window must be hh24:mi-hh24:mi in UTC",
            "port must be a whole number from 1150 to 65535",
            "log_retention_in_days must be a CloudWatch Logs retention value",
        ],
    ),
]


@pytest.fixture(scope="module")
def ws(emulator, tmp_path_factory):
    # One initialised root for every case: each case only rewrites the module inputs.
    return module_workspace("rds-postgres", VALID, emulator, tmp_path_factory.mktemp("rdsinputs"))


@pytest.mark.parametrize(
    ("bad", "messages"),
    CASES,
    ids=[(next(iter(c[0])) if len(c[0]) < 4 else "independent-inputs") + f"-{i}" for i, c in enumerate(CASES)],
)
def test_rejected(ws, bad, messages):
    set_module_inputs(ws, {**VALID, **bad})
    assert_rejected(ws, None, *messages)
