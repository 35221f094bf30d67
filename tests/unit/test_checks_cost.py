"""Cost estimate: the arithmetic per resource type, the documented price table and the budget."""

from __future__ import annotations

import json

import pytest

from scripts.checks import cost
from scripts.checks.findings import CheckOptions
from scripts.checks.planbuilder import PlanBuilder, platform_plan
from scripts.checks.tables import instance_classes, prices
from scripts.inventory import PlanInventory

HOURS = 730


def estimate(b: PlanBuilder):
    return cost.estimate(PlanInventory.from_json(b.build()))


def line(est, rtype):
    return next(ln for ln in est.lines if ln.resource_type == rtype)


def test_price_table_states_source_date_and_covers_every_instance_class():
    p = prices()
    assert p["meta"]["source"] and p["meta"]["as_of"] and p["meta"]["region"]
    assert set(instance_classes()) <= set(p["rds"]["instance_hour"])


def fargate(b, *, cpu="1024", memory="2048", arch="X86_64", strategy=None, min_capacity=2, max_capacity=6):
    b.add(
        "module.api.aws_ecs_service.this",
        {"name": "api", "desired_count": 1, "capacity_provider_strategy": strategy or []},
        unknown=["task_definition"],
    )
    b.add(
        "module.api.aws_ecs_task_definition.this",
        {"family": "api", "cpu": cpu, "memory": memory, "runtime_platform": [{"cpu_architecture": arch}]},
    )
    b.add(
        "module.api.aws_appautoscaling_target.this",
        {
            "service_namespace": "ecs",
            "resource_id": "service/c/api",
            "min_capacity": min_capacity,
            "max_capacity": max_capacity,
        },
    )
    return b


def test_fargate_baseline_at_min_capacity_and_peak_at_max():
    ln = line(estimate(fargate(PlanBuilder())), "aws_ecs_service")
    per_task = (1 * 0.04048 + 2 * 0.004445) * HOURS
    assert ln.monthly == pytest.approx(2 * per_task)
    assert ln.monthly_at_max == pytest.approx(6 * per_task)
    assert "1 vCPU / 2 GB x86_64" in ln.notes[0]


def test_fargate_arm_and_spot_share():
    b = fargate(
        PlanBuilder(),
        arch="ARM64",
        strategy=[{"capacity_provider": "FARGATE_SPOT", "weight": 3}, {"capacity_provider": "FARGATE", "weight": 1}],
        min_capacity=1,
    )
    ln = line(estimate(b), "aws_ecs_service")
    on_demand = (1 * 0.03238 + 2 * 0.00356) * HOURS
    assert ln.monthly == pytest.approx(on_demand * (0.25 + 0.75 * 0.30))
    assert "75% Spot" in ln.notes[0]


@pytest.mark.parametrize(("multi_az", "factor"), [(False, 1), (True, 2)])
def test_rds_instance_and_storage_double_with_multi_az(multi_az, factor):
    b = PlanBuilder().add(
        "aws_db_instance.db",
        {"instance_class": "db.t4g.medium", "multi_az": multi_az, "allocated_storage": 50, "storage_type": "gp3"},
    )
    ln = line(estimate(b), "aws_db_instance")
    assert ln.monthly == pytest.approx(factor * (0.065 * HOURS + 50 * 0.115))


def test_rds_class_without_a_price_says_so():
    b = PlanBuilder().add(
        "aws_db_instance.db", {"instance_class": "db.x9.huge", "allocated_storage": 10, "storage_type": "gp3"}
    )
    ln = line(estimate(b), "aws_db_instance")
    assert ln.monthly == pytest.approx(10 * 0.115)
    assert "no price for class 'db.x9.huge'" in ln.notes[0]


@pytest.mark.parametrize(("cls", "vcpus"), [("db.t4g.micro", 2), ("db.r6g.2xlarge", 8)])
def test_rds_proxy_billed_per_database_vcpu_with_a_minimum_of_two(cls, vcpus):
    b = PlanBuilder().add("module.db.aws_db_instance.this", {"identifier": "pg", "instance_class": cls})
    b.add("module.proxy.aws_db_proxy.this", {"name": "pg"})
    b.add("module.proxy.aws_db_proxy_target.this", {"db_proxy_name": "pg", "db_instance_identifier": "pg"})
    ln = line(estimate(b), "aws_db_proxy")
    assert ln.monthly == pytest.approx(vcpus * 0.015 * HOURS)


