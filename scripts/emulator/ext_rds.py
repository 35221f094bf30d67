"""RDS restores that moto 5.2.5 answers with the source's flags instead of the request's.

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
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

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


def install() -> None:
    _install_restore_flags()
