"""The report (runner + renderers), the configuration's own conditions, and plan reading helpers."""

from __future__ import annotations

import json
import re

import pytest

from scripts.checks import CheckOptions, Finding, run_checks
from scripts.checks.conditions import check as conditions_check
from scripts.checks.planview import UNKNOWN, module_input
from scripts.checks.report import render
from scripts.terraform.inventory import PlanInventory
from tests.support.planbuilder import PlanBuilder, platform_plan, split_address


def report_of(b: PlanBuilder, **options):
    return run_checks(PlanInventory.from_json(b.build()), CheckOptions.build(**options), source="plan.json")


@pytest.fixture(scope="module")
def unsafe():
    b = platform_plan(max_capacity=20)
    b.add("aws_sqs_queue.jobs", {"name": "jobs"}, actions=["delete"])
    return report_of(b, env_budget_usd=10)


def test_safe_platform_plan_has_no_errors():
    report = report_of(platform_plan(), env_budget_usd=1000)
    assert report.safe and report.exit_code == 0
    assert report.changes["create"] > 0


def test_unsafe_report_collects_every_family(unsafe):
    assert unsafe.exit_code == 1
    assert {f.check_id for f in unsafe.errors} == {"budget.exceeded", "cost.over-budget", "destructive.stateful"}
    assert unsafe.changes["delete"] == 1


def test_json_report_shape(unsafe):
    data = json.loads(render(unsafe, "json"))
    assert data["safe"] is False
    assert data["summary"]["errors"] == 3
    assert {"check_id", "severity", "address", "message", "fix"} <= set(data["findings"][0])
    budget = data["connection_budget"][0]
    assert budget["cap"] == 303 and budget["total"] == 400
    assert [s["connections"] for s in budget["services"]] == [200, 200]
    assert data["cost"]["estimate"] is True and data["cost"]["budget"] == 10


def test_table_report_shows_budget_cost_findings_and_verdict(unsafe):
    text = render(unsafe, "table", width=200)
    for fragment in (
        "Connection budget: module.database.aws_db_instance.this",
        "400 / 303",
        "-32.0 %",
        "Monthly cost estimate (USD)",
        "Estimate only",
        "as of",
        "destructive.stateful",
        "UNSAFE: 3 errors",
    ):
        assert fragment in text, fragment
    assert "\x1b[" not in text  # plain text unless colour is asked for


def test_markdown_report_for_pull_requests(unsafe):
    text = render(unsafe, "markdown")
    assert text.startswith("## Plan checks: ❌ unsafe")
    assert "| service | max tasks | pool | connections |" in text
    assert "| `module.svc0.aws_ecs_service.this` | 20 | 10 | 200 |" in text
    assert "**400 / 303**" in text
    assert "_Estimate only" in text
    assert "| ❌ error | `budget.exceeded` |" in text


def test_markdown_escapes_pipes():
    b = platform_plan()
    b.add('module.x["a|b"].aws_s3_bucket.this', {"bucket": "b"}, actions=["delete"])
    text = render(report_of(b), "markdown")
    assert 'module.x["a\\|b"]' in text


def test_unknown_format_is_rejected(unsafe):
    with pytest.raises(ValueError, match="unknown format"):
        render(unsafe, "yaml")


def test_finding_needs_a_fix_and_a_known_severity():
    with pytest.raises(ValueError):
        Finding("x", "error", "a", "m", " ")
    with pytest.raises(ValueError):
        Finding("x", "fatal", "a", "m", "f")


# --- the configuration's own conditions ---------------------------------------------------------


def test_failed_check_block_is_reported_as_terraform_does_as_a_warning():
    b = PlanBuilder().check_result("check.connection_budget", "fail", ["api 10 x 20 = 200 > cap 150"])
    [finding] = conditions_check(PlanInventory.from_json(b.build()), CheckOptions())
    assert (finding.check_id, finding.address, finding.severity) == (
        "terraform.check",
        "check.connection_budget",
        "warning",
    )
    assert "200 > cap 150" in finding.message


def test_failed_precondition_is_an_error():
    b = PlanBuilder().check_result("terraform_data.budget", "fail", ["budget exceeded"], kind="resource")
    [finding] = conditions_check(PlanInventory.from_json(b.build()), CheckOptions())
    assert (finding.check_id, finding.severity) == ("terraform.resource", "error")


@pytest.mark.parametrize("status", ["pass", "unknown"])
def test_passing_or_pending_check_block_is_fine(status):
    b = PlanBuilder().check_result("check.connection_budget", status)
    assert conditions_check(PlanInventory.from_json(b.build()), CheckOptions()) == []


