"""Reliability checks: circuit breaker, prod-like data safety, paging alarms with actions."""

from __future__ import annotations

import pytest

from scripts.checks import reliability, run_checks
from scripts.checks.findings import CheckOptions
from scripts.terraform.inventory import PlanInventory
from tests.support.planbuilder import PlanBuilder
from tests.support.tables import use_edited_table

PROD = CheckOptions.build(prod_like=True)
DEV = CheckOptions.build(prod_like=False)
SAFE_DB = {
    "deletion_protection": True,
    "multi_az": True,
    "backup_retention_period": 7,
    "skip_final_snapshot": False,
    "final_snapshot_identifier": "platform-final",
}


def run(b: PlanBuilder, options: CheckOptions = DEV):
    return reliability.check(PlanInventory.from_json(b.build()), options)


def ids(findings):
    return sorted(f.check_id for f in findings)


# --- circuit breaker ---------------------------------------------------------------------------


def test_service_with_circuit_breaker_and_rollback_passes():
    b = PlanBuilder().add(
        "module.api.aws_ecs_service.this", {"deployment_circuit_breaker": [{"enable": True, "rollback": True}]}
    )
    assert run(b) == []


@pytest.mark.parametrize(
    "breaker",
    [[], [{"enable": True, "rollback": False}], [{"enable": False, "rollback": True}]],
    ids=["missing", "no-rollback", "disabled"],
)
def test_service_without_rollback_fails(breaker):
    b = PlanBuilder().add("module.api.aws_ecs_service.this", {"deployment_circuit_breaker": breaker})
    [finding] = run(b)
    assert (finding.check_id, finding.address) == ("reliability.circuit-breaker", "module.api.aws_ecs_service.this")
    assert "rollback = true" in finding.fix


def test_code_deploy_services_are_left_to_their_controller():
    b = PlanBuilder().add("aws_ecs_service.bg", {"deployment_controller": [{"type": "CODE_DEPLOY"}]})
    assert run(b) == []


# --- prod-like data safety ---------------------------------------------------------------------


def test_prod_database_with_every_safeguard_passes():
    assert run(PlanBuilder().add("module.db.aws_db_instance.this", SAFE_DB), PROD) == []


def test_final_snapshot_identifier_known_after_apply_counts_as_set():
    values = {k: v for k, v in SAFE_DB.items() if k != "final_snapshot_identifier"}
    b = PlanBuilder().add("module.db.aws_db_instance.this", values, unknown=["final_snapshot_identifier"])
    assert run(b, PROD) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"deletion_protection": False}, "reliability.deletion-protection"),
        ({"multi_az": False}, "reliability.multi-az"),
        ({"backup_retention_period": 3}, "reliability.backup-retention"),
        ({"backup_retention_period": 0}, "reliability.backup-retention"),
        ({"skip_final_snapshot": True}, "reliability.final-snapshot"),
        ({"final_snapshot_identifier": None}, "reliability.final-snapshot"),
    ],
    ids=["deletion-protection", "single-az", "short-backups", "no-backups", "skip-final", "no-final-id"],
)
def test_prod_database_missing_a_safeguard_fails(change, expected):
    b = PlanBuilder().add("module.db.aws_db_instance.this", {**SAFE_DB, **change})
    findings = run(b, PROD)
    assert ids(findings) == [expected]
    assert findings[0].address == "module.db.aws_db_instance.this"


