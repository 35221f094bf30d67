"""Destructive changes: stateful deletes and replacements need --allow-destroy ADDRESS."""

from __future__ import annotations

import pytest

from scripts.checks import destructive
from scripts.checks.findings import CheckOptions
from scripts.terraform.inventory import PlanInventory
from tests.support.planbuilder import PlanBuilder

DB = "module.database.aws_db_instance.this"


def run(b: PlanBuilder, *allowed: str):
    return destructive.check(PlanInventory.from_json(b.build()), CheckOptions.build(allow_destroy=allowed))


@pytest.mark.parametrize(
    ("address", "actions", "verb"),
    [
        (DB, ["delete"], "deletes"),
        ("module.proxy.aws_db_proxy.this", ["delete", "create"], "replaces"),
        ('module.buckets["uploads"].aws_s3_bucket.this', ["create", "delete"], "replaces"),
        ("aws_sqs_queue.jobs", ["delete"], "deletes"),
        ("aws_kms_key.data", ["delete"], "deletes"),
        ("aws_cloudwatch_log_group.api", ["delete", "create"], "replaces"),
    ],
)
def test_stateful_delete_or_replace_fails(address, actions, verb):
    [finding] = run(PlanBuilder().add(address, {"name": "x"}, actions=actions))
    assert (finding.check_id, finding.severity, finding.address) == ("destructive.stateful", "error", address)
    assert f"the plan {verb}" in finding.message
    assert f"--allow-destroy {address}" in finding.fix


def test_replacement_names_the_argument_that_forces_it():
    b = PlanBuilder().add(DB, {"identifier": "new"}, actions=["delete", "create"], replace_paths=[["identifier"]])
    [finding] = run(b)
    assert "forced by a change of identifier" in finding.message


def test_allowed_address_passes_with_a_warning():
    b = PlanBuilder().add(DB, {"identifier": "old"}, actions=["delete"])
    [finding] = run(b, DB)
    assert (finding.check_id, finding.severity) == ("destructive.allowed", "warning")


def test_allowing_one_address_does_not_allow_another():
    b = PlanBuilder().add(DB, {}, actions=["delete"]).add("aws_s3_bucket.logs", {}, actions=["delete"])
    findings = run(b, DB)
    assert [(f.check_id, f.address) for f in findings if f.severity == "error"] == [
        ("destructive.stateful", "aws_s3_bucket.logs")
    ]


@pytest.mark.parametrize(
    ("address", "actions"),
    [
        ("module.api.aws_ecs_task_definition.this", ["delete", "create"]),  # stateless
        ("aws_security_group_rule.x", ["delete"]),
        (DB, ["update"]),
        (DB, ["create"]),
        (DB, ["no-op"]),
    ],
)
def test_stateless_or_non_destructive_changes_pass(address, actions):
    assert run(PlanBuilder().add(address, {}, actions=actions)) == []


def test_unused_allow_flag_is_reported():
    [finding] = run(PlanBuilder().add(DB, {}, actions=["update"]), "aws_s3_bucket.typo")
    assert (finding.check_id, finding.severity, finding.address) == (
        "destructive.allowed",
        "warning",
        "aws_s3_bucket.typo",
    )
