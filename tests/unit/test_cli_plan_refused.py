"""A refused root plan, as a person sees it: ``plan --env ENV --emulator`` on the real root with one bad
input. The terminal gets the configuration's own message (one line per distinct error) and the path of
a log holding everything Terraform printed; exit 1 (the plan's verdict, not an environment error).

The command runs as its own process from a copy of the repository (scripts/, terraform/, modules/), so
its environment files can be edited without touching the working tree and its stderr is exactly what
a terminal would show.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from scripts.terraform.tf import REPO_ROOT
from tests.support.cli import run_cli

pytestmark = [pytest.mark.emulator, pytest.mark.slow]

ENVIRONMENTS = REPO_ROOT / "terraform" / "environments"
MAX_LINES = 10
_COPY_IGNORE = shutil.ignore_patterns(".terraform", "*.tfstate*", "*.tfplan", "__pycache__", "build")


def repo_copy(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    for tree in ("scripts", "terraform", "modules"):
        shutil.copytree(REPO_ROOT / tree, root / tree, ignore=_COPY_IGNORE)
    return root


def edited(text: str, pattern: str, replacement: str) -> str:
    new, count = re.subn(pattern, replacement, text, count=1, flags=re.MULTILINE)
    assert count == 1, f"the environment's tfvars no longer has a line matching {pattern!r}: update this test"
    return new


def staging_from_prod(text: str) -> tuple[str, str, dict[str, str]]:
    """A new environment copied from prod, as a team adding one would start."""
    return "staging", edited(text, r'^environment\s*=\s*"prod"', 'environment = "staging"'), {}


def staging_listed_as_production_like(_prod: str) -> tuple[str, str, dict[str, str]]:
    """A new environment copied from dev and listed as production-like in terraform/intents.json: the
    root reads its kind from the file, so dev's relaxed settings are refused (the table edit is below)."""
    return (
        "staging",
        edited((ENVIRONMENTS / "dev.tfvars").read_text(), r'^environment\s*=\s*"dev"', 'environment = "staging"'),
        {},
    )


def prod_with_any_origin(text: str) -> tuple[str, str, dict[str, str]]:
    # allowed_origins is a per-account value: set the documented way, a TF_VAR_ variable.
    return "prod", text, {"TF_VAR_allowed_origins": '["*"]'}


def prod_single_az(text: str) -> tuple[str, str, dict[str, str]]:
    return "prod", edited(text, r"^(\s*multi_az\s*=\s*)true", r"\1false"), {}


CASES = {
    # case: (how the committed prod.tfvars is changed, the configuration's own message, Terraform's detail)
    "bad-environment-name": (
        staging_from_prod,
        'environment must be one of: dev, prod (got "staging").',
        'var.environment is "staging"',
    ),
    "production-like-staging-copied-from-dev": (
        staging_listed_as_production_like,
        "deletion_protection must be true in staging",
        "var.deletion_protection is false",
    ),
    "wildcard-origin-in-prod": (
        prod_with_any_origin,
        'allowed_origins must not contain "*" in prod',
        "var.allowed_origins is",
    ),
    "single-az-database-in-prod": (
        prod_single_az,
        "database.multi_az must be true in prod",
        "var.database.multi_az is false",
    ),
}


# Environments a case lists in the copy's terraform/intents.json, with their kind.
TABLE_EDITS = {"production-like-staging-copied-from-dev": {"staging": "production_like"}}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_refused_plan_prints_the_configurations_message_and_the_log_path(tc, tmp_path, case):
    change, message, terraform_detail = CASES[case]
    repo = repo_copy(tmp_path)
    env, text, tf_vars = change((ENVIRONMENTS / "prod.tfvars").read_text())
    (repo / "terraform" / "environments" / f"{env}.tfvars").write_text(text)
    if case in TABLE_EDITS:
        table_file = repo / "terraform" / "intents.json"
        table = json.loads(table_file.read_text())
        table["environments"].update(TABLE_EDITS[case])
        table_file.write_text(json.dumps(table))
    out = tmp_path / "out"
    proc = run_cli(
        "plan",
        "--env",
        env,
        "--emulator",
        "--out",
        out,
        unset=("PLATFORM_AWS_ENDPOINT_URL",),
        unset_prefixes=("TF_VAR_",),
        env=tf_vars,
        cwd=repo,
        timeout=900,
    )
    err_lines = proc.stderr.splitlines()
    assert proc.returncode == 1, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr
    assert len(err_lines) <= MAX_LINES and len(proc.stdout.splitlines()) <= MAX_LINES, proc.stderr[-3000:]
    assert any(line.startswith("UNSAFE: ") and message in line for line in err_lines), proc.stderr
    # The summary is the configuration's message, not Terraform's "var.x is ..." detail.
    assert terraform_detail not in proc.stderr
    found = re.search(r"full Terraform log: (\S+)$", err_lines[-1])
    assert found, err_lines[-1]
    log = Path(found.group(1))
    assert log == out / f"{env}.terraform.log"
    text = log.read_text()
    # The log holds everything Terraform printed: both commands, the whole diagnostic with its detail.
    assert "$ terraform init" in text and "$ terraform plan" in text
    assert "Error: Invalid value for variable" in text
    assert terraform_detail in text
    assert message.split(":")[0] in text
