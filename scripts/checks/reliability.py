"""Reliability checks: deployments roll back by themselves, prod data survives mistakes, pages page.

- Every ECS service has the deployment circuit breaker with rollback.
- In a prod-like plan (``--prod-like``, or the root's output ``intents`` states
  ``production_like = true``: terraform/locals.tf maps the environment once): databases have
  what the production-like column of terraform/intents.json demands, which the root's inputs are held
  to as well: deletion protection and a final snapshot (``require_deletion_protection``, databases
  and load balancers), Multi-AZ (``require_multi_az``) and backups kept at least
  ``minimum_backup_retention_days`` (the number the root tells modules/rds-postgres).
- Every paging alarm reaches someone: it has an enabled action, or a composite alarm that reaches
  someone includes it (``ALARM("name")`` in its rule: the composite pages once for many). An alarm
  pages when it is a composite alarm, or is tagged ``Severity`` (or ``severity``/``Paging``) =
  ``page``/``paging``/``critical``/``true``; in a prod-like plan every alarm pages unless tagged
  ``Severity`` = ``warning``/``info``/``ticket``.
"""

from __future__ import annotations

import re
from typing import Any

from scripts.checks.findings import CheckOptions, Finding, error, is_prod_like
from scripts.checks.planview import as_int, attr, block, is_unknown, live
from scripts.checks.tables import production_intents
from scripts.terraform.inventory import PlanInventory, Resource

PAGING_VALUES = frozenset({"page", "paging", "critical", "true", "p1", "sev1"})
NON_PAGING_VALUES = frozenset({"warning", "info", "ticket", "false", "low"})
SEVERITY_TAGS = ("Severity", "severity", "Paging", "paging")


def circuit_breakers(inv: PlanInventory) -> list[Finding]:
    findings = []
    for service in live(inv, "aws_ecs_service"):
        controller = block(service, "deployment_controller") or {}
        if controller.get("type") not in (None, "ECS"):
            continue  # CODE_DEPLOY / EXTERNAL deployments roll back elsewhere
        cb = block(service, "deployment_circuit_breaker") or {}
        if cb.get("enable") is not True or cb.get("rollback") is not True:
            state = "missing" if not cb else f"enable={cb.get('enable')}, rollback={cb.get('rollback')}"
            findings.append(
                error(
                    "reliability.circuit-breaker",
                    service.address,
                    f"deployment circuit breaker with rollback is not on ({state}): a bad image keeps "
                    "replacing healthy tasks until someone intervenes",
                    "set deployment_circuit_breaker { enable = true, rollback = true } (modules/ecs-service's default)",
                )
            )
    return findings


def _db_findings(db: Resource, demands: dict[str, Any]) -> list[Finding]:
    findings = []
    protect = demands["require_deletion_protection"] is True
    if protect and attr(db, "deletion_protection") is not True and not is_unknown(attr(db, "deletion_protection")):
        findings.append(
            error(
                "reliability.deletion-protection",
                db.address,
                "deletion protection is off in a prod-like environment",
                "set deletion_protection = true (turn it off only in a reviewed change that retires it)",
            )
        )
    if (
        demands["require_multi_az"] is True
        and attr(db, "multi_az") is not True
        and not is_unknown(attr(db, "multi_az"))
    ):
        findings.append(
            error(
                "reliability.multi-az",
                db.address,
                "the database is single-AZ in a prod-like environment: an AZ outage or a host failure is downtime",
                "set multi_az = true",
            )
        )
    days = as_int(attr(db, "backup_retention_period"))
    minimum = int(demands["minimum_backup_retention_days"])
    if not is_unknown(attr(db, "backup_retention_period")) and (days is None or days < minimum):
        findings.append(
            error(
                "reliability.backup-retention",
                db.address,
                f"automated backups are kept {days or 0} days, fewer than {minimum}",
                f"set backup_retention_period to {minimum} or more (35 at most)",
            )
        )
    skip = attr(db, "skip_final_snapshot")
    snapshot_id = attr(db, "final_snapshot_identifier")
    # The final snapshot is what deletion protection leaves when a reviewed change retires the database.
    if protect and (skip is True or (skip is False and snapshot_id is None)):
        findings.append(
            error(
                "reliability.final-snapshot",
                db.address,
                "deleting the database would leave no final snapshot",
                "set skip_final_snapshot = false and a final_snapshot_identifier",
            )
        )
    return findings