def test_fixed_monthly_items():
    b = PlanBuilder()
    b.add("aws_lb.alb", {"load_balancer_type": "application"})
    b.add("aws_nat_gateway.a", {})
    b.add("aws_kms_key.k", {})
    b.add("aws_wafv2_web_acl.acl", {"rule": [{"name": "common"}, {"name": "rate"}]})
    b.add("aws_cloudwatch_metric_alarm.simple", {})
    b.add(
        "aws_cloudwatch_metric_alarm.math",
        {"metric_query": [{"id": "a", "metric": [{}]}, {"id": "b", "metric": [{}]}, {"id": "e", "expression": "a/b"}]},
    )
    b.add("aws_cloudwatch_composite_alarm.c", {})
    b.add("aws_cloudwatch_dashboard.d", {})
    b.add("aws_secretsmanager_secret.s", {})
    b.add("aws_vpc_endpoint.ecr", {"vpc_endpoint_type": "Interface", "subnet_ids": ["a", "b"]})
    b.add("aws_s3_bucket.data", {})
    est = estimate(b)
    assert line(est, "aws_lb").monthly == pytest.approx((0.0225 + 0.008) * HOURS)
    assert line(est, "aws_nat_gateway").monthly == pytest.approx(0.045 * HOURS)
    assert line(est, "aws_kms_key").monthly == 1.0
    assert line(est, "aws_wafv2_web_acl").monthly == pytest.approx(5 + 2 * 1)
    assert line(est, "aws_cloudwatch_metric_alarm").monthly == pytest.approx(0.10 + 0.20)
    assert line(est, "aws_cloudwatch_composite_alarm").monthly == 0.5
    assert line(est, "aws_cloudwatch_dashboard").monthly == 3.0
    assert line(est, "aws_secretsmanager_secret").monthly == 0.4
    assert line(est, "aws_vpc_endpoint").monthly == pytest.approx(2 * 0.01 * HOURS)
    assert line(est, "aws_s3_bucket").notes == ["usage-based: not estimated"]
    assert est.total == pytest.approx(sum(ln.monthly for ln in est.lines), abs=0.01)
    assert est.lines[0].resource_type == "aws_nat_gateway"  # most expensive first


def test_deleted_resources_cost_nothing():
    b = PlanBuilder().add("aws_nat_gateway.old", {}, actions=["delete"])
    assert estimate(b).lines == []


def run_budget(budget):
    return cost.check(PlanInventory.from_json(platform_plan().build()), CheckOptions.build(env_budget_usd=budget))


def test_under_budget_passes():
    est, findings = run_budget(1000)
    assert findings == [] and est.budget == 1000


def test_over_budget_fails_naming_the_largest_items():
    est, findings = run_budget(50)
    [finding] = findings
    assert (finding.check_id, finding.severity) == ("cost.over-budget", "error")
    assert finding.address == "module.database.aws_db_instance.this"
    assert f"estimated {est.total:,.2f} USD/month" in finding.message
    assert "--env-budget" in finding.fix


def test_only_the_max_scale_over_budget_warns():
    est, _ = run_budget(1000)
    _, findings = run_budget((est.total + est.total_at_max) / 2)
    [finding] = findings
    assert (finding.check_id, finding.severity) == ("cost.over-budget-at-max", "warning")


def test_no_budget_no_finding():
    _, findings = cost.check(PlanInventory.from_json(platform_plan().build()), CheckOptions())
    assert findings == []


def test_estimate_is_labelled_as_such():
    data = cost.estimate(PlanInventory.from_json(platform_plan().build())).as_dict()
    assert data["estimate"] is True
    assert data["as_of"] == prices()["meta"]["as_of"]
    assert json.dumps(data)  # serialisable
