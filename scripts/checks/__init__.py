"""Policy checks on a Terraform plan: connection budget, security, reliability, destructive changes
and a cost estimate. ``run_checks(PlanInventory, CheckOptions) -> Report``; see README.md here."""

from scripts.checks.findings import ERROR, WARNING, CheckOptions, Finding
from scripts.checks.runner import Report, run_checks

__all__ = ["ERROR", "WARNING", "CheckOptions", "Finding", "Report", "run_checks"]
