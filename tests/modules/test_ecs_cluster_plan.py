"""modules/ecs-cluster: its example's plan checked in Python (the inventory is data, in
examples/complete/tests/inventory.toml). The cluster is applied
and read back through the ecs-service api example (tests/modules/test_ecs_service_apply_api.py)."""

from __future__ import annotations

import json

import pytest

from tests.harness import inventory_path, shared_plan

pytestmark = pytest.mark.emulator
EXAMPLE = "modules/ecs-cluster/examples/complete"


@pytest.fixture(scope="module")
def complete(emulator, tmp_path_factory):
    """The plan whose inventory tests/modules/test_inventories.py asserts (examples/complete/tests/inventory.toml)."""
    plan = shared_plan(inventory_path(EXAMPLE), emulator, tmp_path_factory)
    return plan.name, plan.inventory


def test_default_strategy_keeps_one_on_demand_task(complete):
    _, inv = complete
    strategy = inv.find("module.cluster.aws_ecs_cluster_capacity_providers.this").values[
        "default_capacity_provider_strategy"
    ]
    assert sorted(strategy, key=lambda s: s["capacity_provider"]) == [  # a set: order is not meaningful
        {"capacity_provider": "FARGATE", "base": 1, "weight": 1},
        {"capacity_provider": "FARGATE_SPOT", "base": 0, "weight": 3},
    ]


def test_exec_audit_key_admits_logs_for_its_log_group_only(complete):
    name, inv = complete
    policy = json.loads(inv.find("module.cluster.module.kms_key[0].aws_kms_key.this").values["policy"])
    logs = next(s for s in policy["Statement"] if s["Sid"] == "CloudWatchLogs")
    assert logs["Principal"] == {"Service": "logs.eu-west-1.amazonaws.com"}
    groups = logs["Condition"]["ArnLike"]["kms:EncryptionContext:aws:logs:arn"]
    assert sorted(g.split(":log-group:")[1] for g in groups) == sorted(
        [f"/aws/ecs/{name}/execute-command", f"/aws/ecs/containerinsights/{name}/performance"]
    )


def test_container_insights_log_group_is_ours_before_the_cluster(complete):
    """Container Insights creates /aws/ecs/containerinsights/<cluster>/performance itself (never
    expiring, no key) unless it exists: the module creates it first, encrypted with the cluster key."""
    name, inv = complete
    group = inv.find("module.cluster.aws_cloudwatch_log_group.container_insights")
    assert group.after_unknown.get("kms_key_id"), "the log group must be encrypted with the created key"
    config = inv.raw["configuration"]["root_module"]["module_calls"]["cluster"]["module"]["resources"]
    cluster = next(r for r in config if r["address"] == "aws_ecs_cluster.this")
    assert "aws_cloudwatch_log_group.container_insights" in cluster.get("depends_on", [])
    policy = json.loads(inv.find("module.cluster.module.kms_key[0].aws_kms_key.this").values["policy"])
    insights = next(s for s in policy["Statement"] if s["Sid"] == "CloudWatchLogs")
    assert insights["Principal"] == {"Service": "logs.eu-west-1.amazonaws.com"}
    assert (
        f"arn:aws:logs:eu-west-1:123456789012:log-group:/aws/ecs/containerinsights/{name}/performance"
        in (insights["Condition"]["ArnLike"]["kms:EncryptionContext:aws:logs:arn"])
    )
