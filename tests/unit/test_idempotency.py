"""The idempotency check tolerates exactly the listed emulator artifacts and nothing else."""

from __future__ import annotations

from scripts.terraform.idempotency import load_artifacts, unexpected_changes
from scripts.terraform.inventory import PlanInventory


def replan(address, rtype, before, after, actions=("update",)):
    return PlanInventory.from_json(
        {
            "format_version": "1.2",
            "planned_values": {
                "root_module": {
                    "resources": [
                        {
                            "address": address,
                            "type": rtype,
                            "name": "this",
                            "mode": "managed",
                            "values": after,
                        }
                    ]
                }
            },
            "resource_changes": [
                {
                    "address": address,
                    "type": rtype,
                    "name": "this",
                    "mode": "managed",
                    "change": {
                        "actions": list(actions),
                        "before": before,
                        "after": after,
                        "after_unknown": {},
                    },
                }
            ],
        }
    )


PARAMS_BEFORE = [{"apply_method": "immediate", "name": "log_min_duration_statement", "value": "500"}]
PARAMS_AFTER = [{"apply_method": "pending-reboot", "name": "log_min_duration_statement", "value": "500"}]


def test_artifact_file_lists_reasons():
    table = load_artifacts()
    assert table["aws_db_parameter_group"]["parameter"]
    assert all(reason.strip() for attrs in table.values() for reason in attrs.values())


def test_known_artifact_is_tolerated():
    inv = replan(
        "aws_db_parameter_group.this",
        "aws_db_parameter_group",
        {"name": "p", "parameter": PARAMS_BEFORE},
        {"name": "p", "parameter": PARAMS_AFTER},
    )
    assert unexpected_changes(inv) == []


def test_other_attribute_of_the_same_resource_fails():
    inv = replan(
        "aws_db_parameter_group.this",
        "aws_db_parameter_group",
        {"description": "a", "parameter": PARAMS_BEFORE},
        {"description": "b", "parameter": PARAMS_AFTER},
    )
    assert unexpected_changes(inv) == ["aws_db_parameter_group.this: update of description (description: 'a' -> 'b')"]


def test_artifacts_fixed_in_the_emulator_are_no_longer_tolerated():
    # scripts/emulator/ext_s3.py answers EventBridgeConfiguration as AWS does: a re-plan that wants to
    # turn it on again is a real diff now.
    inv = replan(
        "aws_s3_bucket_notification.this",
        "aws_s3_bucket_notification",
        {"bucket": "b", "eventbridge": False},
        {"bucket": "b", "eventbridge": True},
    )
    assert unexpected_changes(inv) == [
        "aws_s3_bucket_notification.this: update of eventbridge (eventbridge: False -> True)"
    ]
    assert set(load_artifacts()) == {"aws_db_parameter_group"}


def test_replacement_is_never_tolerated():
    inv = replan(
        "aws_db_instance.this",
        "aws_db_instance",
        {"performance_insights_enabled": False},
        {"performance_insights_enabled": True},
        actions=("delete", "create"),
    )
    assert unexpected_changes(inv) == ["aws_db_instance.this: planned delete/create"]


def test_unlisted_resource_type_fails():
    inv = replan("aws_s3_bucket.this", "aws_s3_bucket", {"force_destroy": False}, {"force_destroy": True})
    assert unexpected_changes(inv) == ["aws_s3_bucket.this: update of force_destroy (force_destroy: False -> True)"]
