"""checkov on the plan itself: the generic AWS rules (public databases, encryption, public buckets,
IAM ``*`` on ``*``, read-only root filesystems ...) are checkov's, not this project's.

The plan JSON is scanned with ``checkov -f plan.json --framework terraform_plan`` and the repository's
``.checkov.yaml`` (docs: https://www.checkov.io/7.Scan%20Examples/Terraform%20Plan%20Scanning.html).
Each failure is a finding ``checkov.<CHECK_ID>`` on the plan's resource address.

Skips: an inline ``#checkov:skip=`` in the .tf source does not travel into the plan JSON. checkov's
``--repo-root-for-plan-enrichment`` re-reads them but keys them by ``type.name`` alone, so in a plan with
several modules one module's skip (and reason) lands on another module's resource of the same name
(tried on the dev root plan: see docs/adr/0020-checkov-on-the-plan.md). Here the skips are read per
resource address instead: the plan's ``configuration`` names each module call's source directory, and
the skip comments of the resource block (and of the enclosing ``module`` blocks, which checkov applies
to every resource of the call) count when ``skip_has_reason`` accepts them, the one rule the tree-time
gate (``python -m scripts validate``) applies too.

Severity: the checks that replaced this project's own security checks (``GATING``) are errors, like
the checks they replaced. Every other failure is a warning: the tree-time gate already fails on it
unless it is an environment's intent (a dev database without Multi-AZ or deletion protection, which
``reliability`` decides for prod-like plans) or a value the plan does not hold yet.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from scripts.checks.family import Outcome
from scripts.checks.findings import CheckOptions, Finding, error, warning
from scripts.terraform.checkov_runner import run_checkov_on_plan, skip_has_reason, tf_source_skips
from scripts.terraform.inventory import PlanInventory

REPO_ROOT = Path(__file__).resolve().parents[2]
CONFIG_FILE = REPO_ROOT / ".checkov.yaml"
# The root every environment's plan is made from; check-plan --source-dir names another.
DEFAULT_SOURCE_DIR = REPO_ROOT / "terraform"
POLICY_INDEX = "https://www.checkov.io/5.Policy%20Index/terraform_plan.html"

# checkov id -> the project check it replaced (docs/adr/0020-checkov-on-the-plan.md has the mapping).
GATING: dict[str, str] = {
    "CKV_AWS_17": "security.rds-public",
    "CKV_AWS_16": "security.rds-unencrypted",
    "CKV2_AWS_6": "security.s3-public-access",
    "CKV_AWS_53": "security.s3-public-access",
    "CKV_AWS_54": "security.s3-public-access",
    "CKV_AWS_55": "security.s3-public-access",
    "CKV_AWS_56": "security.s3-public-access",
    "CKV2_AWS_65": "security.s3-ownership",
    "CKV_AWS_62": "security.iam-wildcard",
    "CKV_AWS_63": "security.iam-wildcard",
    "CKV_AWS_1": "security.iam-wildcard",
    "CKV_AWS_49": "security.iam-wildcard",
    "CKV_AWS_274": "security.iam-wildcard",
    "CKV_AWS_336": "security.task-rootfs",
}


def _module_path(address: str) -> tuple[list[str], str]:
    """(module call names, the rest) of ``module.a["x"].module.b.aws_s3_bucket.this[0]``."""
    calls: list[str] = []
    rest = address
    while rest.startswith("module."):
        head, _, rest = rest[len("module.") :].partition(".")
        calls.append(head.split("[", 1)[0])
    return calls, rest


def address_skips(address: str, configuration: dict[str, Any], source_dir: Path) -> list[tuple[str, str | None]]:
    """The inline skips that apply to the plan resource ``address``: its block's and its module calls'.

    A call whose source is not a local path (a registry module) has no source here: no skips."""
    calls, rest = _module_path(address)
    rest = rest.split("[", 1)[0]
    kind = "data" if rest.startswith("data.") else "resource"
    rtype, _, name = rest.removeprefix("data.").partition(".")
    found: list[tuple[str, str | None]] = []
    directory, module = source_dir, configuration.get("root_module") or {}
    for call_name in calls:
        found += tf_source_skips(directory).get(("module", call_name), [])
        call = (module.get("module_calls") or {}).get(call_name) or {}
        source = str(call.get("source", ""))
        if not source.startswith(("./", "../")):
            return found
        directory, module = (directory / source).resolve(), call.get("module") or {}
    return found + tf_source_skips(directory).get((kind, rtype, name), [])


def check(inv: PlanInventory, options: CheckOptions) -> list[Finding]:
    source_dir = options.source_dir or DEFAULT_SOURCE_DIR
    configuration = inv.raw.get("configuration") or {}
    with tempfile.TemporaryDirectory(prefix="check-plan-") as tmp:
        plan_file = Path(tmp) / "plan.json"
        plan_file.write_text(json.dumps(inv.raw))
        result = run_checkov_on_plan(plan_file, config_file=CONFIG_FILE if CONFIG_FILE.is_file() else None)
    findings = []
    for failed in result.failed:
        skips = [
            reason
            for check_id, reason in address_skips(failed.resource, configuration, source_dir)
            if check_id == failed.check_id
        ]
        if any(skip_has_reason(reason) for reason in skips):
            continue
        note = " (an inline skip names this check but gives no reason, so it does not count)" if skips else ""
        make = error if failed.check_id in GATING else warning
        findings.append(
            make(
                f"checkov.{failed.check_id}",
                failed.resource,
                f"{failed.name}{note}",
                f"see {failed.guideline or POLICY_INDEX}; or skip it inline on the resource with "
                f"#checkov:skip={failed.check_id}:<the reason>",
            )
        )
    return findings


def run(inv: PlanInventory, options: CheckOptions) -> Outcome:
    return Outcome(check(inv, options))
