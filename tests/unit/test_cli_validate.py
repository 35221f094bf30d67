"""``python -m scripts validate``: discovery, exit codes, formats, optional tools, and one real run
(terraform + checkov) over a small stand-in repository."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

import scripts.commands.validate as validate
from scripts.checkov_runner import CheckovError
from scripts.checkov_runner import Finding as CheckovFinding
from scripts.cli import main
from scripts.errors import UsageError
from scripts.tf import REPO_ROOT


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))


@pytest.fixture
def tree(tmp_path):
    root = tmp_path / "repo"
    for rel in (
        "modules/a/main.tf",
        "modules/a/examples/basic/main.tf",
        "modules/a/.terraform/modules/x/main.tf",
        "modules/b/variables.tf",
        "terraform/main.tf",
        "terraform/bootstrap/main.tf",
    ):
        write(root / rel, "")
    write(root / "terraform/environments/dev.tfvars", "")
    write(root / "modules/docs-only/README.md", "")
    return root


def test_discovers_modules_examples_and_roots(tree):
    assert validate.terraform_dirs(tree) == [
        "modules/a",
        "modules/a/examples/basic",
        "modules/b",
        "terraform",
        "terraform/bootstrap",
    ]
    assert validate.checkov_targets(tree) == ["modules/a", "modules/b", "terraform"]


def test_only_limits_discovery(tree):
    only = validate.resolve_only(tree, "modules/a")
    assert validate.terraform_dirs(tree, only) == ["modules/a", "modules/a/examples/basic"]
    assert validate.checkov_targets(tree, only) == ["modules/a"]


@pytest.mark.parametrize(
    ("only", "fragment"), [("/etc", "outside the repository"), ("modules/docs-only", "no Terraform directory")]
)
def test_only_must_be_a_terraform_directory_of_the_repo(tree, only, fragment):
    with pytest.raises(UsageError, match=fragment):
        validate.resolve_only(tree, only)


def test_skips_without_a_reason_are_found():
    skips = [
        CheckovFinding("CKV_1", "r", "f", "n", "No comment provided"),
        CheckovFinding("CKV_2", "r", "f", "n", ""),
        CheckovFinding("CKV_3", "r", "f", "n", None),
        CheckovFinding("CKV_4", "r", "f", "n", "ALB access logs need SSE-S3"),
    ]
    assert [f.check_id for f in validate.unexplained_skips(skips)] == ["CKV_1", "CKV_2", "CKV_3"]


# --- the command with stand-in steps -------------------------------------------------------------

RESULTS_OK = [
    validate.StepResult("modules/a", "fmt", "ok", 0.1),
    validate.StepResult("modules/a", "checkov", "ok", 2.0, "10 passed"),
]


@pytest.mark.parametrize(
    ("results", "code"),
    [(RESULTS_OK, 0), ([*RESULTS_OK, validate.StepResult("modules/a", "validate", "FAIL", 1.0, "bad")], 1)],
)
def test_exit_codes(capsys, monkeypatch, results, code):
    monkeypatch.setattr(validate, "run_all", lambda *a, **k: results)
    assert main(["validate"]) == code
    out = capsys.readouterr().out
    assert "modules/a" in out
    assert ("1 failed" if code else "all passed") in out


def test_json_and_markdown_formats(capsys, monkeypatch):
    monkeypatch.setattr(validate, "run_all", lambda *a, **k: RESULTS_OK)
    monkeypatch.setattr(validate, "optional_tool", lambda name: None)
    assert main(["validate", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] is True
    assert data["results"][1] == {
        "directory": "modules/a",
        "check": "checkov",
        "status": "ok",
        "seconds": 2.0,
        "detail": "10 passed",
    }
    assert set(data["not_installed"]) == {"tflint", "terraform-docs"}
    assert main(["validate", "--format", "markdown"]) == 0
    out = capsys.readouterr().out
    assert "| `modules/a` | checkov | ok | 2.0 s | 10 passed |" in out
    assert "- not installed: tflint — runs in pre-commit and CI" in out


def test_missing_optional_tools_are_reported_not_pretended(capsys, monkeypatch):
    monkeypatch.setattr(validate, "run_all", lambda *a, **k: RESULTS_OK)
    monkeypatch.setattr(validate, "optional_tool", lambda name: None if name == "tflint" else "/usr/bin/terraform-docs")
    main(["validate"])
    out = capsys.readouterr().out
    assert "not installed: tflint — runs in pre-commit and CI" in out
    assert "not installed: terraform-docs" not in out


def test_run_all_runs_every_directory_and_checkov_target_in_parallel(tree, tmp_path, monkeypatch):
    import threading

    seen = []
    monkeypatch.setattr("scripts.tf.REPO_ROOT", tree)
    monkeypatch.setattr(validate, "toolchain", lambda: None)
    monkeypatch.setattr(validate, "warm_plugin_cache", lambda: None)
    monkeypatch.setattr(validate, "optional_tool", lambda name: None)
    monkeypatch.setattr(validate, "checkov_binary", lambda: "checkov")

    def steps(workdir, directory, tc, tflint, log):
        assert workdir.is_dir() and not str(workdir).startswith(str(tree))  # a scratch copy
        assert log == tmp_path / "logs" / f"{directory.replace('/', '__')}.log"
        seen.append((directory, threading.current_thread().name))
        return [validate.StepResult(directory, "fmt", "ok", 0.0)]

    monkeypatch.setattr(validate, "terraform_steps", steps)
    monkeypatch.setattr(validate, "checkov_step", lambda repo, t: validate.StepResult(t, "checkov", "ok", 0.0))
    from rich.console import Console

    results = validate.run_all(tree, None, Console(quiet=True), workers=2, logdir=tmp_path / "logs")
    assert sorted(d for d, _ in seen) == validate.terraform_dirs(tree)
    assert [r.directory for r in results if r.check == "checkov"] == ["modules/a", "modules/b", "terraform"]


def fake_tool(tmp_path, name, code, output):
    path = tmp_path / name
    path.write_text(f"#!/bin/sh\necho '{output}'\nexit {code}\n")
    path.chmod(0o755)
    return str(path)


def test_tflint_when_installed(tmp_path):
    assert validate.tflint_init(fake_tool(tmp_path, "tflint0", 0, "installed")) == ""
    with pytest.raises(validate.StepFailed, match=r"tflint --init failed: could not reach github\.com"):
        validate.tflint_init(fake_tool(tmp_path, "tflint1", 1, "could not reach github.com"))
    assert validate.run_tflint(fake_tool(tmp_path, "tflint", 0, ""), tmp_path) == ""
    with pytest.raises(validate.StepFailed, match="aws_instance_invalid_type"):
        validate.run_tflint(
            fake_tool(tmp_path, "tflint2", 2, "main.tf:1:1: Error - aws_instance_invalid_type"), tmp_path
        )


def test_terraform_docs_when_installed(tmp_path):
    (tmp_path / "modules" / "m").mkdir(parents=True)
    with pytest.raises(validate.StepFailed, match=r"no README\.md"):
        validate.run_terraform_docs(fake_tool(tmp_path, "td", 0, ""), tmp_path, "modules/m")
    (tmp_path / "modules" / "m" / "README.md").write_text("x")
    assert validate.run_terraform_docs(fake_tool(tmp_path, "td", 0, ""), tmp_path, "modules/m") == ""
    with pytest.raises(validate.StepFailed, match="out of date"):
        validate.run_terraform_docs(fake_tool(tmp_path, "td2", 1, "README.md is out of date"), tmp_path, "modules/m")


# --- the real thing: terraform and checkov on a stand-in repository ---------------------------------

GOOD = """\
terraform {
  required_version = ">= 1.10"
}

