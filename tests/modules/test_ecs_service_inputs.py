"""modules/ecs-service: the rejected inputs are data now, modules/ecs-service/tests/rejected_inputs.toml,
checked without the emulator by tests/modules/test_rejected_inputs.py. This file holds no test any more.

VALID stays importable, read from the table's [base], only because
tests/modules/test_permissions_boundary_plan.py imports it; once that test reads the table itself
(`rejected.load(...).base`), delete this file.
"""

from __future__ import annotations

from tests.support import rejected

VALID = rejected.load(rejected.REPO_ROOT / "modules/ecs-service/tests/rejected_inputs.toml").base
