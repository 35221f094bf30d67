"""RDS answers of moto 5.2.5 that differ from AWS where the project's restore path or its deploys depend on them.

Every DB instance has the same DbiResourceId
--------------------------------------------
moto gives every DB instance the resource ID ``db-M5ENSHXFPU6XHZ4G4ZEI5QIO2U``. AWS documents it as
"The Amazon Web Services Region-unique, immutable identifier for the DB instance" (DbiResourceId:
https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DBInstance.html). The provider keeps an
``aws_db_instance`` by that ID and finds it with DescribeDBInstances filtered on ``dbi-resource-id``,
expecting exactly one answer. With a second instance in the emulator (a restore beside its source)
every read of either instance finds two, and the deletion waiter never sees its instance gone while
the other exists, so a destroy waits out the provider's delete timeout. This extension gives each new
instance an ID of its own in the AWS form (``db-`` and 26 upper-case letters and digits); a rename
keeps it, as in AWS.

Restores drop the request's false flags
---------------------------------------
RestoreDBInstanceFromDBSnapshot and RestoreDBInstanceToPointInTime copy every setting of the source
instance and then apply only the truthy overrides of the request (``if value:`` in
moto/rds/models.py), so ``DeletionProtection=false``, ``MultiAZ=false``, ``PubliclyAccessible=false``
and the other boolean parameters are dropped whenever the source had them on. A module that restores
with deletion protection off (a test stack, the root's teardown switch) then gets a protected
instance: the provider reads ``deletion_protection = true`` back, the re-plan shows drift, and the
destroy fails with InvalidParameterCombination.

AWS applies what the request says, and an instance restored without ``DeletionProtection`` is not
protected: "By default, deletion protection isn't enabled" (DeletionProtection, both APIs:
https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_RestoreDBInstanceFromDBSnapshot.html,
https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_RestoreDBInstanceToPointInTime.html).
This extension sets each boolean the request gave as false on the restored instance, and turns
deletion protection off when the request left it out.

Performance Insights is never reported
--------------------------------------
moto 5.2.5 accepts ``EnablePerformanceInsights``, ``PerformanceInsightsKMSKeyId`` and
``PerformanceInsightsRetentionPeriod`` on CreateDBInstance and ModifyDBInstance and returns none of
them, while AWS returns them on every DBInstance ("PerformanceInsightsEnabled: True if Performance
Insights is enabled for the DB instance, and otherwise false", with the KMS key and the retention
period: https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DBInstance.html,
https://docs.aws.amazon.com/sdk-for-kotlin/api/latest/rds/aws.sdk.kotlin.services.rds.model/-db-instance/performance-insights-enabled.html).
The provider then reads ``performance_insights_enabled = false`` back after every apply, and each
later plan updates the instance: a ModifyDBInstance followed by the provider's fixed wait for
``available`` (80 s, docs/emulator-waits.md), in every deploy, the image-only one included. This
extension keeps what the request said and reports it; the retention period, when Performance Insights
is on and none was given, is AWS's default of 7 days ("The default is 7 days":
https://docs.aws.amazon.com/sdk-for-kotlin/api/latest/rds/aws.sdk.kotlin.services.rds.model/-restore-db-instance-from-s3-request/performance-insights-retention-period.html).
"""

from __future__ import annotations

import secrets
import string
from collections.abc import Mapping
from typing import Any

# The one resource ID moto 5.2.5 gives every DB instance (moto/rds/models.py, DBInstance.__init__).
_MOTO_SHARED_RESOURCE_ID = "db-M5ENSHXFPU6XHZ4G4ZEI5QIO2U"
_RESOURCE_ID_ALPHABET = string.ascii_uppercase + string.digits

# Boolean request parameters of both restore APIs (snake_case, as moto's parsed request names them)
# that are plain attributes of moto's DBInstance.
_FLAGS = (
    "auto_minor_version_upgrade",
    "copy_tags_to_snapshot",
    "deletion_protection",
    "enable_iam_database_authentication",
    "multi_az",
    "publicly_accessible",
)


