"""modules/kms-key: the key policy it builds, and rejected inputs that fail the plan with a message
that says what to fix."""

from __future__ import annotations

import json

import pytest

from tests.harness import assert_rejected, module_workspace, set_module_inputs

pytestmark = pytest.mark.emulator

LOGS = {
    "service": "logs.eu-west-1.amazonaws.com",
    "actions": ["kms:Encrypt*", "kms:Decrypt*", "kms:GenerateDataKey*"],
    "conditions": [
        {
            "test": "ArnEquals",
            "variable": "kms:EncryptionContext:aws:logs:arn",
            "values": ["arn:aws:logs:eu-west-1:123456789012:log-group:/ecs/imgclass-dev-api"],
        }
    ],
}
VALID = {
    "alias_name": "alias/imgclass-dev/operations",
    "description": "imgclass-dev: log groups",
    "deletion_window_in_days": 7,
    "service_statements": {"CloudWatchLogs": LOGS},
}

CASES = [
    ({"alias_name": "imgclass-dev"}, 'alias_name must be "alias/" followed by letters, digits, / _ - only'),
    ({"alias_name": "alias/aws/imgclass"}, 'must not start with "alias/aws/"'),
    ({"alias_name": "alias/" + "a" * 251}, "at most 256 characters in all"),
    ({"description": "  "}, "description must not be empty"),
    ({"deletion_window_in_days": 6}, "deletion_window_in_days must be a whole number from 7 to 30."),
    ({"deletion_window_in_days": 7.5}, "deletion_window_in_days must be a whole number from 7 to 30."),
    ({"service_statements": {"Logs-1": LOGS}}, "service_statements keys are statement IDs: letters and digits only"),
    ({"service_statements": {"AccountAdministration": LOGS}}, 'not "AccountAdministration"'),
    (
        {"service_statements": {"Logs": {**LOGS, "service": "arn:aws:iam::123456789012:root"}}},
        "service_statements[*].service must be an AWS service principal",
    ),
    ({"service_statements": {"Logs": {**LOGS, "actions": ["kms:*"]}}}, 'never "kms:*"'),
    ({"service_statements": {"Logs": {**LOGS, "actions": ["s3:GetObject"]}}}, "must list kms: actions"),
    (
        {"service_statements": {"Logs": {**LOGS, "conditions": []}}},
        "service_statements[*].conditions must hold at least one condition",
    ),
]


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
    assert set(statements) == {"AccountAdministration", "CloudWatchLogs"}
    assert statements["AccountAdministration"]["Principal"] == {"AWS": "arn:aws:iam::123456789012:root"}
    logs = statements["CloudWatchLogs"]
    assert logs["Principal"] == {"Service": "logs.eu-west-1.amazonaws.com"}
    assert sorted(logs["Action"]) == sorted(LOGS["actions"])
    assert logs["Condition"] == {
        "ArnEquals": {"kms:EncryptionContext:aws:logs:arn": LOGS["conditions"][0]["values"][0]}
    }
    assert plan.one("aws_kms_alias").values["name"] == "alias/imgclass-dev/operations"
    assert plan.outputs["alias_name"] == "alias/imgclass-dev/operations"


@pytest.mark.parametrize(("bad", "message"), CASES, ids=[next(iter(c[0])) + f"-{i}" for i, c in enumerate(CASES)])
def test_rejected(ws, bad, message):
    set_module_inputs(ws, {**VALID, **bad})
    assert_rejected(ws, None, message)
