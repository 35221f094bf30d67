"""Conditions the configuration states about itself, as the plan reports them.

Terraform reports a failed ``check`` block as a warning and still writes the plan; the plan JSON
lists it under ``checks`` with status ``fail``. It stays a warning here: the configuration's author
chose ``check`` (advice) over a precondition (refusal). Any other condition kind reported as failed
(a precondition or postcondition, normally fatal to the plan) is an error.
"""

from __future__ import annotations

from scripts.checks.findings import CheckOptions, Finding, error, warning
from scripts.terraform.inventory import PlanInventory


def check(inv: PlanInventory, options: CheckOptions) -> list[Finding]:
    del options
    findings = []
    for entry in inv.raw.get("checks") or []:
        if entry.get("status") != "fail":
            continue
        kind = entry.get("address", {}).get("kind", "check")
        make = warning if kind == "check" else error
        for instance in entry.get("instances") or []:
            if instance.get("status") != "fail":
                continue
            address = instance.get("address", {}).get("to_display") or entry["address"].get("to_display", "?")
            problems = [p.get("message", "") for p in instance.get("problems") or []] or ["condition failed"]
            findings.append(
                make(
                    f"terraform.{kind}",
                    address,
                    "; ".join(problems),
                    "change the inputs so the configuration's own condition holds (the message says which)",
                )
            )
    return findings