def _apply_request_flags(instance: Any, overrides: Mapping[str, Any]) -> None:
    for flag in _FLAGS:
        if overrides.get(flag) is False:
            setattr(instance, flag, False)
    if overrides.get("deletion_protection") is None:
        instance.deletion_protection = False


def _install_restore_flags() -> None:
    from moto.rds.models import RDSBackend

    if getattr(RDSBackend.restore_db_instance_from_db_snapshot, "_keeps_request_flags", False):
        return
    from_snapshot = RDSBackend.restore_db_instance_from_db_snapshot
    to_point_in_time = RDSBackend.restore_db_instance_to_point_in_time

    def restore_db_instance_from_db_snapshot(self: Any, from_snapshot_id: str, overrides: dict[str, Any]) -> Any:
        instance = from_snapshot(self, from_snapshot_id, overrides)
        _apply_request_flags(instance, overrides)
        return instance

    def restore_db_instance_to_point_in_time(
        self: Any, source_db_identifier: str, target_db_identifier: str, overrides: dict[str, Any]
    ) -> Any:
        instance = to_point_in_time(self, source_db_identifier, target_db_identifier, overrides)
        _apply_request_flags(instance, overrides)
        return instance

    restore_db_instance_from_db_snapshot._keeps_request_flags = True  # type: ignore[attr-defined]
    RDSBackend.restore_db_instance_from_db_snapshot = restore_db_instance_from_db_snapshot
    RDSBackend.restore_db_instance_to_point_in_time = restore_db_instance_to_point_in_time


def new_resource_id() -> str:
    return "db-" + "".join(secrets.choice(_RESOURCE_ID_ALPHABET) for _ in range(26))


def _install_unique_resource_ids() -> None:
    from moto.rds.models import DBInstance

    if getattr(DBInstance.__init__, "_unique_resource_id", False):
        return
    original_init = DBInstance.__init__

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        if self.dbi_resource_id == _MOTO_SHARED_RESOURCE_ID:
            self.dbi_resource_id = new_resource_id()

    __init__._unique_resource_id = True  # type: ignore[attr-defined]
    DBInstance.__init__ = __init__


# AWS's retention period when Performance Insights is turned on without one (see the module docstring).
DEFAULT_PERFORMANCE_INSIGHTS_RETENTION_DAYS = 7


def _keep_performance_insights(instance: Any, request: Mapping[str, Any], creating: bool) -> None:
    """Performance Insights as the request (snake_case, as moto parses it) sets it."""
    enabled = request.get("enable_performance_insights")
    if enabled is not None:
        instance.performance_insights_enabled = bool(enabled)
    elif creating:
        instance.performance_insights_enabled = False
    for key in ("performance_insights_kms_key_id", "performance_insights_retention_period"):
        if request.get(key) is not None:
            setattr(instance, key, request[key])
        elif creating:
            setattr(instance, key, None)
    if getattr(instance, "performance_insights_enabled", False) and (
        getattr(instance, "performance_insights_retention_period", None) is None
    ):
        instance.performance_insights_retention_period = DEFAULT_PERFORMANCE_INSIGHTS_RETENTION_DAYS


def _install_performance_insights() -> None:
    from moto.rds.models import DBInstance

    if getattr(DBInstance.update, "_keeps_performance_insights", False):
        return
    original_init, original_update = DBInstance.__init__, DBInstance.update

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        _keep_performance_insights(self, kwargs, creating=True)

    def update(self: Any, *args: Any, **kwargs: Any) -> None:
        original_update(self, *args, **kwargs)
        _keep_performance_insights(self, kwargs, creating=False)

    # The wrapper stands in for the unique-id __init__ it wraps: keep that install's guard true.
    if getattr(original_init, "_unique_resource_id", False):
        __init__._unique_resource_id = True  # type: ignore[attr-defined]
    update._keeps_performance_insights = True  # type: ignore[attr-defined]
    DBInstance.__init__ = __init__
    DBInstance.update = update


def install() -> None:
    _install_unique_resource_ids()
    _install_restore_flags()
    _install_performance_insights()