# --- plan reading helpers -----------------------------------------------------------------------


def test_split_address():
    assert split_address('module.a["x.y"].module.b[0].data.aws_iam_policy_document.p[2]') == (
        'module.a["x.y"].module.b[0]',
        "data",
        "aws_iam_policy_document",
        "p",
    )


def test_module_input_through_nested_modules_and_for_each():
    b = PlanBuilder(variables={"services": {"api": {"pool": 12}}, "root_pool": 9})
    b.module_call("platform", {"pools": {"references": ["var.services"]}, "p": {"references": ["var.root_pool"]}})
    b.module_call(
        "platform.svc",
        {"db_pool_size": {"references": ["each.value.pool", "each.value"]}, "name": {"references": ["each.key"]}},
        for_each={"references": ["var.pools"]},
    )
    b.module_call("platform.direct", {"db_pool_size": {"references": ["var.p"]}})
    b.module_call("platform.computed", {"db_pool_size": {"references": ["module.other.x", "module.other"]}})
    inv = PlanInventory.from_json(b.build())
    assert module_input(inv, 'module.platform.module.svc["api"]', "db_pool_size") == 12
    assert module_input(inv, 'module.platform.module.svc["api"]', "name") == "api"
    assert module_input(inv, "module.platform.module.direct", "db_pool_size") == 9
    assert module_input(inv, "module.platform.module.computed", "db_pool_size") is UNKNOWN
    assert module_input(inv, "module.platform.module.direct", "absent") is None
    assert module_input(inv, None, "db_pool_size") is None


# --- the cost estimate before and after the change -------------------------------------------------


@pytest.fixture(scope="module")
def resized():
    """An eu-west-1 plan whose database shrinks from db.t4g.small to db.t4g.micro and a NAT gateway goes."""
    b = platform_plan()
    b.variables["region"] = "eu-west-1"
    db = {"identifier": "platform", "allocated_storage": 20, "storage_type": "gp3"}
    b.add(
        "module.database.aws_db_instance.this",
        {**db, "instance_class": "db.t4g.micro"},
        actions=["update"],
        before={**db, "instance_class": "db.t4g.small"},
    )
    b.add("aws_nat_gateway.old", {}, actions=["delete"])
    return report_of(b)


def test_json_report_carries_cost_before_after_and_delta(resized):
    cost = json.loads(render(resized, "json"))["cost"]
    assert (cost["region"], cost["free_allowances_applied"]) == ("eu-west-1", True)
    # 0.032 x 730 + 20 x 0.115 = 25.66 before; 0.016 x 730 + 2.30 = 13.98 after; NAT 0.048 x 730.
    assert cost["total_monthly_before"] == round(25.66 + 35.04, 2)
    assert cost["total_monthly_delta"] == round(cost["total_monthly"] - cost["total_monthly_before"], 2)
    rds = next(ln for ln in cost["lines"] if ln["resource_type"] == "aws_db_instance")
    assert (rds["monthly_before"], rds["monthly"], rds["monthly_delta"]) == (25.66, 13.98, -11.68)
    assert rds["resources"] == [
        {
            "address": "module.database.aws_db_instance.this",
            "action": "update",
            "before": 25.66,
            "after": 13.98,
            "delta": -11.68,
        }
    ]


def test_markdown_report_shows_the_change_per_resource(resized):
    text = render(resized, "markdown")
    assert "| resource type | count | before / month | after / month | change | at max scale | notes |" in text
    assert "| `aws_db_instance` | 1 | 25.66 | 13.98 | -11.68 | 13.98 | db.t4g.micro, 20 GB gp3 |" in text
    assert "#### Cost change by resource (per month)" in text
    assert "| `module.database.aws_db_instance.this` | update | 25.66 | 13.98 | **-11.68** |" in text
    assert "| `aws_nat_gateway.old` | delete | 35.04 | 0.00 | **-35.04** |" in text
    assert "| `module.alb.aws_lb.this` | create | 0.00 | 18.40 | **+18.40** |" in text
    assert "Region eu-west-1 (plan variable region)." in text


def test_table_report_shows_the_change_column_and_the_change_table(resized):
    text = render(resized, "table", width=200)
    assert re.search(r"│ RDS instance +│ +1 │ +13\.98 │ +-11\.68 │", text), text
    row = r"│ module\.database\.aws_db_instance\.this +│ update +│ +25\.66 │ +13\.98 │ +-11\.68 │"
    assert re.search(row, text), text
    assert "first 10 alarm metrics free per account" in text
