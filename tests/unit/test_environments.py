"""The deployment environments are listed once, in terraform/intents.json: the root's validation of
``environment`` and its production-like switch read it, and so do the Python commands. These tests hold
the files of terraform/environments/ to that list and show the commands following an edited copy."""

from __future__ import annotations

from pathlib import Path

import pytest

from scripts.checks import tables
from scripts.cli import build_parser
from scripts.terraform.plan import known_environments
from scripts.terraform.tf import REPO_ROOT
from tests.support.tables import use_edited_table

ENV_DIR = REPO_ROOT / "terraform" / "environments"


def test_every_listed_environment_has_its_tfvars_and_backend_and_no_other_has():
    listed = tables.environments()
    assert listed == known_environments(REPO_ROOT), "a tfvars file without an entry in intents.json, or the reverse"
    for env in listed:
        assert (ENV_DIR / f"{env}.s3.tfbackend").is_file(), f"{env} has no backend config"
        assert f'environment = "{env}"' in (ENV_DIR / f"{env}.tfvars").read_text()


def test_prod_is_the_production_like_environment():
    assert [env for env in tables.environments() if tables.is_production_like(env)] == ["prod"]
    assert not tables.is_production_like("staging")


@pytest.fixture
def with_staging(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    use_edited_table(
        "INTENTS_FILE", lambda t: t["environments"].update(staging="production_like"), tmp_path, monkeypatch
    )


@pytest.mark.parametrize("command", ["demo", "iam_check", "orphans"])
def test_the_commands_accept_what_the_table_lists(command, with_staging):
    assert tables.is_production_like("staging")
    name = command.replace("_", "-")
    args = build_parser(command).parse_args([name, "--env", "staging"])
    assert args.env == "staging"


@pytest.mark.parametrize("command", ["demo", "iam_check", "orphans"])
def test_the_commands_refuse_what_the_table_does_not_list(command, capsys):
    name = command.replace("_", "-")
    with pytest.raises(SystemExit) as exit_info:
        build_parser(command).parse_args([name, "--env", "staging"])
    assert exit_info.value.code == 2
    assert "invalid choice: 'staging' (choose from 'dev', 'prod')" in capsys.readouterr().err
