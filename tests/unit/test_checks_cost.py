"""Cost estimate: the arithmetic per resource type, the documented price table and the budget."""

from __future__ import annotations

import copy
import json

import pytest

from scripts.checks import cost
from scripts.checks.findings import CheckOptions
from scripts.checks.tables import instance_classes, prices
from scripts.cli import main
from scripts.terraform.inventory import PlanInventory
from tests.support.planbuilder import PlanBuilder, platform_plan

HOURS = 730
EU = "eu-west-1"


def table(region: str = "us-east-1") -> dict:
    return prices()["regions"][region]


@pytest.fixture
def no_free_tier(monkeypatch):
    """The price table's switch off: every alarm metric and dashboard is priced."""
    data = copy.deepcopy(prices())
    data["free_tier"]["apply"] = False
    monkeypatch.setattr(cost, "prices", lambda: data)


def estimate(b: PlanBuilder):
    return cost.estimate(PlanInventory.from_json(b.build()))


def line(est, rtype):
    return next(ln for ln in est.lines if ln.resource_type == rtype)


@pytest.mark.parametrize("region", ["us-east-1", EU])
def test_each_region_table_states_source_date_and_covers_every_instance_class(region):
    meta = table(region)["meta"]
    assert meta["source"] and meta["as_of"]
    assert set(instance_classes()) <= set(table(region)["rds"]["instance_hour"])
    # Every stand-in names a section that exists: the report lists them as such.
    assert set(meta["stand_ins"]) <= set(table(region)) - {"meta"}


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


def test_fixed_monthly_items(no_free_tier):
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
    assert line(est, "aws_lb").monthly == pytest.approx(0.0225 * HOURS)  # LCUs are usage: not in the baseline
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
    est = estimate(b)
    assert (est.total, line(est, "aws_nat_gateway").count) == (0, 0)


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
    assert data["as_of"] == table(data["region"])["meta"]["as_of"]
    assert json.dumps(data)  # serialisable


# --- the plan's own region ---------------------------------------------------------------------------


def eu_plan(**kwargs) -> PlanBuilder:
    b = platform_plan(**kwargs)
    b.variables["region"] = EU
    return b


def test_eu_west_1_plan_is_priced_with_the_eu_west_1_table():
    b = eu_plan()
    b.add("aws_nat_gateway.a", {})
    est = estimate(b)
    assert (est.meta["region"], est.meta["region_source"]) == (EU, "plan variable region")
    assert est.meta["as_of"] == table(EU)["meta"]["as_of"]
    # 0.0252 x 730 and 0.048 x 730: the eu-west-1 lines, not us-east-1's 0.0225 and 0.045.
    assert line(est, "aws_lb").monthly == pytest.approx(table(EU)["alb"]["hour"] * HOURS) == pytest.approx(18.396)
    assert line(est, "aws_nat_gateway").monthly == pytest.approx(table(EU)["nat_gateway"]["hour"] * HOURS)
    assert line(est, "aws_nat_gateway").monthly == pytest.approx(35.04)


def test_alb_baseline_is_the_hourly_charge_and_lcus_are_noted_as_usage():
    ln = line(estimate(eu_plan()), "aws_lb")
    assert ln.monthly == ln.monthly_at_max == pytest.approx(0.0252 * HOURS)
    assert ln.notes == ["LCUs usage-based: 5.84/month per LCU"]  # 0.008 x 730


def provider_plan(region: str) -> dict:
    plan = PlanBuilder().add("aws_nat_gateway.a", {}).build()
    plan["configuration"]["provider_config"] = {
        "aws": {"name": "aws", "expressions": {"region": {"constant_value": region}}}
    }
    return plan


def test_region_from_the_provider_data_source_or_arns_in_that_order():
    inv = PlanInventory.from_json(provider_plan(EU))
    assert cost.plan_region(inv) == (EU, "aws provider region")
    plan = PlanBuilder().add("aws_nat_gateway.a", {}).build()
    plan["prior_state"] = {
        "values": {
            "root_module": {
                "resources": [
                    {"address": "data.aws_region.current", "mode": "data", "type": "aws_region", "values": {"name": EU}}
                ]
            }
        }
    }
    assert cost.plan_region(PlanInventory.from_json(plan)) == (EU, "data.aws_region")
    b = PlanBuilder().add("aws_sqs_queue.q", {"arn": "arn:aws:sqs:eu-west-1:123456789012:jobs"})
    b.add("aws_iam_role.r", {"arn": "arn:aws:iam::123456789012:role/x"})  # global: no region
    assert cost.plan_region(PlanInventory.from_json(b.build())) == (EU, "ARNs in the plan")
    # The root variable wins over the provider's literal, and --region over both.
    plan = provider_plan("us-east-1")
    plan["variables"] = {"region": {"value": EU}}
    assert cost.plan_region(PlanInventory.from_json(plan)) == (EU, "plan variable region")
    assert cost.plan_region(PlanInventory.from_json(plan), "us-east-1") == ("us-east-1", "--region")


