"""modules/rds-postgres + rds-proxy: plans checked in Python (no apply). The example's inventories
are data: examples/complete/tests/inventory.dev.toml and inventory.prod.toml."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from scripts.emulator import Emulator
from scripts.terraform.tf import Workspace, unique_name
from tests.harness import inventory_path, module_workspace, shared_plan

pytestmark = pytest.mark.emulator
# One example, two shapes: dev.tfvars and prod.tfvars.
EXAMPLE = "modules/rds-postgres/examples/complete"

VPC = "vpc-0123456789abcdef0"
SUBNETS = ["subnet-0a1b2c3d4e5f60718", "subnet-1a1b2c3d4e5f60718"]
KEY = "arn:aws:kms:eu-west-1:123456789012:key/0a1b2c3d-1111-2222-3333-444455556666"
MASTER_SECRET = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-0a1b2c3d-AbCdEf"
APP_SECRET = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:imgclass/app-user-AbCdEf"

MANAGED_PARAMETERS = {
    "rds.force_ssl": "1",
    "log_connections": "1",
    "log_disconnections": "1",
    "log_lock_waits": "1",
}


def parameters(inv, address):
    return {p["name"]: p["value"] for p in inv.find(address).values["parameter"]}


def database_workspace(
    prefix: str, emulator: Emulator, tmp_path: Path, outputs: tuple[str, ...] = (), **inputs: Any
) -> Workspace:
    """rds-postgres alone: its required inputs on the made-up network above, ``inputs`` added or overriding."""
    required = {
        "identifier": unique_name(prefix),
        "instance_class": "db.t4g.medium",
        "vpc_id": VPC,
        "subnet_ids": SUBNETS,
    }
    return module_workspace("rds-postgres", required | inputs, emulator, tmp_path, outputs=outputs)


@pytest.fixture(scope="module")
def dev(emulator, tmp_path_factory):
    """The plan whose inventory tests/modules/test_inventories.py asserts (tests/inventory.dev.toml)."""
    plan = shared_plan(inventory_path(EXAMPLE, "dev.tfvars"), emulator, tmp_path_factory)
    return plan.name, plan.inventory


@pytest.fixture(scope="module")
def prod(emulator, tmp_path_factory):
    """The plan whose inventory tests/modules/test_inventories.py asserts (tests/inventory.prod.toml)."""
    plan = shared_plan(inventory_path(EXAMPLE, "prod.tfvars"), emulator, tmp_path_factory)
    return plan.name, plan.inventory


def test_dev_parameter_group_and_pinning(dev):
    _, inv = dev
    pool = inv.find("module.proxy.aws_db_proxy_default_target_group.this").values["connection_pool_config"][0]
    assert pool["session_pinning_filters"] in (None, [])  # no pinning filters unless asked for
    params = parameters(inv, "module.db.aws_db_parameter_group.this")
    assert params == {
        **MANAGED_PARAMETERS,
        "log_min_duration_statement": "1000",
        "idle_in_transaction_session_timeout": "300000",
    }  # max_connections is left to the instance-class formula


def test_dev_has_no_open_ingress_and_no_password_in_the_plan(dev):
    _, inv = dev
    for rtype in ("aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule"):
        for res in inv.of_type(rtype):
            assert res.values.get("cidr_ipv4") is None, res.address
            assert res.values.get("cidr_ipv6") is None, res.address
            assert res.values["from_port"] == res.values["to_port"] == 5432, res.address
    for res in inv.of_type("aws_security_group"):
        assert res.values.get("ingress") in (None, []), res.address
    # Neither a password attribute nor any output carries a secret value.
    db = inv.find("module.db.aws_db_instance.this").values
    assert db["password"] is None
    assert db.get("password_wo") is None
    assert not [k for k in inv.outputs if "password" in k.lower()]
    assert '"password":"' not in json.dumps(inv.raw, separators=(",", ":"))


def test_dev_key_lets_cloudwatch_logs_encrypt_the_proxy_log_group(dev):
    name, inv = dev
    policy = json.loads(inv.find("module.db.module.kms_key[0].aws_kms_key.this").values["policy"])
    (logs,) = [st for st in policy["Statement"] if st["Sid"] == "CloudWatchLogs"]
    assert logs["Principal"] == {"Service": "logs.eu-west-1.amazonaws.com"}
    prefix = "arn:aws:logs:eu-west-1:123456789012:log-group:"
    assert logs["Condition"] == {
        "ArnLike": {
            "kms:EncryptionContext:aws:logs:arn": [
                f"{prefix}/aws/rds/instance/{name}/*",
                f"{prefix}/aws/rds/proxy/{name}",
            ]
        }
    }


def test_point_in_time_restore_plan(emulator, tmp_path):
    """A restore takes engine, user and database name from the source; the managed secret stays on."""
    ws = database_workspace(
        "rdspitr",
        emulator,
        tmp_path,
        kms_key_arn=KEY,
        restore_to_point_in_time={
            "source_db_instance_identifier": "imgclass-prod",
            "restore_time": "2026-03-01T09:30:00Z",
        },
    )
    db = ws.plan().one("aws_db_instance").values
    assert db["restore_to_point_in_time"] == [
        {
            "source_db_instance_identifier": "imgclass-prod",
            "restore_time": "2026-03-01T09:30:00Z",
            "use_latest_restorable_time": None,
            "source_db_instance_automated_backups_arn": None,
            "source_dbi_resource_id": None,
        }
    ]
    # From the source instance, not from the module's defaults.
    assert db.get("username") is None
    assert db.get("db_name") is None
    assert db["manage_master_user_password"] is True
    assert db["master_user_secret_kms_key_id"] == KEY
    assert db["instance_class"] == "db.t4g.medium"


def test_prod_parameter_group_and_bastion_ingress(prod):
    _, inv = prod
    params = parameters(inv, "module.db.aws_db_parameter_group.this")
    assert params["log_min_duration_statement"] == "500"
    assert params["idle_in_transaction_session_timeout"] == "60000"
    ingress = {r.address for r in inv.of_type("aws_vpc_security_group_ingress_rule")}
    assert {'module.db.aws_vpc_security_group_ingress_rule.this["proxy"]'} < ingress
    assert 'module.db.aws_vpc_security_group_ingress_rule.this["bastion"]' in ingress


def test_database_defaults_are_safe(emulator, tmp_path):
    """Only the required inputs: everything protective is on."""
    ws = database_workspace(
        "rdsdef", emulator, tmp_path, outputs=("max_connections", "max_connections_nominal", "kms_key_created")
    )
    inv = ws.plan()
    db = inv.one("aws_db_instance").values
    assert db["deletion_protection"] is True
    assert db["skip_final_snapshot"] is False
    assert db["multi_az"] is True
    assert db["backup_retention_period"] == 7
    assert db["monitoring_interval"] == 60
    assert db["publicly_accessible"] is False
    # dev.tfvars states these too; here they come from the module alone.
    assert (db["allocated_storage"], db["max_allocated_storage"]) == (20, 100)
    params = parameters(inv, "aws_db_parameter_group.this")
    assert params["log_min_duration_statement"] == "1000"
    assert params["idle_in_transaction_session_timeout"] == "300000"
    assert {g.values["retention_in_days"] for g in inv.of_type("aws_cloudwatch_log_group")} == {30}
    assert inv.counts["aws_iam_role"] == 1  # enhanced monitoring role
    assert inv.counts.get("aws_vpc_security_group_ingress_rule", 0) == 0  # nobody admitted unless named
    assert inv.outputs == {"max_connections": 405, "max_connections_nominal": 450, "kms_key_created": True}
    # The final snapshot's name is known at plan time (no clock in a planned value).
    assert db["final_snapshot_identifier"] == f"{db['identifier']}-final"
    assert inv.counts.get("terraform_data", 0) == 0


def test_database_with_key_and_max_connections_passed_in(emulator, tmp_path):
    ws = database_workspace(
        "rdsovr",
        emulator,
        tmp_path,
        outputs=("max_connections", "max_connections_nominal", "kms_key_arn"),
        instance_class="db.r6g.large",
        engine_version="16.8",
        kms_key_arn=KEY,
        max_connections=1000,
        monitoring_interval=0,
    )
    inv = ws.plan()
    assert inv.counts.get("aws_kms_key", 0) == 0
    assert inv.counts.get("aws_iam_role", 0) == 0
    db = inv.one("aws_db_instance").values
    assert db["kms_key_id"] == KEY
    assert db["master_user_secret_kms_key_id"] == KEY
    assert db["performance_insights_kms_key_id"] == KEY
    assert db["engine_version"] == "16.8"
    group = inv.one("aws_db_parameter_group").values
    assert group["family"] == "postgres16"
    assert {p["name"]: p["value"] for p in group["parameter"]}["max_connections"] == "1000"
    assert inv.outputs == {"max_connections": 1000, "max_connections_nominal": 1802, "kms_key_arn": KEY}


def test_proxy_role_policy_and_extra_secrets(emulator, tmp_path):
    """The proxy module alone: its IAM policy is fully known at plan time when the ARNs are."""
    ws = module_workspace(
        "rds-proxy",
        {
            "name": unique_name("rdsprx"),
            "vpc_id": VPC,
            "subnet_ids": SUBNETS,
            "db_instance_identifier": "imgclass-db",
            "db_security_group_id": "sg-0123456789abcdef0",
            "db_max_connections": 405,
            "master_user_secret_arn": MASTER_SECRET,
            "additional_secret_arns": {"app": APP_SECRET},
            "secrets_kms_key_arns": [KEY],
            "allowed_security_group_ids": {"api": "sg-1123456789abcdef0", "worker": "sg-2123456789abcdef0"},
            "log_kms_key_arn": KEY,
        },
        emulator,
        tmp_path,
        outputs=("connection_cap", "idle_connections_kept", "max_connections_percent", "log_group_name"),
    )
    inv = ws.plan()
    name = inv.one("aws_db_proxy").values["name"]
    # The proxy's log group: named as RDS Proxy names it, ours to expire and encrypt, made first.
    group = inv.one("aws_cloudwatch_log_group").values
    assert (group["name"], group["retention_in_days"], group["kms_key_id"]) == (f"/aws/rds/proxy/{name}", 30, KEY)
    assert inv.outputs.pop("log_group_name") == f"/aws/rds/proxy/{name}"
    config = inv.raw["configuration"]["root_module"]["module_calls"]["under_test"]["module"]["resources"]
    (proxy_config,) = [r for r in config if r["address"] == "aws_db_proxy.this"]
    assert "aws_cloudwatch_log_group.this" in proxy_config["depends_on"]
    # The worked example of the README: db.t4g.medium budget 405 -> cap 303, 141 kept idle.
    assert inv.outputs == {"connection_cap": 303, "idle_connections_kept": 141, "max_connections_percent": 75}
    proxy = inv.one("aws_db_proxy").values
    assert proxy["idle_client_timeout"] == 1800  # the module's default (dev.tfvars states it too)
    # auth is a set: compare without order.
    assert sorted((a["secret_arn"], a["iam_auth"], a["auth_scheme"]) for a in proxy["auth"]) == sorted(
        [(MASTER_SECRET, "REQUIRED", "SECRETS"), (APP_SECRET, "REQUIRED", "SECRETS")]
    )
    policy = json.loads(inv.one("aws_iam_role_policy").values["policy"])
    by_sid = {s["Sid"]: s for s in policy["Statement"]}
    assert by_sid["ReadDatabaseSecrets"]["Action"] == "secretsmanager:GetSecretValue"
    assert sorted(by_sid["ReadDatabaseSecrets"]["Resource"]) == sorted([MASTER_SECRET, APP_SECRET])
    assert by_sid["DecryptThroughSecretsManager"] == {
        "Sid": "DecryptThroughSecretsManager",
        "Effect": "Allow",
        "Action": "kms:Decrypt",
        "Resource": KEY,
        "Condition": {"StringEquals": {"kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com"}},
    }
    trust = json.loads(inv.one("aws_iam_role").values["assume_role_policy"])
    assert trust["Statement"][0]["Principal"] == {"Service": "rds.amazonaws.com"}
    assert trust["Statement"][0]["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}}
    egress = inv.one("aws_vpc_security_group_egress_rule").values
    assert egress["referenced_security_group_id"] == "sg-0123456789abcdef0"
    assert egress["cidr_ipv4"] is None
    ingress = sorted(
        r.values["referenced_security_group_id"] for r in inv.of_type("aws_vpc_security_group_ingress_rule")
    )
    assert ingress == ["sg-1123456789abcdef0", "sg-2123456789abcdef0"]
