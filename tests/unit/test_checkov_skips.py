"""checkov skips: every one carries its reason inline, none hides in the config, and the premise of the
skip that only the whole-tree run needs (CKV2_AWS_76 on the load balancer) stays true.

The rule itself is stated once, in scripts/terraform/checkov_runner.py (``skip_has_reason``);
``python -m scripts validate`` applies it to the skips checkov reports, the first test here to every
skip comment in the source (also where checkov does not report the skip).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import hcl2
import pytest
import yaml

from scripts.terraform.checkov_runner import Finding, skip_comment_problem, unexplained_skips
from scripts.terraform.tf import REPO_ROOT


def terraform_files() -> list[Path]:
    files = []
    for tree in ("modules", "terraform"):
        files += [p for p in (REPO_ROOT / tree).rglob("*.tf") if ".terraform" not in p.parts]
    return sorted(files)


def test_every_inline_skip_has_a_reason():
    skips, offenders = 0, []
    for tf in terraform_files():
        for number, line in enumerate(tf.read_text().splitlines(), start=1):
            if "checkov:skip=" in line:
                skips += 1
                problem = skip_comment_problem(line)
                if problem:
                    offenders.append(f"{tf.relative_to(REPO_ROOT)}:{number}: {problem}")
    assert skips > 0, "no skip found: the pattern no longer matches how skips are written"
    assert not offenders, offenders


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("  #checkov:skip=CKV_AWS_158", "the skip of CKV_AWS_158 has no reason"),
        ("  #checkov:skip=CKV_AWS_158:", "the skip of CKV_AWS_158 has no reason"),
        ("  #checkov:skip=CKV_AWS_158:   ", "the skip of CKV_AWS_158 has no reason"),
        ("  #checkov:skip=CKV_AWS_158:ok", "the skip of CKV_AWS_158 has no reason"),
        ("  #checkov:skip=CKV_AWS_158:No comment provided", "the skip of CKV_AWS_158 has no reason"),
        ("  #checkov:skip=AWS_158:SSE-S3 by design for access logs", "'AWS_158' is not a checkov check id"),
    ],
    ids=["bare", "colon", "blank", "a-word", "placeholder", "bad-id"],
)
def test_a_skip_without_a_reason_is_refused(line, problem):
    assert skip_comment_problem(line).startswith(problem)


@pytest.mark.parametrize(
    "line",
    [
        "  #checkov:skip=CKV2_AWS_76:Log4j is covered by the known bad inputs rules",
        "  # checkov:skip=CKV_GHA_7:the dispatch input is a choice list",
        '  name = "no skip on this line"',
    ],
)
def test_a_skip_with_a_reason_passes(line):
    assert skip_comment_problem(line) is None


def test_reported_skips_without_a_reason_are_found():
    """The same rule on checkov's report, as validate applies it (checkov's placeholder included)."""
    skips = [
        Finding("CKV_1", "r", "f", "n", "No comment provided"),
        Finding("CKV_2", "r", "f", "n", ""),
        Finding("CKV_3", "r", "f", "n", None),
        Finding("CKV_4", "r", "f", "n", "todo"),
        Finding("CKV_5", "r", "f", "n", "ALB access logs need SSE-S3"),
    ]
    assert [f.check_id for f in unexplained_skips(skips)] == ["CKV_1", "CKV_2", "CKV_3", "CKV_4"]


def test_the_config_skips_no_check():
    """Skips live next to the code with their reason; a config-level skip would have none."""
    config = yaml.safe_load((REPO_ROOT / ".checkov.yaml").read_text())
    assert not {"skip-check", "check", "soft-fail", "soft-fail-on", "hard-fail-on"} & set(config)
    assert config["framework"] == ["terraform", "github_actions"]


def _one(value: Any) -> Any:
    """checkov's HCL parser wraps every value and block in a list."""
    return value[0] if isinstance(value, list) and len(value) == 1 else value


def _managed_rule_groups(web_acl: dict[str, Any]) -> dict[str, str]:
    """Managed rule group name -> the rule's override action (none: the group's own actions apply)."""
    groups = {}
    for rule in web_acl.get("rule", []):
        statement = _one(rule.get("statement", [{}]))
        managed = statement.get("managed_rule_group_statement")
        if managed:
            override = _one(rule.get("override_action", [{}]))
            groups[_one(_one(managed)["name"])] = next(iter(override), "")
    return groups