def prod_safety(inv: PlanInventory) -> list[Finding]:
    """What terraform/intents.json demands of a production-like environment, on every database and
    load balancer of the plan (the root refuses the same inputs before its plan exists)."""
    demands = production_intents()
    findings = []
    for db in live(inv, "aws_db_instance"):
        findings += _db_findings(db, demands)
    protected_lbs = live(inv, "aws_lb") + live(inv, "aws_alb") if demands["require_deletion_protection"] is True else []
    for lb in protected_lbs:
        if attr(lb, "enable_deletion_protection") is not True and not is_unknown(
            attr(lb, "enable_deletion_protection")
        ):
            findings.append(
                error(
                    "reliability.deletion-protection",
                    lb.address,
                    "load balancer deletion protection is off in a prod-like environment",
                    "set enable_deletion_protection = true",
                )
            )
    return findings


def _pages(alarm: Resource, prod_like: bool) -> bool:
    if alarm.type == "aws_cloudwatch_composite_alarm":
        return True
    tags = {**(alarm.values.get("tags_all") or {}), **(alarm.values.get("tags") or {})}
    for key in SEVERITY_TAGS:
        value = str(tags.get(key, "")).lower()
        if value in PAGING_VALUES:
            return True
        if value in NON_PAGING_VALUES:
            return False
    return prod_like


_ALARM_REF = re.compile(r'ALARM\(\s*"?([^")]+?)"?\s*\)')


def _own_action(alarm: Resource) -> bool:
    actions = attr(alarm, "alarm_actions")
    has_action = is_unknown(actions) or (isinstance(actions, list) and len(actions) > 0)
    return has_action and attr(alarm, "actions_enabled") is not False


def _referenced(composite: Resource) -> set[str]:
    rule = attr(composite, "alarm_rule")
    if not isinstance(rule, str):
        return set()
    return {name.rsplit("alarm:", 1)[-1].strip() for name in _ALARM_REF.findall(rule)}


def _notifying(alarms: list[Resource]) -> set[str]:
    """Names of alarms that reach someone: an action of their own, or through a composite alarm
    that reaches someone and whose rule is ALARM() of them (one page instead of five)."""
    names = {a.address: attr(a, "alarm_name") for a in alarms}
    covered = {names[a.address] for a in alarms if _own_action(a) and isinstance(names[a.address], str)}
    composites = [a for a in alarms if a.type == "aws_cloudwatch_composite_alarm"]
    changed = True
    while changed:
        changed = False
        for comp in composites:
            if names[comp.address] in covered:
                new = _referenced(comp) - covered
                if new:
                    covered |= new
                    changed = True
    return covered


def alarm_actions(inv: PlanInventory, prod_like: bool) -> list[Finding]:
    findings = []
    alarms = live(inv, "aws_cloudwatch_metric_alarm") + live(inv, "aws_cloudwatch_composite_alarm")
    covered = _notifying(alarms)
    for alarm in alarms:
        if not _pages(alarm, prod_like):
            continue
        name = attr(alarm, "alarm_name")
        if _own_action(alarm) or name in covered or is_unknown(name):
            continue
        why = "actions are disabled" if attr(alarm, "actions_enabled") is False else "it has no alarm action"
        findings.append(
            error(
                "reliability.alarm-action",
                alarm.address,
                f"paging alarm {name!r} notifies nobody: {why}, and no composite alarm with an action includes it",
                "send alarm_actions (and ok_actions) to the alarm SNS topic with actions_enabled = true, "
                "or include the alarm in a composite alarm that does",
            )
        )
    return findings


def check(inv: PlanInventory, options: CheckOptions) -> list[Finding]:
    prod_like = is_prod_like(options, inv.outputs)
    findings = circuit_breakers(inv) + alarm_actions(inv, prod_like)
    if prod_like:
        findings += prod_safety(inv)
    return findings
