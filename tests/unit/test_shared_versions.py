"""The Terraform and AWS provider versions are stated once, in modules/_shared/versions.tf (ADR 0023).

Every configuration of the repository (modules, fixtures, examples, the root, bootstrap, the shared
inputs' folder and the interruption tests' root) links that file as its versions.tf, and none states a
version in a file of its own: a second statement would be a range that drifts from the first unseen
(Terraform intersects the constraints of all the modules it loads, so one stale module narrows every
root that calls it). The Python tooling reads the constraint from the same file.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from scripts.terraform.tf import REPO_ROOT, VERSIONS_FILE, provider_constraint, warmup_config
from scripts.terraform.toolchain import ToolchainError
from scripts.terraform.validate import terraform_dirs
from tests.support.links import link_problem

_VERSION_SETTINGS = re.compile(r"^\s*(required_version|required_providers)\b", re.MULTILINE)
# Every directory holding .tf files (the walk `python -m scripts validate` uses), and the interruption
# tests' root, which lives outside its trees.
CONFIGURATIONS = sorted(
    {REPO_ROOT / d for d in terraform_dirs(REPO_ROOT) + terraform_dirs(REPO_ROOT, REPO_ROOT / "tests" / "faults")}
    - {VERSIONS_FILE.parent}
)
IDS = [p.relative_to(REPO_ROOT).as_posix() for p in CONFIGURATIONS]


def test_the_versions_file_states_both_versions():
    assert not VERSIONS_FILE.is_symlink()
    assert set(_VERSION_SETTINGS.findall(VERSIONS_FILE.read_text())) == {"required_version", "required_providers"}
    # Guards the parametrised tests below against an empty walk.
    assert {"terraform", "terraform/bootstrap", "modules/alb", "modules/alb/examples/complete"} <= set(IDS)


@pytest.mark.parametrize("config", CONFIGURATIONS, ids=IDS)
def test_a_configuration_links_the_one_versions_file(config: Path):
    problem = link_problem(config / "versions.tf", VERSIONS_FILE)
    assert problem is None, problem
    own = {
        tf.name: sorted(set(_VERSION_SETTINGS.findall(tf.read_text())))
        for tf in sorted(config.glob("*.tf"))
        if not tf.is_symlink()
    }
    stated = {name: found for name, found in own.items() if found}
    assert not stated, f"{config.relative_to(REPO_ROOT)} states versions itself: {stated}"


def test_the_tooling_reads_the_constraint_from_the_file():
    constraint = provider_constraint()
    assert f'version = "{constraint}"' in VERSIONS_FILE.read_text()
    assert f'version = "{constraint}"' in warmup_config()


def test_a_versions_file_without_an_aws_constraint_is_one_readable_error(tmp_path: Path):
    versions = tmp_path / "versions.tf"
    versions.write_text('terraform {\n  required_version = ">= 1.10"\n}\n')
    with pytest.raises(ToolchainError) as exc:
        provider_constraint(versions)
    assert str(exc.value) == f"{versions} states no version constraint for the aws provider"
    with pytest.raises(ToolchainError, match=r"cannot read the provider versions from .*: No such file or directory"):
        provider_constraint(tmp_path / "missing.tf")
