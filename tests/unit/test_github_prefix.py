"""A hyphenated environment's GitHub variables (pre-prod -> PRE_PROD_<NAME>): the IAM proof and the
walkthrough name them with scripts/terraform/backend.py's github_prefix, as terraform/bootstrap does
(tests/modules/test_bootstrap_plan.py checks the bootstrap's side)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from scripts.iam.run import Proof
from scripts.terraform.backend import github_prefix
from scripts.terraform.tf import REPO_ROOT
from scripts.walkthrough.readme import first_deploy_steps

ENV = "pre-prod"


def test_prefix_replaces_hyphens_with_underscores():
    assert github_prefix(ENV) == "PRE_PROD"
    assert github_prefix("dev") == "DEV"


class FakeCheckout:
    """`gh variable set` and what it stored, without the stand-in binary."""

    def __init__(self) -> None:
        self.repository: dict[str, str] = {}

    def set_github_variable(self, name: str, value: str, env: str | None = None) -> None:
        assert env is None, "the proof sets repository variables only"
        self.repository[name] = value

    def github_variables(self) -> dict[str, Any]:
        return {"repository": dict(self.repository), "environments": {}}


class FakeDay:
    def account_values(self, env: str) -> dict[str, str]:
        return {"TF_VAR_image_tag": "", "TF_VAR_log_retention_days": "30"}


def test_image_deploy_sets_the_variable_the_next_plan_reads(tmp_path: Path):
    """README's `gh variable set DEV_IMAGE_TAG` for pre-prod: the tag reaches the environment's inputs."""
    checkout = FakeCheckout()
    proof = Proof(emulator=None, bus=None, workdir=tmp_path, env=ENV, checkout=checkout, day=FakeDay())  # type: ignore[arg-type]
    # The pipeline around the variable (pull request, merge) is the emulator tests' business.
    proof._pull_request = lambda env: None  # type: ignore[method-assign]
    proof._merge = lambda: None  # type: ignore[method-assign]
    proof.account_setup = lambda env: None  # type: ignore[method-assign]

    proof.deploy_image("v1.2.3")

    assert checkout.repository == {f"{github_prefix(ENV)}_IMAGE_TAG": "v1.2.3"}
    assert proof.environment_inputs(ENV)["image_tag"] == "v1.2.3"


def test_readme_variables_step_names_the_hyphenated_prefix():
    """Step 5 sets the variables terraform/bootstrap's output github_variables names."""
    [step] = [s for s in first_deploy_steps(REPO_ROOT / "README.md") if re.search(r"\bDEV_", s.script)]
    names = set(re.findall(r"\b[A-Z][A-Z0-9_]*_(?:PLAN_ROLE_ARN|STATE_BUCKET|STATE_KMS_KEY_ARN)\b", step.script))
    assert names == {"DEV_PLAN_ROLE_ARN", "DEV_STATE_BUCKET", "DEV_STATE_KMS_KEY_ARN"}
    script = step.for_environment(ENV).script
    prefix = github_prefix(ENV)
    assert set(re.findall(r"\b[A-Z][A-Z0-9_-]*_(?:PLAN_ROLE_ARN|STATE_BUCKET|STATE_KMS_KEY_ARN)\b", script)) == {
        f"{prefix}_PLAN_ROLE_ARN",
        f"{prefix}_STATE_BUCKET",
        f"{prefix}_STATE_KMS_KEY_ARN",
    }
