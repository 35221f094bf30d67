"""Every module that creates an IAM role sets the caller's permissions boundary on each of them.

Organisations that require permissions boundaries refuse CreateRole without one; a module that forgot
one role would fail on the first apply there. ecs-cluster, alb, cloudwatch-alarms and private-s3 create
no IAM role, so they take no boundary input.
"""

from __future__ import annotations

import pytest

from tests.harness import module_workspace
from tests.support import rejected

# Each module's inputs that pass every rule: the [base] of its rejected-input table.
ECS_SERVICE, RDS_POSTGRES, RDS_PROXY = (
    rejected.load(rejected.REPO_ROOT / f"modules/{name}/tests/{rejected.TABLE_NAME}").base
    for name in ("ecs-service", "rds-postgres", "rds-proxy")
)

pytestmark = pytest.mark.emulator

BOUNDARY = "arn:aws:iam::123456789012:policy/imgclass-boundary"

MODULES = [
    # module, inputs, the roles it must create
    ("ecs-service", ECS_SERVICE, {"aws_iam_role.execution", "aws_iam_role.task"}),
    ("rds-postgres", RDS_POSTGRES, {"aws_iam_role.monitoring[0]"}),
    ("rds-proxy", RDS_PROXY, {"aws_iam_role.this"}),
]


@pytest.mark.parametrize(("module", "inputs", "roles"), MODULES, ids=[m[0] for m in MODULES])
def test_every_role_carries_the_boundary(emulator, tmp_path, module, inputs, roles):
    ws = module_workspace(module, {**inputs, "permissions_boundary": BOUNDARY}, emulator, tmp_path)
    inventory = ws.plan()
    planned = {r.address.removeprefix("module.under_test."): r for r in inventory.of_type("aws_iam_role")}
    assert set(planned) == roles
    assert {a: r.values.get("permissions_boundary") for a, r in planned.items()} == dict.fromkeys(roles, BOUNDARY)