variable "name" {
  type        = string
  description = "A name."
}

resource "terraform_data" "this" {
  input = var.name
}
"""

BAD = """\
terraform {
  required_version = ">= 1.10"
  required_providers {
    aws = { source = "hashicorp/aws", version = ">= 5.100, < 7.0" }
  }
}

resource "aws_cloudwatch_log_group" "this" {
  #checkov:skip=CKV_AWS_158
  name = "x"
     retention_in_days = 365
}
"""


@pytest.mark.emulator
def test_validate_finds_unformatted_files_and_unexplained_skips(tc, tmp_path, monkeypatch, capsys):
    repo = tmp_path / "repo"
    write(repo / "modules/good/main.tf", GOOD)
    write(repo / "modules/bad/main.tf", BAD)
    monkeypatch.setattr(validate, "REPO_ROOT", repo)
    monkeypatch.setattr("scripts.tf.REPO_ROOT", repo)
    code = main(["validate", "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    status = {(r["directory"], r["check"]): r for r in data["results"]}
    assert code == 1
    assert {k: v["status"] for k, v in status.items() if k[0] == "modules/good"} == {
        ("modules/good", "fmt"): "ok",
        ("modules/good", "init"): "ok",
        ("modules/good", "validate"): "ok",
        ("modules/good", "checkov"): "ok",
    }
    assert status[("modules/bad", "fmt")]["status"] == "FAIL"
    assert "main.tf" in status[("modules/bad", "fmt")]["detail"]
    assert status[("modules/bad", "validate")]["status"] == "ok"
    assert status[("modules/bad", "checkov")]["status"] == "FAIL"
    assert (
        "skip of CKV_AWS_158 on aws_cloudwatch_log_group.this has no reason"
        in status[("modules/bad", "checkov")]["detail"]
    )
    assert not list(repo.rglob(".terraform")), "validate must leave the repository clean"
    # Terraform's full output is kept for the directory that failed, and only for it.
    logs = Path(data["terraform_logs"])
    assert [p.name for p in logs.iterdir()] == ["modules__bad.log"]
    assert "$ terraform fmt -no-color -check -list=true" in (logs / "modules__bad.log").read_text()


def test_repo_root_is_the_default():
    assert validate.REPO_ROOT == REPO_ROOT


def test_checkov_step_fails_on_failed_checks_unexplained_skips_and_crashes(monkeypatch, tmp_path):
    from scripts.checkov_runner import CheckovResult

    failed = [CheckovFinding("CKV_AWS_1", "aws_s3_bucket.a", "/main.tf", "n")]
    skipped = [
        CheckovFinding("CKV_AWS_2", "aws_s3_bucket.a", "/main.tf", "n", "No comment provided"),
        CheckovFinding("CKV_AWS_3", "aws_s3_bucket.a", "/main.tf", "n", "Logs bucket: SSE-S3 by design"),
    ]
    monkeypatch.setattr(validate, "run_checkov", lambda d, quiet: CheckovResult(5, failed, skipped, 0))
    result = validate.checkov_step(tmp_path, "modules/a")
    assert (result.check, result.status) == ("checkov", "FAIL")
    assert "CKV_AWS_1 aws_s3_bucket.a" in result.detail
    assert "skip of CKV_AWS_2 on aws_s3_bucket.a has no reason" in result.detail
    assert "CKV_AWS_3" not in result.detail

    monkeypatch.setattr(validate, "run_checkov", lambda d, quiet: CheckovResult(5, [], skipped[1:], 0))
    assert validate.checkov_step(tmp_path, "modules/a").status == "ok"

    def crash(d, quiet):
        raise CheckovError("checkov failed on modules/a: boom")

    monkeypatch.setattr(validate, "run_checkov", crash)
    result = validate.checkov_step(tmp_path, "modules/a")
    assert result.status == "FAIL" and "checkov did not run" in result.detail
