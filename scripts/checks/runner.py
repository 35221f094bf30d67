"""Run every check on a plan inventory and collect one report.

The registry is the list ``CHECKS``: each entry is a check family (``scripts/checks/<name>.py``)
whose ``check(inventory, options)`` returns its findings (budget and cost also return their
tables). Exit code: 1 when any finding is an error, else 0.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from scripts.checks import budget, conditions, cost, destructive, reliability, security
from scripts.checks.budget import DatabaseBudget
from scripts.checks.cost import CostEstimate
from scripts.checks.findings import ERROR, WARNING, CheckOptions, Finding, is_prod_like, sort_findings
from scripts.terraform.inventory import PlanInventory

# name -> function returning findings; budget and cost are called separately for their tables.
CHECKS: dict[str, Callable[[PlanInventory, CheckOptions], list[Finding]]] = {
    "security": security.check,
    "reliability": reliability.check,
    "destructive": destructive.check,
    "conditions": conditions.check,
}


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


def run_checks(inv: PlanInventory, options: CheckOptions | None = None, source: str = "") -> Report:
    opts = options or CheckOptions()
    budgets, findings = budget.check(inv, opts)
    for family in CHECKS.values():
        findings += family(inv, opts)
    estimate, cost_findings = cost.check(inv, opts)
    findings += cost_findings
    return Report(
        findings=sort_findings(findings),
        budgets=budgets,
        cost=estimate,
        prod_like=is_prod_like(opts, inv.outputs),
        source=source,
        changes=change_summary(inv),
    )
