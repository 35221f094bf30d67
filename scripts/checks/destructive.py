"""Destructive changes: deleting or replacing a resource that holds data needs an explicit yes.

A planned ``delete`` or replacement (``delete`` + ``create`` in either order) of a stateful type
fails unless the caller names its address with ``--allow-destroy ADDRESS``. The finding says why
Terraform replaces it (the plan's ``replace_paths`` / ``action_reason``) so the accidental cause, a
renamed identifier for example, can be fixed instead.
"""

from __future__ import annotations

from typing import Any

from scripts.checks.findings import CheckOptions, Finding, error, warning
from scripts.terraform.inventory import PlanInventory

# Types whose deletion loses data or an identity other systems depend on.
STATEFUL_TYPES = frozenset(
    {
        "aws_db_instance",
        "aws_rds_cluster",
        "aws_rds_cluster_instance",
        "aws_db_proxy",
        "aws_db_snapshot",
        "aws_s3_bucket",
        "aws_sqs_queue",
        "aws_kms_key",
        "aws_cloudwatch_log_group",
        "aws_secretsmanager_secret",
        "aws_dynamodb_table",
        "aws_efs_file_system",
        "aws_ecr_repository",
        "aws_ebs_volume",
        "aws_elasticache_cluster",
        "aws_elasticache_replication_group",
        "aws_ssm_parameter",
    }
)


def _change_details(inv: PlanInventory, address: str) -> dict[str, Any]:
    for rc in inv.raw.get("resource_changes", []):
        if rc.get("address") == address:
            return rc
    return {}


def _reason(rc: dict[str, Any]) -> str:
    paths = rc.get("change", {}).get("replace_paths") or []
    if paths:
        names = [".".join(str(p) for p in path) for path in paths]
        return f"; forced by a change of {', '.join(names)}"
    reason = rc.get("action_reason")
    return f" ({reason})" if reason else ""


def check(inv: PlanInventory, options: CheckOptions) -> list[Finding]:
    findings: list[Finding] = []
    for address, res in sorted(inv.resources.items()):
        if res.mode != "managed" or "delete" not in res.actions:
            continue
        if res.type not in STATEFUL_TYPES:
            continue
        kind = "replaces" if "create" in res.actions else "deletes"
        rc = _change_details(inv, address)
        if address in options.allow_destroy:
            findings.append(
                warning(
                    "destructive.allowed",
                    address,
                    f"the plan {kind} this {res.type}; allowed by --allow-destroy{_reason(rc)}",
                    "make sure a backup or snapshot exists before applying",
                )
            )
            continue
        findings.append(
            error(
                "destructive.stateful",
                address,
                f"the plan {kind} this {res.type}, which holds data{_reason(rc)}",
                f"if intended, re-run with --allow-destroy {address}; otherwise revert the argument that "
                "forces it (or add lifecycle { prevent_destroy = true })",
            )
        )
    unused = sorted(options.allow_destroy - {a for a, r in inv.resources.items() if "delete" in r.actions})
    for address in unused:
        findings.append(
            warning(
                "destructive.allowed",
                address,
                "--allow-destroy names an address the plan does not delete or replace",
                "drop the flag, or check the address against the plan (addresses include module paths)",
            )
        )
    return findings
