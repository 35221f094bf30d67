"""The idempotency check tolerates exactly the listed emulator artifacts and nothing else."""

from __future__ import annotations

import pytest

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


# (resource type, before, after, planned actions, what the check reports): a re-plan of one resource
# "<type>.this" and the exact complaints, none when the change is a listed emulator artifact.
REPLANS = {
    "known-artifact-is-tolerated": (
        "aws_db_parameter_group",
        {"name": "p", "parameter": PARAMS_BEFORE},
        {"name": "p", "parameter": PARAMS_AFTER},
        ("update",),
        [],
    ),
    "other-attribute-of-the-same-resource-fails": (
        "aws_db_parameter_group",
        {"description": "a", "parameter": PARAMS_BEFORE},
        {"description": "b", "parameter": PARAMS_AFTER},
        ("update",),
        ["aws_db_parameter_group.this: update of description (description: 'a' -> 'b')"],
    ),
    # scripts/emulator/ext_s3.py answers EventBridgeConfiguration as AWS does: a re-plan that wants to
    # turn it on again is a real diff now.
    "artifact-fixed-in-the-emulator-is-no-longer-tolerated": (
        "aws_s3_bucket_notification",
        {"bucket": "b", "eventbridge": False},
        {"bucket": "b", "eventbridge": True},
        ("update",),
        ["aws_s3_bucket_notification.this: update of eventbridge (eventbridge: False -> True)"],
    ),
    "replacement-is-never-tolerated": (
        "aws_db_instance",
        {"performance_insights_enabled": False},
        {"performance_insights_enabled": True},
        ("delete", "create"),
        ["aws_db_instance.this: planned delete/create"],
    ),
    "unlisted-resource-type-fails": (
        "aws_s3_bucket",
        {"force_destroy": False},
        {"force_destroy": True},
        ("update",),
        ["aws_s3_bucket.this: update of force_destroy (force_destroy: False -> True)"],
    ),
}


@pytest.mark.parametrize(("rtype", "before", "after", "actions", "expected"), REPLANS.values(), ids=REPLANS.keys())
def test_replan_reports_exactly_what_is_not_a_listed_artifact(rtype, before, after, actions, expected):
    assert unexpected_changes(replan(f"{rtype}.this", rtype, before, after, actions)) == expected


def test_only_the_parameter_group_is_a_listed_artifact():
    """The S3 notification artifact was fixed in the emulator (above) and left the list."""
    assert set(load_artifacts()) == {"aws_db_parameter_group"}
