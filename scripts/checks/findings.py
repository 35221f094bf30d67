"""What a check reports: findings (each names the resource address and the fix) and the options.

A finding with severity ``error`` makes the plan unsafe (exit code 1); ``warning`` is shown but does
not fail, and is used for what a plan cannot tell yet (values known only after apply) and for
advice. Every finding carries the check id, the resource address, what is wrong and how to fix it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ERROR = "error"
WARNING = "warning"
SEVERITIES = (ERROR, WARNING)


@dataclass(frozen=True)
class Finding:
    check_id: str
    severity: str
    address: str
    message: str
    fix: str

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"severity {self.severity!r} is not one of {SEVERITIES}")
        if not self.fix.strip():
            raise ValueError(f"finding {self.check_id} on {self.address} has no fix")

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def error(check_id: str, address: str, message: str, fix: str) -> Finding:
    return Finding(check_id, ERROR, address, message, fix)


def warning(check_id: str, address: str, message: str, fix: str) -> Finding:
    return Finding(check_id, WARNING, address, message, fix)


@dataclass(frozen=True)
class CheckOptions:
    """What the caller decides: destroys it accepts, the budget, and whether the plan is prod-like.

    ``prod_like`` None means "decide from the plan": what the root's ``intents`` output states
    (see ``is_prod_like``). ``source_dir``: the Terraform root the plan was made from, whose inline
    checkov skips apply to the plan (None: the repository's terraform/).
    """

    allow_destroy: frozenset[str] = field(default_factory=frozenset)
    env_budget_usd: float | None = None
    prod_like: bool | None = None
    source_dir: Path | None = None

    @classmethod
    def build(
        cls,
        allow_destroy: Iterable[str] | None = None,
        env_budget_usd: float | None = None,
        prod_like: bool | None = None,
        source_dir: Path | None = None,
    ) -> CheckOptions:
        return cls(frozenset(allow_destroy or ()), env_budget_usd, prod_like, source_dir)


# The root maps its environment to intents once (terraform/locals.tf) and states them as this
# output; the checks read the plan's statement rather than keep a list of environment names.
INTENTS_OUTPUT = "intents"


def is_prod_like(options: CheckOptions, outputs: dict[str, Any]) -> bool:
    """The caller's choice, else the plan's output ``intents.production_like``. A plan without that
    output (a module or an example planned alone) is not prod-like unless the caller says so."""
    if options.prod_like is not None:
        return options.prod_like
    intents = outputs.get(INTENTS_OUTPUT)
    return isinstance(intents, dict) and intents.get("production_like") is True


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    order = {ERROR: 0, WARNING: 1}
    return sorted(findings, key=lambda f: (order[f.severity], f.check_id, f.address))