def test_arns_of_two_regions_are_refused_not_guessed():
    b = PlanBuilder().add("aws_sqs_queue.q", {"arn": "arn:aws:sqs:eu-west-1:123456789012:jobs"})
    b.add("aws_sqs_queue.r", {"arn": "arn:aws:sqs:us-east-1:123456789012:jobs"})
    with pytest.raises(cost.PriceRegionError) as caught:
        estimate(b)
    assert str(caught.value) == (
        "cannot tell the plan's region: its ARNs name eu-west-1, us-east-1; pass --region REGION"
    )


def test_a_plan_naming_no_region_says_which_table_priced_it():
    est = estimate(PlanBuilder().add("aws_nat_gateway.a", {}))
    assert (est.meta["region"], est.meta["region_source"]) == ("us-east-1", cost.NO_REGION)


NO_TABLE = (
    "error: no price table for region eu-central-1 (plan variable region); scripts/checks/prices.toml has "
    "eu-west-1, us-east-1: add the region's table with its sources rather than pricing it at another "
    "region's list prices\n"
)


@pytest.mark.parametrize(
    ("plan_region", "argv", "message"),
    [
        ("eu-central-1", [], NO_TABLE),
        (EU, ["--region", "mars-1"], "error: region 'mars-1' (--region) is not an AWS region name such as eu-west-1\n"),
    ],
    ids=["no-table", "not-a-region"],
)
def test_check_plan_refuses_a_region_without_prices_in_one_line(tmp_path, capsys, plan_region, argv, message):
    b = platform_plan()
    b.variables["region"] = plan_region
    path = b.write(tmp_path / "plan.json")
    code = main(["check-plan", str(path), *argv])
    out, err = capsys.readouterr()
    assert (code, out, err) == (2, "", message)


def test_check_plan_region_overrides_the_plan(tmp_path, capsys):
    path = eu_plan().write(tmp_path / "plan.json")
    assert main(["check-plan", str(path), "--format", "json", "--region", "us-east-1"]) == 0
    data = json.loads(capsys.readouterr().out)["cost"]
    assert (data["region"], data["region_source"]) == ("us-east-1", "--region")
    alb = next(ln for ln in data["lines"] if ln["resource_type"] == "aws_lb")
    assert alb["monthly"] == round(0.0225 * HOURS, 2)


# --- before and after the change ---------------------------------------------------------------


DB = {"identifier": "pg", "engine": "postgres", "allocated_storage": 20, "storage_type": "gp3", "multi_az": False}


def resource(est, address):
    return next(r for ln in est.lines for r in ln.resources if r.address == address)


def test_first_deploy_costs_nothing_before():
    est = estimate(eu_plan())
    assert est.total_before == 0 and est.total_delta == est.total > 0
    assert all(r.action == "create" and r.before == 0 for ln in est.lines for r in ln.resources)
    assert resource(est, "module.alb.aws_lb.this").delta == pytest.approx(0.0252 * HOURS)


@pytest.mark.parametrize("actions", [["update"], ["delete", "create"]])
def test_instance_class_change_shows_both_sides(actions):
    b = PlanBuilder(variables={"region": EU})
    b.add(
        "aws_db_instance.db",
        {**DB, "instance_class": "db.t4g.micro"},
        actions=actions,
        before={**DB, "instance_class": "db.t4g.small"},
    )
    est = estimate(b)
    rds = table(EU)["rds"]
    storage = 20 * rds["gp3_gb_month"]
    res = resource(est, "aws_db_instance.db")
    assert res.action == ("update" if actions == ["update"] else "replace")
    assert res.before == pytest.approx(rds["instance_hour"]["db.t4g.small"] * HOURS + storage)
    assert res.after == pytest.approx(rds["instance_hour"]["db.t4g.micro"] * HOURS + storage)
    assert res.delta == pytest.approx(-11.68)  # (0.016 - 0.032) x 730
    assert line(est, "aws_db_instance").before == pytest.approx(res.before)
    assert est.total_delta == pytest.approx(-11.68)