def test_the_backup_minimum_is_the_production_column_of_the_roots_intents(tmp_path, monkeypatch):
    # terraform/intents.json tells modules/rds-postgres its minimum in prod; the check reads the same
    # cell, so editing the table moves both (shown on a copy that demands 14 days).
    table = use_edited_table(
        "INTENTS_FILE", lambda t: t["production_like"].update(minimum_backup_retention_days=14), tmp_path, monkeypatch
    )
    assert table["production_like"]["minimum_backup_retention_days"] == SAFE_DB["backup_retention_period"]
    [finding] = run(PlanBuilder().add("module.db.aws_db_instance.this", SAFE_DB), PROD)
    assert finding.check_id == "reliability.backup-retention"
    assert finding.message == "automated backups are kept 7 days, fewer than 14"
    assert finding.fix == "set backup_retention_period to 14 or more (35 at most)"
    fortnight = {**SAFE_DB, "backup_retention_period": 14}
    assert run(PlanBuilder().add("module.db.aws_db_instance.this", fortnight), PROD) == []


@pytest.mark.parametrize(
    ("demand", "change", "expected"),
    [
        ("require_multi_az", {"multi_az": False}, "reliability.multi-az"),
        ("require_deletion_protection", {"deletion_protection": False}, "reliability.deletion-protection"),
        ("require_deletion_protection", {"skip_final_snapshot": True}, "reliability.final-snapshot"),
    ],
    ids=["multi-az", "deletion-protection", "final-snapshot"],
)
def test_each_database_rail_is_a_demand_of_the_production_column(demand, change, expected, tmp_path, monkeypatch):
    # The root's validations read the same cells (local.intents.<demand>): lifting one in the table
    # lifts the check with it, on a copy.
    unsafe = PlanBuilder().add("module.db.aws_db_instance.this", {**SAFE_DB, **change})
    assert ids(run(unsafe, PROD)) == [expected]
    table = use_edited_table(
        "INTENTS_FILE", lambda t: t["production_like"].update({demand: False}), tmp_path, monkeypatch
    )
    assert table["production_like"][demand] is True
    assert run(unsafe, PROD) == []


def test_dev_database_may_skip_prod_safeguards():
    unsafe = {
        "deletion_protection": False,
        "multi_az": False,
        "backup_retention_period": 1,
        "skip_final_snapshot": True,
    }
    assert run(PlanBuilder().add("aws_db_instance.db", unsafe), DEV) == []


def stating_intents(b, production_like):
    """The plan as terraform/ makes it: the output intents of terraform/locals.tf."""
    plan = b.build()
    plan["planned_values"]["outputs"]["intents"] = {"sensitive": False, "value": {"production_like": production_like}}
    return plan


def test_prod_like_is_what_the_root_intents_output_states_when_not_given():
    unsafe = {**SAFE_DB, "multi_az": False}
    prod = stating_intents(PlanBuilder(variables={"environment": "prod"}).add("aws_db_instance.db", unsafe), True)
    dev = stating_intents(PlanBuilder(variables={"environment": "dev"}).add("aws_db_instance.db", unsafe), False)
    assert ids(reliability.check(PlanInventory.from_json(prod), CheckOptions())) == ["reliability.multi-az"]
    assert reliability.check(PlanInventory.from_json(dev), CheckOptions()) == []
    # The report's summary says the same.
    assert run_checks(PlanInventory.from_json(prod), CheckOptions()).prod_like is True
    assert run_checks(PlanInventory.from_json(dev), CheckOptions()).prod_like is False


def test_an_environment_name_alone_does_not_make_a_plan_prod_like():
    # No list of environment names here: a plan without the root's intents (a module or an example
    # planned alone) is prod-like only when the caller says so (--prod-like).
    unsafe = {**SAFE_DB, "multi_az": False}
    named = PlanBuilder(variables={"environment": "prod"}).add("aws_db_instance.db", unsafe)
    assert run(named, CheckOptions()) == []
    assert ids(run(named, PROD)) == ["reliability.multi-az"]


def test_prod_load_balancer_needs_deletion_protection():
    off = PlanBuilder().add("module.alb.aws_lb.this", {"enable_deletion_protection": False})
    on = PlanBuilder().add("module.alb.aws_lb.this", {"enable_deletion_protection": True})
    assert ids(run(off, PROD)) == ["reliability.deletion-protection"]
    assert run(on, PROD) == []


