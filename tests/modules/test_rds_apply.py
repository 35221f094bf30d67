"""modules/rds-postgres + rds-proxy: apply the dev example (database and proxy together) to the
emulator, read everything back with boto3, re-plan, then turn deletion protection off and destroy."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from scripts.terraform.tf import TerraformError, unique_name
from tests.harness import applied, assert_idempotent, example_workspace, module_workspace

pytestmark = [pytest.mark.emulator, pytest.mark.slow]
EXAMPLE = "modules/rds-postgres/examples/complete"


@pytest.fixture(scope="module")
def stack(emulator, tmp_path_factory):
    ws = example_workspace(EXAMPLE, emulator, tmp_path_factory.mktemp("rdsapply"), var_file="dev.tfvars")
    tf_vars = {"name": unique_name("rdsapp")}
    # Applied with the example's safe defaults (deletion protection on, final snapshot on).
    with applied(ws, tf_vars) as outputs:
        try:
            yield ws, tf_vars, outputs
        finally:
            # Teardown only: the destroy test normally did this already; if it did not run or
            # failed early, lift the protection so the finalizer (applied) can destroy.
            if any(r.endswith("aws_db_instance.this") for r in ws.state_resources()):
                try:
                    ws.apply({**tf_vars, "allow_destroy": True})
                except TerraformError:
                    # The destroy must still run: lift it directly, one call, no provider waiter.
                    _unprotect(emulator.client("rds"), outputs["db_instance_identifier"])


def _unprotect(rds, identifier: str) -> bool:
    """Turn deletion protection off if the instance exists; True when it existed."""
    try:
        rds.modify_db_instance(DBInstanceIdentifier=identifier, DeletionProtection=False, ApplyImmediately=True)
    except ClientError as err:
        if err.response["Error"]["Code"] == "DBInstanceNotFound":
            return False
        raise
    return True


def _sweep_restored(aws, identifier: str, vpc_id: str) -> list[str]:
    """Delete what a failed restore test left behind, directly (each a single emulator call).

    Terraform's destroy of the restored stack normally removes all of it; this only runs its course
    when that destroy failed, so that the example's own teardown never meets a leftover. Returns what
    it found, so a destroy that reported success but left something is still a failure.
    """
    rds, found = aws("rds"), []
    if _unprotect(rds, identifier):
        rds.delete_db_instance(DBInstanceIdentifier=identifier, SkipFinalSnapshot=True)
        found.append(f"DB instance {identifier}")
    for delete, kwargs, missing in (
        (rds.delete_db_subnet_group, {"DBSubnetGroupName": identifier}, "DBSubnetGroupNotFoundFault"),
        (
            rds.delete_db_parameter_group,
            {"DBParameterGroupName": f"{identifier}-postgres17"},
            "DBParameterGroupNotFound",
        ),
    ):
        try:
            delete(**kwargs)
            found.append(" ".join(kwargs.popitem()))
        except ClientError as err:
            if err.response["Error"]["Code"] != missing:
                raise
    logs = aws("logs")
    for group in logs.describe_log_groups(logGroupNamePrefix=f"/aws/rds/instance/{identifier}/")["logGroups"]:
        logs.delete_log_group(logGroupName=group["logGroupName"])
        found.append(f"log group {group['logGroupName']}")
    ec2 = aws("ec2")
    for group in ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["SecurityGroups"]:
        if group["GroupName"].startswith(f"{identifier}-db-"):
            ec2.delete_security_group(GroupId=group["GroupId"])
            found.append(f"security group {group['GroupId']}")
    return found


@pytest.fixture(scope="module")
def rds(aws):
    return aws("rds")


@pytest.fixture(scope="module")
def instance(stack, rds):
    _, _, out = stack
    return rds.describe_db_instances(DBInstanceIdentifier=out["db_instance_identifier"])["DBInstances"][0]


@pytest.fixture(scope="module")
def proxy(stack, rds):
    _, _, out = stack
    return rds.describe_db_proxies(DBProxyName=out["proxy_name"])["DBProxies"][0]


def test_instance_is_private_encrypted_and_iam_enabled(stack, instance):
    _, _, out = stack
    assert instance["PubliclyAccessible"] is False
    assert instance["StorageEncrypted"] is True
    assert instance["KmsKeyId"] == out["kms_key_arn"]
    assert instance["StorageType"] == "gp3"
    assert instance["MaxAllocatedStorage"] == 100
    assert instance["IAMDatabaseAuthenticationEnabled"] is True
    assert instance["Engine"] == "postgres"
    assert instance["EngineVersion"].split(".")[0] == "17"
    assert instance["VpcSecurityGroups"] == [{"VpcSecurityGroupId": out["db_security_group_id"], "Status": "active"}]


def test_instance_protection_and_backups(instance):
    assert instance["DeletionProtection"] is True  # the example's default; lifted only for teardown
    assert instance["BackupRetentionPeriod"] == 1
    assert instance["CopyTagsToSnapshot"] is True
    assert instance["AutoMinorVersionUpgrade"] is True
    assert instance["MultiAZ"] is False
    assert instance["PreferredBackupWindow"] == "02:00-03:00"
    assert instance["PreferredMaintenanceWindow"] == "sun:03:30-sun:04:30"
    assert sorted(instance["EnabledCloudwatchLogsExports"]) == ["postgresql", "upgrade"]


def test_master_password_is_managed_and_encrypted_with_the_module_key(stack, instance, aws):
    _, _, out = stack
    secret = instance["MasterUserSecret"]
    assert secret["SecretArn"] == out["master_user_secret_arn"]
    assert secret["KmsKeyId"] == out["kms_key_arn"]
    assert aws("kms").describe_key(KeyId=out["kms_key_arn"])["KeyMetadata"]["KeyManager"] == "CUSTOMER"
    assert aws("kms").get_key_rotation_status(KeyId=out["kms_key_arn"])["KeyRotationEnabled"] is True
    # No password anywhere in the outputs.
    assert not [k for k in out if "password" in k.lower()]


def test_parameter_group_values(stack, rds):
    _, _, out = stack
    pages = rds.get_paginator("describe_db_parameters").paginate(DBParameterGroupName=out["parameter_group_name"])
    params = {p["ParameterName"]: p.get("ParameterValue") for page in pages for p in page["Parameters"]}
    assert params["rds.force_ssl"] == "1"
    assert params["log_connections"] == "1"
    assert params["log_disconnections"] == "1"
    assert params["log_lock_waits"] == "1"
    assert params["log_min_duration_statement"] == "1000"
    assert params["idle_in_transaction_session_timeout"] == "300000"
    # Left to the instance-class formula: the module does not pin it.
    assert params.get("max_connections") is None
    group = rds.describe_db_parameter_groups(DBParameterGroupName=out["parameter_group_name"])["DBParameterGroups"][0]
    assert group["DBParameterGroupFamily"] == "postgres17"


def test_log_groups_exist_with_retention_and_key(stack, aws):
    _, _, out = stack
    prefix = f"/aws/rds/instance/{out['db_instance_identifier']}/"
    groups = {g["logGroupName"]: g for g in aws("logs").describe_log_groups(logGroupNamePrefix=prefix)["logGroups"]}
    assert set(groups) == {prefix + "postgresql", prefix + "upgrade"}
    for group in groups.values():
        assert group["retentionInDays"] == 30
        assert group["kmsKeyId"] == out["kms_key_arn"]


def test_proxy_log_group_made_by_the_module_with_retention_and_key(stack, aws):
    _, _, out = stack
    name = f"/aws/rds/proxy/{out['proxy_name']}"
    assert out["proxy_log_group_name"] == name
    groups = aws("logs").describe_log_groups(logGroupNamePrefix=name)["logGroups"]
    assert [(g["logGroupName"], g["retentionInDays"], g["kmsKeyId"]) for g in groups] == [
        (name, 30, out["kms_key_arn"])
    ]


def test_database_security_group_admits_only_the_proxy(stack, aws):
    _, _, out = stack
    sg = aws("ec2").describe_security_groups(GroupIds=[out["db_security_group_id"]])["SecurityGroups"][0]
    assert len(sg["IpPermissions"]) == 1
    rule = sg["IpPermissions"][0]
    assert (rule["IpProtocol"], rule["FromPort"], rule["ToPort"]) == ("tcp", 5432, 5432)
    assert [p["GroupId"] for p in rule["UserIdGroupPairs"]] == [out["proxy_security_group_id"]]
    assert rule["IpRanges"] == [] and rule["Ipv6Ranges"] == []
    assert sg["IpPermissionsEgress"] == []  # the database never initiates connections


def test_proxy_security_group_paths(stack, aws):
    _, _, out = stack
    sg = aws("ec2").describe_security_groups(GroupIds=[out["proxy_security_group_id"]])["SecurityGroups"][0]
    (ingress,) = sg["IpPermissions"]
    assert (ingress["FromPort"], ingress["ToPort"]) == (5432, 5432)
    assert [p["GroupId"] for p in ingress["UserIdGroupPairs"]] == [out["app_security_group_id"]]
    assert ingress["IpRanges"] == []
    (egress,) = sg["IpPermissionsEgress"]
    assert (egress["IpProtocol"], egress["FromPort"], egress["ToPort"]) == ("tcp", 5432, 5432)
    assert [p["GroupId"] for p in egress["UserIdGroupPairs"]] == [out["db_security_group_id"]]
    assert egress["IpRanges"] == []


def test_proxy_requires_tls_and_iam(stack, proxy):
    _, _, out = stack
    assert proxy["EngineFamily"] == "POSTGRESQL"
    assert proxy["RequireTLS"] is True
    assert proxy["DebugLogging"] is False
    assert proxy["IdleClientTimeout"] == 1800
    assert proxy["VpcSecurityGroupIds"] == [out["proxy_security_group_id"]]
    assert proxy["RoleArn"] == out["proxy_role_arn"]
    assert proxy["Endpoint"] == out["proxy_endpoint"]
    (auth,) = proxy["Auth"]
    assert auth["AuthScheme"] == "SECRETS"
    assert auth["IAMAuth"] == "REQUIRED"
    assert auth["SecretArn"] == out["master_user_secret_arn"]


def test_proxy_target_registered_and_pool_config(stack, rds):
    _, _, out = stack
    targets = rds.describe_db_proxy_targets(DBProxyName=out["proxy_name"])["Targets"]
    assert [(t["RdsResourceId"], t["Type"], t["Port"]) for t in targets] == [
        (out["db_instance_identifier"], "RDS_INSTANCE", 5432)
    ]
    (group,) = rds.describe_db_proxy_target_groups(DBProxyName=out["proxy_name"])["TargetGroups"]
    assert group["IsDefault"] is True
    assert group["ConnectionPoolConfig"] == {
        "MaxConnectionsPercent": 75,
        "MaxIdleConnectionsPercent": 35,
        "ConnectionBorrowTimeout": 30,
        "SessionPinningFilters": [],
    }
    # db.t4g.micro: budget 84 (1 GiB less the 256 MiB reserve), 75 % of it for the pool.
    assert (out["max_connections"], out["connection_cap"]) == (84, 63)


def test_proxy_role_reads_only_its_secret(stack, aws):
    _, _, out = stack
    iam = aws("iam")
    role_name = out["proxy_role_arn"].rsplit("/", 1)[1]
    trust = iam.get_role(RoleName=role_name)["Role"]["AssumeRolePolicyDocument"]
    assert trust["Statement"][0]["Principal"] == {"Service": "rds.amazonaws.com"}
    doc = iam.get_role_policy(RoleName=role_name, PolicyName="read-database-secrets")["PolicyDocument"]
    doc = json.loads(doc) if isinstance(doc, str) else doc
    by_sid = {s["Sid"]: s for s in doc["Statement"]}
    assert by_sid["ReadDatabaseSecrets"]["Action"] == "secretsmanager:GetSecretValue"
    assert by_sid["ReadDatabaseSecrets"]["Resource"] == out["master_user_secret_arn"]
    decrypt = by_sid["DecryptThroughSecretsManager"]
    assert decrypt["Action"] == "kms:Decrypt"
    assert decrypt["Resource"] == out["kms_key_arn"]
    assert decrypt["Condition"] == {"StringEquals": {"kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com"}}


def test_replan_is_clean(stack):
    ws, _, _ = stack
    assert_idempotent(ws)


def test_restore_from_a_snapshot_of_the_example(stack, rds, aws, emulator, tmp_path):
    """Snapshot the applied example's database, restore the module from it on the same network (one
    more instance, no second example apply), read the restored instance back, re-plan and destroy it."""
    _, _, out = stack
    source = rds.describe_db_instances(DBInstanceIdentifier=out["db_instance_identifier"])["DBInstances"][0]
    snapshot = f"{out['db_instance_identifier']}-restore-src"
    rds.create_db_snapshot(DBInstanceIdentifier=out["db_instance_identifier"], DBSnapshotIdentifier=snapshot)
    identifier = f"{out['db_instance_identifier']}-r"
    ws = module_workspace(
        "rds-postgres",
        {
            "identifier": identifier,
            "instance_class": "db.t4g.micro",
            "vpc_id": out["vpc_id"],
            "subnet_ids": out["private_subnet_ids"],
            # The same environment's key: RDS restores with the snapshot's key.
            "kms_key_arn": out["kms_key_arn"],
            "snapshot_identifier": snapshot,
            "allowed_security_group_ids": {"proxy": out["proxy_security_group_id"]},
            "multi_az": False,
            "backup_retention_period": 1,
            # The example's dev intent (dev.tfvars): one day of point-in-time recovery is acceptable.
            "minimum_backup_retention_days": 1,
            "monitoring_interval": 0,
            "apply_immediately": True,
            # Off although the snapshot's source is protected: the restore request's
            # DeletionProtection=false decides (RestoreDBInstanceFromDBSnapshot, DeletionProtection:
            # https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_RestoreDBInstanceFromDBSnapshot.html;
            # the emulator honours it through scripts/emulator/ext_rds.py), so the stack destroys.
            "deletion_protection": False,
            "skip_final_snapshot": True,
            # Tagged like every instance of the platform (the root's default_tags). A restore request
            # without tags would give the instance the source's tags from the snapshot, which the
            # configuration does not name, so the re-plan would remove them; with tags, the request's
            # tags are the instance's
            # (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Tagging.html).
            "tags": {"Environment": "dev", "Restore": "test"},
        },
        emulator,
        tmp_path,
        outputs=(
            "instance_identifier",
            "master_user_secret_arn",
            "master_username",
            "database_name",
            "security_group_id",
            "parameter_group_name",
            "db_subnet_group_name",
            "max_connections",
        ),
    )
    try:
        with applied(ws) as restored:
            db = rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]
            assert restored["instance_identifier"] == identifier
            # The data's identity comes from the snapshot ...
            assert (db["MasterUsername"], db["DBName"]) == (source["MasterUsername"], source["DBName"])
            assert (restored["master_username"], restored["database_name"]) == ("dbadmin", "app")
            assert db["StorageEncrypted"] is True and db["KmsKeyId"] == out["kms_key_arn"]
            # ... the rest from the module: network, parameters, IAM auth, exports, protection.
            assert db["DBSubnetGroup"]["DBSubnetGroupName"] == restored["db_subnet_group_name"] == identifier
            assert db["VpcSecurityGroups"] == [
                {"VpcSecurityGroupId": restored["security_group_id"], "Status": "active"}
            ]
            assert [g["DBParameterGroupName"] for g in db["DBParameterGroups"]] == [f"{identifier}-postgres17"]
            assert db["IAMDatabaseAuthenticationEnabled"] is True
            assert sorted(db["EnabledCloudwatchLogsExports"]) == ["postgresql", "upgrade"]
            assert db["PubliclyAccessible"] is False
            assert (source["DeletionProtection"], db["DeletionProtection"]) == (True, False)
            tags = {
                t["Key"]: t["Value"] for t in rds.list_tags_for_resource(ResourceName=db["DBInstanceArn"])["TagList"]
            }
            assert tags == {"Environment": "dev", "Restore": "test"}  # none of the source's Example/Service tags
            # An instance of its own, not the source under a second name.
            assert db["DbiResourceId"] != source["DbiResourceId"]
            # A managed master secret of its own, under the module key: what a proxy would follow.
            secret = db["MasterUserSecret"]
            assert secret["SecretArn"] == restored["master_user_secret_arn"]
            assert secret["SecretArn"] != out["master_user_secret_arn"]
            assert secret["KmsKeyId"] == out["kms_key_arn"]
            # Same class, same connection budget as the source.
            assert restored["max_connections"] == out["max_connections"] == 84
            assert_idempotent(ws)
        # The destroy (in applied) removed the restored instance; the source is untouched.
        with pytest.raises(ClientError) as err:
            rds.describe_db_instances(DBInstanceIdentifier=identifier)
        assert err.value.response["Error"]["Code"] == "DBInstanceNotFound"
        assert rds.describe_db_instances(DBInstanceIdentifier=out["db_instance_identifier"])["DBInstances"]
    finally:
        # Whatever failed above, nothing of the restored stack may outlive this test: the example's
        # teardown shares its network and key.
        leftovers = _sweep_restored(aws, identifier, out["vpc_id"])
        rds.delete_db_snapshot(DBSnapshotIdentifier=snapshot)
    assert leftovers == [], f"the restored stack's destroy left {leftovers}"


def test_destroy_after_lifting_protection(stack, rds):
    ws, tf_vars, out = stack
    # The example's teardown switch: deletion protection off, no final snapshot.
    ws.apply({**tf_vars, "allow_destroy": True})
    lifted = rds.describe_db_instances(DBInstanceIdentifier=out["db_instance_identifier"])["DBInstances"][0]
    assert lifted["DeletionProtection"] is False
    ws.destroy()
    assert ws.state_resources() == []
    with pytest.raises(ClientError) as err:
        rds.describe_db_instances(DBInstanceIdentifier=out["db_instance_identifier"])
    assert err.value.response["Error"]["Code"] == "DBInstanceNotFound"
    with pytest.raises(ClientError) as err:
        rds.describe_db_proxies(DBProxyName=out["proxy_name"])
    assert err.value.response["Error"]["Code"] == "DBProxyNotFoundFault"