def test_the_root_web_acl_blocks_log4j_with_the_known_bad_inputs_rules():
    """modules/alb skips CKV2_AWS_76 because of this rule: the skip's reason must stay true.

    https://docs.aws.amazon.com/waf/latest/developerguide/aws-managed-rule-groups-baseline.html
    (Known bad inputs rule group: the Log4j rules)
    """
    alb = (REPO_ROOT / "modules/alb/main.tf").read_text()
    assert re.search(r"#checkov:skip=CKV2_AWS_76:", alb)
    parsed = hcl2.loads((REPO_ROOT / "terraform/waf.tf").read_text())
    acls = [r["aws_wafv2_web_acl"] for r in parsed["resource"] if "aws_wafv2_web_acl" in r]
    [acl] = [body for found in acls for body in found.values()]
    groups = _managed_rule_groups(acl)
    # "none" keeps the group's own Block actions; "count" would only count Log4j attempts.
    assert groups.get("AWSManagedRulesKnownBadInputsRuleSet") == "none", groups
    compute = (REPO_ROOT / "terraform/compute.tf").read_text()
    assert re.search(r'resource "aws_wafv2_web_acl_association" "alb"', compute)


@pytest.mark.parametrize(
    ("override", "expected"), [({"none": [{}]}, "none"), ({"count": [{}]}, "count")], ids=["none", "count"]
)
def test_the_override_action_is_read(override, expected):
    acl = {
        "rule": [
            {
                "override_action": [override],
                "statement": [{"managed_rule_group_statement": [{"name": ["G"], "vendor_name": ["AWS"]}]}],
            },
            {"action": [{"block": [{}]}], "statement": [{"rate_based_statement": [{"limit": [10]}]}]},
        ]
    }
    assert _managed_rule_groups(acl) == {"G": expected}


# --- the same skips on a plan (check-plan's checkov family) ---------------------------------------
REASON_A = "Replication is the caller's disaster-recovery decision in module a."
REASON_B = "Access logs of this bucket would log themselves; module b's own reason."
REASON_CALL = "The caller of module one decides encryption with SSE-S3 for log delivery."


def two_modules(tmp_path: Path) -> Path:
    """A root calling two modules that each hold an ``aws_s3_bucket.this`` with different skips:
    the case checkov's own plan enrichment (keyed by ``type.name``) gets wrong."""
    root, mod_a, mod_b = tmp_path / "root", tmp_path / "modules" / "a", tmp_path / "modules" / "b"
    for d in (root, mod_a, mod_b):
        d.mkdir(parents=True)
    (root / "main.tf").write_text(
        'module "one" {\n'
        f"  #checkov:skip=CKV_AWS_145:{REASON_CALL}\n"
        '  source = "../modules/a"\n'
        "}\n\n"
        'module "two" {\n  source = "../modules/b"\n}\n'
    )
    (mod_a / "main.tf").write_text(f'resource "aws_s3_bucket" "this" {{\n  #checkov:skip=CKV_AWS_144:{REASON_A}\n}}\n')
    (mod_b / "main.tf").write_text(
        f'resource "aws_s3_bucket" "this" {{\n  #checkov:skip=CKV_AWS_18:{REASON_B}\n  #checkov:skip=CKV_AWS_21\n}}\n'
    )
    return root


def two_modules_plan():
    from tests.support.planbuilder import PlanBuilder

    b = PlanBuilder()
    b.module_call("one", {}, source="../modules/a").module_call("two", {}, source="../modules/b")
    for name in ("one", "two"):
        b.add(f"module.{name}.aws_s3_bucket.this", {"bucket": name}, unknown=["arn", "id"])
    return b


def test_a_plan_resource_takes_the_skips_of_its_own_module_and_module_call(tmp_path):
    from scripts.checks.checkov_plan import address_skips

    root = two_modules(tmp_path)
    configuration = two_modules_plan().build()["configuration"]
    assert address_skips("module.one.aws_s3_bucket.this", configuration, root) == [
        ("CKV_AWS_145", REASON_CALL),
        ("CKV_AWS_144", REASON_A),
    ]
    assert address_skips('module.two["x"].aws_s3_bucket.this[0]', configuration, root) == [
        ("CKV_AWS_18", REASON_B),
        ("CKV_AWS_21", None),
    ]
    assert address_skips("aws_s3_bucket.this", configuration, root) == []


def test_checkov_on_a_plan_applies_reasoned_skips_per_module_and_reports_unreasoned_ones(tmp_path):
    from scripts.checks.checkov_plan import check
    from scripts.checks.findings import CheckOptions
    from scripts.terraform.inventory import PlanInventory

    root = two_modules(tmp_path)
    found = check(PlanInventory.from_json(two_modules_plan().build()), CheckOptions.build(source_dir=root))
    by = {(f.address.split(".")[1], f.check_id.removeprefix("checkov.")): f for f in found}
    # Each module's skip counts on its own resource only.
    assert ("one", "CKV_AWS_144") not in by and ("two", "CKV_AWS_144") in by
    assert ("two", "CKV_AWS_18") not in by and ("one", "CKV_AWS_18") in by
    assert ("one", "CKV_AWS_145") not in by and ("two", "CKV_AWS_145") in by
    # A skip without a reason skips nothing, and the finding says why.
    assert "gives no reason" in by[("two", "CKV_AWS_21")].message
    assert "gives no reason" not in by[("one", "CKV_AWS_21")].message
