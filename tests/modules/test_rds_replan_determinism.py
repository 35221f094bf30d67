"""modules/rds-postgres: two plans of the same configuration are identical to the deploy's comparison.

The deploy re-plans at the merged commit and refuses any change whose digest differs from the one
reviewed on the pull request (docs/adr/0010). A plan-time clock or random value in a planned value (the
final snapshot's name once came from ``plantimestamp()``) makes every create refused. This test runs the
workflows' own snippets, so it checks exactly the comparison the deploy makes.
"""

from __future__ import annotations

import json
import time

import pytest

from scripts.terraform.tf import unique_name
from tests.harness import example_workspace
from tests.support.workflow_snippets import changeset, run_snippet

pytestmark = pytest.mark.emulator

EXAMPLE = "modules/rds-postgres/examples/complete"


def test_two_plans_of_the_same_configuration_pass_the_deploy_comparison(emulator, tmp_path):
    ws = example_workspace(EXAMPLE, emulator, tmp_path / "ws", var_file="prod.tfvars")
    name = unique_name("rdsreplan")
    ws.set_vars({"name": name})

    changesets = []
    plans = []
    for label in ("reviewed", "deploy"):
        plan_file = tmp_path / f"{label}.tfplan"
        ws.run("plan", "-input=false", f"-out={plan_file}")
        plan = ws.show_json(plan_file)
        plans.append(plan)
        plan_json = tmp_path / f"{label}.json"
        plan_json.write_text(json.dumps(plan))
        changesets.append(changeset(plan_json, tmp_path / f"{label}.changeset.json"))
        # A clock with one-second resolution must tick between the two plans for the test to catch it.
        time.sleep(1.1)

    compare = run_snippet("terraform-apply.yml", "COMPARE_PY", *changesets)
    assert compare.returncode == 0, compare.stdout + compare.stderr
    assert "NOT REVIEWED" not in compare.stdout
    reviewed, deploy = (json.loads(c.read_text()) for c in changesets)
    assert reviewed == deploy
    assert len(reviewed) > 10, "the plan should create the whole example"

    # The name is known at plan time, so reviewers see it, and it carries no timestamp.
    instance = next(rc for rc in plans[0]["resource_changes"] if rc["address"] == "module.db.aws_db_instance.this")
    assert instance["change"]["after"]["final_snapshot_identifier"] == f"{name}-final"