def test_a_deleted_resource_shows_what_it_saves():
    b = PlanBuilder(variables={"region": EU}).add("aws_nat_gateway.old", {}, actions=["delete"])
    est = estimate(b)
    ln = line(est, "aws_nat_gateway")
    assert (ln.count, ln.monthly) == (0, 0)
    assert ln.before == pytest.approx(0.048 * HOURS)
    res = resource(est, "aws_nat_gateway.old")
    assert (res.action, res.after) == ("delete", 0)
    assert res.delta == pytest.approx(-0.048 * HOURS)
    assert est.changed() == [res]


def test_unchanged_resources_cost_the_same_before_and_after():
    b = PlanBuilder(variables={"region": EU}).add("aws_nat_gateway.a", {}, actions=["no-op"])
    est = estimate(b)
    assert est.total_before == est.total == pytest.approx(0.048 * HOURS)
    assert est.changed() == []


# --- free allowances, per account ----------------------------------------------------------------


def alarms(b: PlanBuilder, n: int, actions=("create",), start: int = 0) -> PlanBuilder:
    for i in range(start, start + n):
        b.add(f"aws_cloudwatch_metric_alarm.a{i:02}", {"alarm_name": f"a{i}"}, actions=actions)
    return b


def test_first_ten_alarm_metrics_and_three_dashboards_are_free_per_account():
    b = alarms(PlanBuilder(variables={"region": EU}), 12)
    for i in range(4):
        b.add(f"aws_cloudwatch_dashboard.d{i}", {"dashboard_name": f"d{i}"})
    est = estimate(b)
    alarm = line(est, "aws_cloudwatch_metric_alarm")
    assert alarm.monthly == pytest.approx(2 * table(EU)["cloudwatch"]["metric_alarm_month"])
    assert alarm.notes == ["first 10 alarm metrics free per account"]
    dash = line(est, "aws_cloudwatch_dashboard")
    assert dash.monthly == pytest.approx(table(EU)["cloudwatch"]["dashboard_month"])
    assert dash.notes == ["first 3 dashboards free per account"]
    assert est.meta["free_tier_applied"] is True


def test_the_price_table_switch_turns_the_allowance_off(no_free_tier):
    est = estimate(alarms(PlanBuilder(variables={"region": EU}), 12))
    assert line(est, "aws_cloudwatch_metric_alarm").monthly == pytest.approx(12 * 0.10)
    assert line(est, "aws_cloudwatch_metric_alarm").notes == []
    assert est.meta["free_tier_applied"] is False


def test_existing_alarms_keep_the_allowance_and_a_new_one_shows_what_it_adds():
    b = alarms(PlanBuilder(variables={"region": EU}), 10, actions=["no-op"], start=1)
    b.add("aws_cloudwatch_metric_alarm.a00", {"alarm_name": "new"})  # sorts first, exists last
    est = estimate(b)
    assert [r.address for r in est.changed()] == ["aws_cloudwatch_metric_alarm.a00"]
    assert est.total_delta == pytest.approx(0.10)


def test_metrics_insights_alarms_are_outside_the_allowance():
    b = PlanBuilder(variables={"region": EU})
    b.add(
        "aws_cloudwatch_metric_alarm.q",
        {"metric_query": [{"id": "q", "expression": 'SELECT AVG(CPUUtilization) FROM SCHEMA("AWS/EC2")'}]},
    )
    assert line(estimate(b), "aws_cloudwatch_metric_alarm").monthly == pytest.approx(0.10)


def test_json_carries_region_before_after_and_delta():
    b = eu_plan()
    b.add("aws_nat_gateway.old", {}, actions=["delete"])
    data = estimate(b).as_dict()
    assert (data["region"], data["region_source"]) == (EU, "plan variable region")
    assert data["stand_in_prices"] == table(EU)["meta"]["stand_ins"]
    assert data["total_monthly_before"] == round(0.048 * HOURS, 2)
    assert data["total_monthly_delta"] == round(data["total_monthly"] - data["total_monthly_before"], 2)
    nat = next(ln for ln in data["lines"] if ln["resource_type"] == "aws_nat_gateway")
    assert nat["resources"] == [
        {"address": "aws_nat_gateway.old", "action": "delete", "before": 35.04, "after": 0.0, "delta": -35.04}
    ]
