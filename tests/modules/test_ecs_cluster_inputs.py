"""modules/ecs-cluster: rejected inputs fail the plan with a message that says what to fix."""

from __future__ import annotations

import pytest

from tests.harness import assert_rejected, module_workspace, set_module_inputs

pytestmark = pytest.mark.emulator

VALID = {"name": "imgclass-dev"}

CASES = [
    (
        {"name": "c" * 247},
        "name must be 1-246 letters, digits, hyphens and underscores, starting with a letter or digit"
        " (the KMS alias alias/ecs/<name> must fit KMS's 256-character limit)",
    ),
    ({"container_insights": "disabled"}, 'container_insights must be "enhanced" or "enabled"'),
    (
        {"default_capacity_provider_strategy": [{"capacity_provider": "EC2"}]},
        "each with capacity_provider FARGATE or FARGATE_SPOT",
    ),
    (
        {
            "default_capacity_provider_strategy": [
                {"capacity_provider": "FARGATE", "base": 1},
                {"capacity_provider": "FARGATE_SPOT", "base": 1},
            ]
        },
        "only one entry may have a base above 0",
    ),
    ({"kms_key_arn": "alias/ecs"}, "kms_key_arn must be a KMS key ARN"),
    ({"exec_log_retention_in_days": 10}, "exec_log_retention_in_days must be one of"),
    ({"container_insights_log_retention_in_days": 0}, "container_insights_log_retention_in_days must be one of"),
]


@pytest.fixture(scope="module")
def ws(emulator, tmp_path_factory):
    return module_workspace("ecs-cluster", VALID, emulator, tmp_path_factory.mktemp("clusterinputs"))


@pytest.mark.parametrize(("bad", "message"), CASES, ids=[next(iter(c[0])) + f"-{i}" for i, c in enumerate(CASES)])
def test_rejected(ws, bad, message):
    set_module_inputs(ws, {**VALID, **bad})
    assert_rejected(ws, None, message)
