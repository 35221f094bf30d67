"""Run every check family on a plan inventory and collect one report.

The registry is the list ``FAMILIES``: each entry is a ``CheckFamily(name, run)``
(``scripts.checks.family``) whose ``run(inventory, options)`` returns its findings and the report
sections it adds (budget and cost tables). Exit code: 1 when any finding is an error, else 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from scripts.checks import budget, checkov_plan, conditions, cost, destructive, reliability, security
from scripts.checks.budget import DatabaseBudget
from scripts.checks.cost import CostEstimate
from scripts.checks.family import CheckFamily, Outcome, findings_only
from scripts.checks.findings import ERROR, WARNING, CheckOptions, Finding, is_prod_like, sort_findings
from scripts.terraform.inventory import PlanInventory

# The report sections two families add besides their findings.
BUDGET_SECTION = "connection_budget"
COST_SECTION = "cost"


def _budget(inv: PlanInventory, options: CheckOptions) -> Outcome:
    budgets, findings = budget.check(inv, options)
    return Outcome(findings, {BUDGET_SECTION: budgets})


def _cost(inv: PlanInventory, options: CheckOptions) -> Outcome:
    estimate, findings = cost.check(inv, options)
    return Outcome(findings, {COST_SECTION: estimate})


FAMILIES: tuple[CheckFamily, ...] = (
    CheckFamily("budget", _budget),
    findings_only("security", security.check),
    findings_only("reliability", reliability.check),
    findings_only("destructive", destructive.check),
    findings_only("conditions", conditions.check),
    CheckFamily("cost", _cost),
    CheckFamily("checkov", checkov_plan.run),
)


@dataclass
class Report:
    findings: list[Finding]
    budgets: list[DatabaseBudget]
    cost: CostEstimate
    prod_like: bool
    source: str = ""
    changes: dict[str, int] = field(default_factory=dict)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == WARNING]

    @property
    def safe(self) -> bool:
        return not self.errors

    @property
    def exit_code(self) -> int:
        return 0 if self.safe else 1

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "safe": self.safe,
            "summary": {
                "errors": len(self.errors),
                "warnings": len(self.warnings),
                "prod_like": self.prod_like,
                "changes": self.changes,
            },
            "findings": [f.as_dict() for f in self.findings],
            "connection_budget": [b.as_dict() for b in self.budgets],
            "cost": self.cost.as_dict(),
        }


def change_summary(inv: PlanInventory) -> dict[str, int]:
    counts = {"create": 0, "update": 0, "replace": 0, "delete": 0}
    for actions in inv.changed().values():
        if "delete" in actions and "create" in actions:
            counts["replace"] += 1
        elif "delete" in actions:
            counts["delete"] += 1
        elif "create" in actions:
            counts["create"] += 1
        elif "update" in actions:
            counts["update"] += 1
    return counts


def run_checks(
    inv: PlanInventory,
    options: CheckOptions | None = None,
    source: str = "",
    families: Sequence[CheckFamily] = FAMILIES,
) -> Report:
    """Every family's findings and sections in one report. ``families``: a subset (tests), which
    must include the cost family: every report shows an estimate."""
    opts = options or CheckOptions()
    findings: list[Finding] = []
    details: dict[str, Any] = {}
    for family in families:
        outcome = family.run(inv, opts)
        findings += outcome.findings
        details.update(outcome.details)
    return Report(
        findings=sort_findings(findings),
        budgets=details.get(BUDGET_SECTION, []),
        cost=details[COST_SECTION],
        prod_like=is_prod_like(opts, inv.outputs),
        source=source,
        changes=change_summary(inv),
    )
