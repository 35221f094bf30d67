"""One interface for every check family: ``CheckFamily(name, run)``.

``run(plan, options)`` returns an ``Outcome``: the family's findings, and the tables it adds to the
report (``details``: the connection budget and the cost estimate are tables as well as findings).
The runner iterates ``scripts.checks.runner.FAMILIES`` and knows no family by name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from scripts.checks.findings import CheckOptions, Finding
from scripts.terraform.inventory import PlanInventory


@dataclass(frozen=True)
class Outcome:
    findings: list[Finding]
    # Report sections by name ("connection_budget", "cost"), merged into the report as they are.
    details: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CheckFamily:
    name: str
    run: Callable[[PlanInventory, CheckOptions], Outcome]


def findings_only(name: str, check: Callable[[PlanInventory, CheckOptions], list[Finding]]) -> CheckFamily:
    """A family whose ``check`` returns findings and no table."""
    return CheckFamily(name, lambda inv, opts: Outcome(check(inv, opts)))