# --- paging alarms -----------------------------------------------------------------------------


def alarm(address="module.alarms.aws_cloudwatch_metric_alarm.db", unknown=(), **values):
    return PlanBuilder().add(
        address, {"alarm_name": "db-connections", "actions_enabled": True, **values}, unknown=list(unknown)
    )


@pytest.mark.parametrize(
    ("values", "unknown"),
    [
        ({"alarm_actions": ["arn:aws:sns:eu-west-1:1:alarms"], "tags": {"Severity": "critical"}}, ()),
        ({"tags": {"Severity": "critical"}}, ("alarm_actions",)),  # the topic ARN is known after apply
    ],
    ids=["known-topic", "topic-after-apply"],
)
def test_paging_alarm_with_an_action_passes(values, unknown):
    assert run(alarm(unknown=unknown, **values)) == []


@pytest.mark.parametrize(
    "values",
    [
        {"alarm_actions": [], "tags": {"Severity": "critical"}},
        {"alarm_actions": ["arn:aws:sns:eu-west-1:1:alarms"], "actions_enabled": False, "tags": {"Severity": "page"}},
    ],
    ids=["no-action", "actions-disabled"],
)
def test_paging_alarm_without_an_action_fails(values):
    [finding] = run(alarm(**values))
    assert finding.check_id == "reliability.alarm-action"
    assert "'db-connections'" in finding.message


def test_composite_alarm_always_pages():
    b = alarm("aws_cloudwatch_composite_alarm.degraded", alarm_actions=[])
    assert ids(run(b)) == ["reliability.alarm-action"]


def test_untagged_alarm_pages_only_in_prod():
    b = alarm(alarm_actions=[])
    assert run(b, DEV) == []
    assert ids(run(b, PROD)) == ["reliability.alarm-action"]
    ticket = alarm(alarm_actions=[], tags={"Severity": "ticket"})
    assert run(ticket, PROD) == []


def test_critical_alarms_may_page_through_a_composite_alarm():
    # modules/cloudwatch-alarms: critical alarms feed "service degraded", which pages once.
    b = PlanBuilder()
    b.add(
        'module.alarms.aws_cloudwatch_metric_alarm.this["db"]',
        {"alarm_name": "p-db", "alarm_actions": [], "tags": {"Severity": "critical"}},
    )
    b.add(
        'module.alarms.aws_cloudwatch_metric_alarm.this["5m"]',
        {"alarm_name": "p-5m", "alarm_actions": [], "tags": {"Severity": "critical"}},
    )
    b.add(
        "module.alarms.aws_cloudwatch_composite_alarm.burn",
        {
            "alarm_name": "p-burn",
            "alarm_actions": [],
            "alarm_rule": 'ALARM("p-5m") AND ALARM("p-1h")',
            "tags": {"Severity": "critical"},
        },
    )
    b.add(
        "module.alarms.aws_cloudwatch_composite_alarm.degraded",
        {
            "alarm_name": "p-degraded",
            "alarm_rule": 'ALARM("p-db") OR ALARM(arn:aws:cloudwatch:eu-west-1:1:alarm:p-burn)',
            "tags": {"Severity": "critical"},
        },
        unknown=["alarm_actions"],
    )
    assert run(b, PROD) == []


def test_composite_without_action_does_not_cover_its_alarms():
    b = PlanBuilder()
    b.add(
        "aws_cloudwatch_metric_alarm.db", {"alarm_name": "p-db", "alarm_actions": [], "tags": {"Severity": "critical"}}
    )
    b.add(
        "aws_cloudwatch_composite_alarm.degraded",
        {"alarm_name": "p-degraded", "alarm_actions": [], "alarm_rule": 'ALARM("p-db")'},
    )
    assert sorted(f.address for f in run(b)) == [
        "aws_cloudwatch_composite_alarm.degraded",
        "aws_cloudwatch_metric_alarm.db",
    ]
