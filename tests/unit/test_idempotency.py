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


def test_artifact_file_lists_reasons():
    table = load_artifacts()
    assert table["aws_s3_bucket_notification"]["eventbridge"]
    assert all(reason.strip() for attrs in table.values() for reason in attrs.values())


def test_known_artifact_is_tolerated():
    inv = replan(
        "aws_s3_bucket_notification.this",
        "aws_s3_bucket_notification",
        {"bucket": "b", "eventbridge": False},
        {"bucket": "b", "eventbridge": True},
    )
    assert unexpected_changes(inv) == []


def test_other_attribute_of_the_same_resource_fails():
    inv = replan(
        "aws_s3_bucket_notification.this",
        "aws_s3_bucket_notification",
        {"bucket": "a", "eventbridge": False},
        {"bucket": "b", "eventbridge": True},
    )
    assert unexpected_changes(inv) == ["aws_s3_bucket_notification.this: update of bucket (bucket: 'a' -> 'b')"]


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
