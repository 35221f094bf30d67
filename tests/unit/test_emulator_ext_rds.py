"""scripts/emulator/ext_rds.py: each DB instance has a resource ID of its own, and a restore keeps the
boolean settings the request gives, as AWS does.

DbiResourceId: "The Amazon Web Services Region-unique, immutable identifier for the DB instance"
(https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DBInstance.html). Without the extension
moto 5.2.5 gives every instance the same one, and the provider's lookup by it finds two.

DeletionProtection on RestoreDBInstanceFromDBSnapshot and RestoreDBInstanceToPointInTime: "By default,
deletion protection isn't enabled"
(https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_RestoreDBInstanceFromDBSnapshot.html,
https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_RestoreDBInstanceToPointInTime.html).
Without the extension moto 5.2.5 copies the source's true flags over a false in the request.
"""

from __future__ import annotations

import re

import pytest
from botocore.exceptions import ClientError

from scripts.emulator import Emulator


@pytest.fixture(scope="module")
def rds():
    """A protected, multi-AZ, publicly accessible source with every flag on, and a snapshot of it."""
    with Emulator() as emulator:
        client = emulator.client("rds")
        client.create_db_instance(
            DBInstanceIdentifier="ext-rds-src",
            DBInstanceClass="db.t4g.micro",
            Engine="postgres",
            MasterUsername="dbadmin",
            MasterUserPassword="not-a-secret-1",  # the emulator's throwaway instance
            AllocatedStorage=20,
            DeletionProtection=True,
            MultiAZ=True,
            PubliclyAccessible=True,
            CopyTagsToSnapshot=True,
            AutoMinorVersionUpgrade=True,
            EnableIAMDatabaseAuthentication=True,
            BackupRetentionPeriod=1,
        )
        client.create_db_snapshot(DBInstanceIdentifier="ext-rds-src", DBSnapshotIdentifier="ext-rds-snap")
        yield client
        # moto's backends are per process: leave nothing behind for an emulator started later in it.
        client.delete_db_snapshot(DBSnapshotIdentifier="ext-rds-snap")
        client.modify_db_instance(DBInstanceIdentifier="ext-rds-src", DeletionProtection=False, ApplyImmediately=True)
        client.delete_db_instance(DBInstanceIdentifier="ext-rds-src", SkipFinalSnapshot=True)


_ALL_FALSE = {
    "DeletionProtection": False,
    "MultiAZ": False,
    "PubliclyAccessible": False,
    "CopyTagsToSnapshot": False,
    "AutoMinorVersionUpgrade": False,
    "EnableIAMDatabaseAuthentication": False,
}
_DESCRIBED = {
    "DeletionProtection": "DeletionProtection",
    "MultiAZ": "MultiAZ",
    "PubliclyAccessible": "PubliclyAccessible",
    "CopyTagsToSnapshot": "CopyTagsToSnapshot",
    "AutoMinorVersionUpgrade": "AutoMinorVersionUpgrade",
    "EnableIAMDatabaseAuthentication": "IAMDatabaseAuthenticationEnabled",
}


def _flags(rds, identifier: str) -> dict[str, bool]:
    db = rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]
    return {param: db[field] for param, field in _DESCRIBED.items()}


def _restore(rds, how: str, identifier: str, **params):
    if how == "snapshot":
        return rds.restore_db_instance_from_db_snapshot(
            DBInstanceIdentifier=identifier, DBSnapshotIdentifier="ext-rds-snap", **params
        )
    return rds.restore_db_instance_to_point_in_time(
        SourceDBInstanceIdentifier="ext-rds-src",
        TargetDBInstanceIdentifier=identifier,
        UseLatestRestorableTime=True,
        **params,
    )


@pytest.mark.parametrize("how", ["snapshot", "pitr"])
def test_false_in_the_request_is_kept(rds, how):
    identifier = f"ext-rds-{how}-false"
    _restore(rds, how, identifier, **_ALL_FALSE)
    assert _flags(rds, identifier) == dict.fromkeys(_ALL_FALSE, False)
    # Unprotected, so it can be deleted: what a test stack's destroy needs.
    rds.delete_db_instance(DBInstanceIdentifier=identifier, SkipFinalSnapshot=True)
    with pytest.raises(ClientError) as err:
        rds.describe_db_instances(DBInstanceIdentifier=identifier)
    assert err.value.response["Error"]["Code"] == "DBInstanceNotFound"


@pytest.mark.parametrize("how", ["snapshot", "pitr"])
def test_true_in_the_request_is_kept(rds, how):
    identifier = f"ext-rds-{how}-true"
    _restore(rds, how, identifier, **dict.fromkeys(_ALL_FALSE, True))
    assert _flags(rds, identifier) == dict.fromkeys(_ALL_FALSE, True)
    with pytest.raises(ClientError) as err:
        rds.delete_db_instance(DBInstanceIdentifier=identifier, SkipFinalSnapshot=True)
    assert err.value.response["Error"]["Code"] == "InvalidParameterCombination"
    rds.modify_db_instance(DBInstanceIdentifier=identifier, DeletionProtection=False, ApplyImmediately=True)
    rds.delete_db_instance(DBInstanceIdentifier=identifier, SkipFinalSnapshot=True)


@pytest.mark.parametrize("how", ["snapshot", "pitr"])
def test_deletion_protection_is_off_when_the_request_leaves_it_out(rds, how):
    identifier = f"ext-rds-{how}-unset"
    _restore(rds, how, identifier)
    assert _flags(rds, identifier)["DeletionProtection"] is False
    rds.delete_db_instance(DBInstanceIdentifier=identifier, SkipFinalSnapshot=True)


def _by_resource_id(rds, resource_id: str) -> list[str]:
    """The provider's lookup of an aws_db_instance: DescribeDBInstances filtered on dbi-resource-id."""
    found = rds.describe_db_instances(Filters=[{"Name": "dbi-resource-id", "Values": [resource_id]}])
    return [db["DBInstanceIdentifier"] for db in found["DBInstances"]]


def test_each_instance_has_a_resource_id_of_its_own(rds):
    _restore(rds, "snapshot", "ext-rds-ids", DeletionProtection=False)
    source = rds.describe_db_instances(DBInstanceIdentifier="ext-rds-src")["DBInstances"][0]["DbiResourceId"]
    restored = rds.describe_db_instances(DBInstanceIdentifier="ext-rds-ids")["DBInstances"][0]["DbiResourceId"]
    assert source != restored
    assert re.fullmatch(r"db-[A-Z0-9]{26}", restored), restored
    assert _by_resource_id(rds, source) == ["ext-rds-src"]
    assert _by_resource_id(rds, restored) == ["ext-rds-ids"]
    # Immutable: a rename keeps it.
    rds.modify_db_instance(
        DBInstanceIdentifier="ext-rds-ids", NewDBInstanceIdentifier="ext-rds-ids-renamed", ApplyImmediately=True
    )
    assert _by_resource_id(rds, restored) == ["ext-rds-ids-renamed"]
    rds.delete_db_instance(DBInstanceIdentifier="ext-rds-ids-renamed", SkipFinalSnapshot=True)
    # Gone means gone for the provider's deletion waiter, though the source still exists.
    assert _by_resource_id(rds, restored) == []
