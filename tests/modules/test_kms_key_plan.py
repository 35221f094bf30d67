"""modules/kms-key: the key policy it builds, planned on the emulator.

The inputs the module refuses are a table, modules/kms-key/tests/rejected_inputs.toml, checked by
tests/modules/test_rejected_inputs.py with a mocked provider. This test stays on the emulator: it reads
the policy aws_iam_policy_document renders, which a mocked data source does not render."""

from __future__ import annotations

import json

import pytest

from tests.harness import module_workspace, set_module_inputs

pytestmark = pytest.mark.emulator

ALARMS = {
    "service": "cloudwatch.amazonaws.com",
    "actions": ["kms:Decrypt", "kms:GenerateDataKey*"],
    "conditions": [
        {
            "test": "ArnLike",
            "variable": "aws:SourceArn",
            "values": ["arn:aws:cloudwatch:eu-west-1:123456789012:alarm:imgclass-dev-*"],
        }
    ],
}
VALID = {
    "alias_name": "alias/imgclass-dev/operations",
    "description": "imgclass-dev: log groups",
    "deletion_window_in_days": 7,
    "cloudwatch_logs_log_groups": ["/ecs/imgclass-dev-api", "/ecs/imgclass-dev-*"],
    "service_statements": {"CloudWatchAlarmsPublish": ALARMS},
}


@pytest.fixture(scope="module")
def ws(emulator, tmp_path_factory):
    return module_workspace(
        "kms-key", VALID, emulator, tmp_path_factory.mktemp("kmskeyinputs"), outputs=("alias_name",)
    )


def test_policy_is_the_account_plus_the_conditioned_service_statements(ws):
    set_module_inputs(ws, VALID)
    plan = ws.plan()
    key = plan.one("aws_kms_key")
    assert key.values["enable_key_rotation"] is True
    assert key.values["deletion_window_in_days"] == 7
    statements = {s["Sid"]: s for s in json.loads(key.values["policy"])["Statement"]}
    assert set(statements) == {"AccountAdministration", "CloudWatchLogs", "CloudWatchAlarmsPublish"}
    assert statements["AccountAdministration"]["Principal"] == {"AWS": "arn:aws:iam::123456789012:root"}
    # The CloudWatch Logs grant is built from the group names, in the provider's region and account.
    logs = statements["CloudWatchLogs"]
    assert logs["Principal"] == {"Service": "logs.eu-west-1.amazonaws.com"}
    assert sorted(logs["Action"]) == sorted(
        ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
    )
    assert logs["Condition"] == {
        "ArnLike": {
            "kms:EncryptionContext:aws:logs:arn": [
                "arn:aws:logs:eu-west-1:123456789012:log-group:/ecs/imgclass-dev-api",
                "arn:aws:logs:eu-west-1:123456789012:log-group:/ecs/imgclass-dev-*",
            ]
        }
    }
    alarms = statements["CloudWatchAlarmsPublish"]
    assert alarms["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert alarms["Condition"] == {"ArnLike": {"aws:SourceArn": ALARMS["conditions"][0]["values"][0]}}
    assert plan.one("aws_kms_alias").values["name"] == "alias/imgclass-dev/operations"
    assert plan.outputs["alias_name"] == "alias/imgclass-dev/operations"


def test_no_log_groups_no_cloudwatch_logs_statement(ws):
    set_module_inputs(ws, {**VALID, "cloudwatch_logs_log_groups": []})
    key = ws.plan().one("aws_kms_key")
    sids = {s["Sid"] for s in json.loads(key.values["policy"])["Statement"]}
    assert sids == {"AccountAdministration", "CloudWatchAlarmsPublish"}
