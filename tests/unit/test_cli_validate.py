"""``python -m scripts validate``: discovery, validation roots, per-directory reporting of the one-run
steps, exit codes, formats, optional tools, and real runs (terraform + checkov) over a small stand-in
repository, including the proof that validating an example reports an error planted in its module."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

import scripts.terraform.validate as validate
from scripts.cli import main
from scripts.errors import UsageError
from scripts.terraform.checkov_runner import CheckovError
from scripts.terraform.checkov_runner import Finding as CheckovFinding


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


def offline(monkeypatch, repo, tc=None, checkov="checkov", checkov_version=lambda: "3.3.30") -> None:
    """validate() over ``repo`` with no toolchain set-up, no optional tool and checkov stood in."""
    monkeypatch.setattr("scripts.terraform.tf.REPO_ROOT", repo)
    monkeypatch.setattr(validate, "toolchain", lambda: tc)
    monkeypatch.setattr(validate, "warm_plugin_cache", lambda: None)
    monkeypatch.setattr(validate, "optional_tool", lambda name: None)
    monkeypatch.setattr(validate, "checkov_binary", lambda: checkov)
    monkeypatch.setattr(validate, "checkov_version", checkov_version)


def test_per_directory_strategy_runs_every_directory_and_checkov_target(tree, tmp_path, monkeypatch):
    import threading

    seen = []
    offline(monkeypatch, tree)

    def steps(workdir, directory, tc, tflint, log):
        assert workdir.is_dir() and not str(workdir).startswith(str(tree))  # a scratch copy
        assert log == tmp_path / "logs" / f"{directory.replace('/', '__')}.log"
        seen.append((directory, threading.current_thread().name))
        return [validate.StepResult(directory, "fmt", "ok", 0.0)]

    monkeypatch.setattr(validate, "terraform_steps", steps)
    monkeypatch.setattr(validate, "checkov_step", lambda repo, t: validate.StepResult(t, "checkov", "ok", 0.0))
    from rich.console import Console

    results = validate.run_all(
        tree, None, Console(quiet=True), workers=2, logdir=tmp_path / "logs", strategy="per-directory"
    )
    assert sorted(d for d, _ in seen) == validate.terraform_dirs(tree)
    assert [r.directory for r in results if r.check == "checkov"] == ["modules/a", "modules/b", "terraform"]


# --- the tree strategy: roots, coverage and one-run steps reported per directory -------------------

CALLS = {
    "modules/a/main.tf": 'module "b" {\n  source = "../b"\n}\n',
    "modules/a/examples/basic/main.tf": (
        'terraform {\n  required_providers {\n    aws = { source = "hashicorp/aws" }\n  }\n}\n\n'
        'module "a" {\n  source = "../.."\n}\n'
    ),
    "modules/b/variables.tf": "",
    "modules/c/main.tf": 'resource "aws_s3_object" "o" {\n  source = "./files/x.txt"\n}\n',
    "terraform/main.tf": 'module "a" {\n  source = "../modules/a"\n}\n',
    "terraform/bootstrap/main.tf": "",
}


@pytest.fixture
def calling_tree(tmp_path):
    root = tmp_path / "repo"
    for rel, text in CALLS.items():
        write(root / rel, text)
    return root


def test_validation_roots_are_the_directories_nothing_calls(calling_tree):
    dirs = validate.terraform_dirs(calling_tree)
    assert validate.local_module_calls(calling_tree, "modules/a/examples/basic", set(dirs)) == {"modules/a"}
    assert validate.local_module_calls(calling_tree, "modules/a", set(dirs)) == {"modules/b"}
    # A resource's "source" that is no Terraform directory, and a provider source, are no module calls.
    assert validate.local_module_calls(calling_tree, "modules/c", set(dirs)) == set()
    assert validate.validation_roots(calling_tree, dirs) == [
        "modules/a/examples/basic",
        "modules/c",
        "terraform",
        "terraform/bootstrap",
    ]


def test_modules_loaded_reads_what_init_installed(tmp_path):
    scratch = tmp_path / "scratch"
    manifest = scratch / "modules/a/examples/basic/.terraform/modules/modules.json"
    manifest.parent.mkdir(parents=True)
    manifest.write_text(
        json.dumps(
            {
                "Modules": [
                    {"Key": "", "Source": "", "Dir": "."},
                    {"Key": "a", "Source": "../..", "Dir": "../.."},
                    {"Key": "a.b", "Source": "../b", "Dir": "../../../b"},
                    {"Key": "vpc", "Source": "registry.terraform.io/x/vpc/aws", "Dir": ".terraform/modules/vpc"},
                ]
            }
        )
    )
    loaded = validate.modules_loaded(scratch / "modules/a/examples/basic", scratch)
    assert loaded == {"modules/a", "modules/b", "modules/a/examples/basic/.terraform/modules/vpc"}
    assert validate.modules_loaded(tmp_path / "nowhere", tmp_path) == set()


def test_a_called_module_is_reported_through_its_roots_and_an_uncovered_one_is_left_over():
    ok, fail = validate.OK, validate.FAIL
    outcomes = {
        "modules/a/examples/basic": validate.RootOutcome(
            [validate.StepResult("modules/a/examples/basic", "validate", fail, 3.0, "Unsupported argument")],
            loaded={"modules/a", "modules/b"},
            errors={"modules/a": ["Unsupported argument: An argument named x is not expected. modules/a/main.tf"]},
        ),
        "terraform": validate.RootOutcome(
            [validate.StepResult("terraform", "validate", ok, 4.0)], loaded={"modules/a", "modules/b"}
        ),
    }
    dirs = ["modules/a", "modules/a/examples/basic", "modules/b", "modules/c", "terraform"]
    rows, leftovers = validate.covered_results(dirs, outcomes)
    assert leftovers == ["modules/c"]
    assert [(r.directory, r.check, r.status) for r in rows] == [
        ("modules/a", "validate", fail),
        ("modules/b", "validate", ok),
    ]
    assert rows[0].detail == (
        "Unsupported argument: An argument named x is not expected. modules/a/main.tf "
        "(through modules/a/examples/basic (+1 more))"
    )
    assert rows[1].detail == "through modules/a/examples/basic (+1 more)"


def test_checkov_findings_of_one_run_are_reported_per_module():
    from scripts.terraform.checkov_runner import CheckovResult

    result = CheckovResult(
        passed=4,
        failed=[CheckovFinding("CKV2_AWS_76", "module.alb.aws_lb.this", "/modules/a/main.tf", "n")],
        skipped=[
            CheckovFinding("CKV_AWS_2", "aws_s3_bucket.x", "/modules/b/examples/e/main.tf", "n", "SSE-S3 by design"),
            CheckovFinding("CKV_AWS_3", "aws_s3_bucket.y", "/terraform/main.tf", "n", None),
        ],
        parsing_errors=0,
        passed_files=(
            "/modules/a/main.tf",
            "/modules/b/examples/e/main.tf",
            "/terraform/bootstrap/main.tf",
            "/.github/workflows/ci.yml",
        ),
    )
    rows = validate.checkov_rows(result, 12.5, ".", False, ["modules/a", "modules/b", "modules/c", "terraform"])
    got = {r.directory: (r.status, r.detail) for r in rows}
    assert got["."] == ("ok", "one run over .: 4 passed, 2 skipped")
    assert rows[0].seconds == 12.5
    assert got["modules/a"] == ("FAIL", "1 problems: CKV2_AWS_76 module.alb.aws_lb.this (/modules/a/main.tf)")
    assert got["modules/b"] == ("ok", "1 passed, 1 skipped with reasons")
    assert got["modules/c"] == ("ok", "0 passed, 0 skipped with reasons")
    assert got["terraform"] == ("FAIL", "1 problems: skip of CKV_AWS_3 on aws_s3_bucket.y has no reason")
    assert got[".github/workflows"] == ("ok", "1 passed, 0 skipped with reasons")
    # With --only, everything belongs to the one directory scanned.
    only = validate.checkov_rows(result, 1.0, "modules/a", True, ["modules/a"])
    assert [r.directory for r in only] == [".", "modules/a"]
    assert only[1].status == "FAIL"


def test_checkov_parsing_errors_fail_the_run():
    from scripts.terraform.checkov_runner import CheckovResult

    rows = validate.checkov_rows(CheckovResult(0, [], [], 2), 1.0, ".", False, ["modules/a"])
    assert (rows[0].status, rows[0].detail) == ("FAIL", "2 files could not be parsed")


def test_one_fmt_process_is_reported_per_directory(monkeypatch, tmp_path):
    calls = []

    class FakeWorkspace:
        def __init__(self, workdir, tc, log=None):
            self.workdir = workdir

        def run(self, command, *args, ok_codes=(0,)):
            import tftest

            calls.append((self.workdir, command, args))
            return tftest.TerraformCommandOutput(3, "modules/a/main.tf\nterraform/environments/dev.tfvars\n", "")

    (tmp_path / "modules").mkdir()
    (tmp_path / "terraform").mkdir()
    monkeypatch.setattr(validate, "Workspace", FakeWorkspace)
    rows = validate.fmt_tree(tmp_path, ["modules/a", "modules/b", "terraform"], None, None)
    assert calls == [(tmp_path, "fmt", ("-check", "-list=true", "-recursive", "modules", "terraform"))]
    got = {r.directory: (r.status, r.detail) for r in rows}
    assert got == {
        ".": ("ok", "one process over 3 directories: 2 files not formatted"),
        "modules/a": ("FAIL", "not formatted: main.tf"),
        "modules/b": ("ok", ""),
        "terraform": ("ok", ""),
        "terraform/environments": ("FAIL", "not formatted: dev.tfvars"),
    }
    calls.clear()
    validate.fmt_tree(tmp_path, ["modules/a"], "modules/a", None)
    assert calls[0][2][-1] == "modules/a"


def test_tree_strategy_validates_roots_then_what_no_root_loaded(calling_tree, tmp_path, monkeypatch):
    seen = []
    offline(monkeypatch, calling_tree)

    def validate_root(scratch, directory, tc, tflint, log):
        assert (scratch / directory).is_dir() and not str(scratch).startswith(str(calling_tree))
        assert log == tmp_path / "logs" / f"{directory.replace('/', '__')}.log"
        seen.append(directory)
        # The example's init loaded only modules/a (say, modules/b failed to load): b is left over.
        loaded = {"modules/a"} if directory == "modules/a/examples/basic" else set()
        return validate.RootOutcome([validate.StepResult(directory, "validate", "ok", 1.0)], loaded=loaded)

    monkeypatch.setattr(validate, "validate_root", validate_root)
    monkeypatch.setattr(
        validate, "fmt_tree", lambda scratch, dirs, only, tc, log: [validate.StepResult(".", "fmt", "ok", 0.1)]
    )
    monkeypatch.setattr(validate, "checkov_tree", lambda repo, only: [validate.StepResult(".", "checkov", "ok", 9.0)])
    from rich.console import Console

    results = validate.run_all(calling_tree, None, Console(quiet=True), workers=2, logdir=tmp_path / "logs")
    roots = ["modules/a/examples/basic", "modules/c", "terraform", "terraform/bootstrap"]
    assert sorted(seen[:4]) == roots and seen[4:] == ["modules/b"]
    assert {(r.directory, r.check, r.detail) for r in results if r.directory == "modules/a"} == {
        ("modules/a", "validate", "through modules/a/examples/basic")
    }
    assert [r.check for r in results if r.directory == "."] == ["fmt", "checkov"]


def test_passed_results_are_reused_until_something_they_read_changes(calling_tree, tmp_path, monkeypatch):
    from rich.console import Console

    from scripts.terraform.toolchain import Toolchain

    config = tmp_path / "terraformrc"
    config.write_text("disable_checkpoint = true\n")
    fake_tc = Toolchain("/usr/bin/terraform", "1.11.4", "mirror", None, config, tmp_path / "plugins")
    binary = tmp_path / "checkov"
    binary.write_text("")
    monkeypatch.setenv("PLATFORM_CACHE_DIR", str(tmp_path / "cache"))
    ran: list[str] = []
    probed: list[str] = []
    # `checkov --version` (seconds) runs only when checkov will: a broken checkov is then exit 2 up front.
    offline(monkeypatch, calling_tree, fake_tc, str(binary), lambda: probed.append("checkov") or "3.3.30")

    def validate_root(scratch, directory, tc, tflint, log):
        ran.append(directory)
        loaded = {"modules/a", "modules/b"} if directory in ("modules/a/examples/basic", "terraform") else set()
        status = "FAIL" if directory == "modules/c" else "ok"  # a failure is never kept
        return validate.RootOutcome([validate.StepResult(directory, "validate", status, 1.0, "")], loaded=loaded)

    def checkov_tree(repo, only):
        ran.append("checkov")
        return [validate.StepResult(".", "checkov", "ok", 9.0, "one run")]

    monkeypatch.setattr(validate, "validate_root", validate_root)
    monkeypatch.setattr(validate, "checkov_tree", checkov_tree)
    monkeypatch.setattr(
        validate, "fmt_tree", lambda scratch, dirs, only, tc, log: [validate.StepResult(".", "fmt", "ok", 0.1)]
    )

    def run_twice_with_a_change(change=None):
        ran.clear()
        probed.clear()
        if change:
            change()
        results = validate.run_all(calling_tree, None, Console(quiet=True), workers=2, use_cache=True)
        assert probed == [r for r in ran if r == "checkov"]
        return results

    run_twice_with_a_change()
    assert sorted(ran) == ["checkov", "modules/a/examples/basic", "modules/c", "terraform", "terraform/bootstrap"]
    results = run_twice_with_a_change()
    assert ran == ["modules/c"]  # it failed: it runs again
    cached = {r.directory: r for r in results if r.check == "validate"}
    assert cached["terraform"].detail == "cached" and cached["terraform"].seconds == 0.0
    assert cached["modules/a"].detail == "through modules/a/examples/basic (+1 more)"
    # A module two roots call changed: both roots and checkov run again, bootstrap does not.
    run_twice_with_a_change(lambda: (calling_tree / "modules/b/variables.tf").write_text("# changed\n"))
    assert sorted(ran) == ["checkov", "modules/a/examples/basic", "modules/c", "terraform"]
    # A workflow changed: checkov only.
    run_twice_with_a_change(lambda: write(calling_tree / ".github/workflows/ci.yml", "on: push\n"))
    assert sorted(ran) == ["checkov", "modules/c"]
    # Python changed: nothing checkov or Terraform reads.
    run_twice_with_a_change(lambda: write(calling_tree / "scripts/x.py", "pass\n"))
    assert ran == ["modules/c"]
    # Without the cache, everything runs.
    ran.clear()
    validate.run_all(calling_tree, None, Console(quiet=True), workers=2)
    assert len(ran) == 5


def test_unknown_strategy_is_a_usage_error(tree):
    from rich.console import Console

    with pytest.raises(UsageError, match="unknown strategy 'fast'"):
        validate.run_all(tree, None, Console(quiet=True), strategy="fast")


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

# The terraform block of the two stand-in modules that use the AWS provider.
REQUIRES_AWS = """\
terraform {
  required_version = ">= 1.10"
  required_providers {
    aws = { source = "hashicorp/aws", version = ">= 5.100, < 7.0" }
  }
}
"""

BAD = (
    REQUIRES_AWS
    + """
resource "aws_cloudwatch_log_group" "this" {
  #checkov:skip=CKV_AWS_158
  name = "x"
     retention_in_days = 365
}
"""
)


# A module with an error only the provider's schema can see, and the example that calls it.
PLANTED = (
    REQUIRES_AWS
    + """
resource "aws_ssm_parameter" "this" {
  name  = "/planted/x"
  type  = "String"
  valeu = "x"
}
"""
)

PLANTED_EXAMPLE = """\
terraform {
  required_version = ">= 1.10"
}

module "planted" {
  source = "../.."
}
"""


@pytest.mark.emulator
def test_validating_an_example_reports_an_error_planted_in_the_module_it_calls(tc, tmp_path):
    """Terraform itself, no project code in between: the example's validate points at the module's file."""
    from scripts.terraform.tf import Workspace

    example = tmp_path / "modules/planted/examples/basic"
    write(tmp_path / "modules/planted/main.tf", PLANTED)
    write(example / "main.tf", PLANTED_EXAMPLE)
    ws = Workspace(example, tc)
    ws.init(backend=False)
    report = ws.validate()
    assert report["valid"] is False
    [error] = [d for d in report["diagnostics"] if d["severity"] == "error"]
    assert error["summary"] == "Unsupported argument"
    assert 'An argument named "valeu" is not expected here.' in error["detail"]
    assert error["range"]["filename"] == "../../main.tf"


@pytest.mark.emulator
def test_validate_finds_unformatted_files_unexplained_skips_and_errors_in_called_modules(
    tc, tmp_path, monkeypatch, capsys
):
    repo = tmp_path / "repo"
    write(repo / "modules/good/main.tf", GOOD)
    # A module (it has variables.tf) whose README's usage snippet leaves out a required argument.
    write(repo / "modules/good/variables.tf", "")
    write(repo / "modules/good/README.md", '# good\n\n```hcl\nmodule "good" {\n  source = "../modules/good"\n}\n```\n')
    write(repo / "modules/bad/main.tf", BAD)
    write(repo / "modules/planted/main.tf", PLANTED)
    write(repo / "modules/planted/examples/basic/main.tf", PLANTED_EXAMPLE)
    monkeypatch.setattr(validate, "REPO_ROOT", repo)
    monkeypatch.setattr("scripts.terraform.tf.REPO_ROOT", repo)
    code = main(["validate", "--format", "json", "--no-cache"])
    data = json.loads(capsys.readouterr().out)
    status = {(r["directory"], r["check"]): r for r in data["results"]}
    assert code == 1
    assert {k: v["status"] for k, v in status.items() if k[0] == "modules/good"} == {
        ("modules/good", "fmt"): "ok",
        ("modules/good", "init"): "ok",
        ("modules/good", "validate"): "ok",
        ("modules/good", "checkov"): "ok",
        ("modules/good", "readme snippets"): "FAIL",
    }
    assert status[("modules/good", "readme snippets")]["detail"] == (
        "modules/good/README.md block 1 (line 4), README line 4: Missing required argument: "
        'The argument "name" is required, but no definition was found.'
    )
    assert status[("modules/bad", "fmt")]["status"] == "FAIL"
    assert "main.tf" in status[("modules/bad", "fmt")]["detail"]
    assert status[("modules/bad", "validate")]["status"] == "ok"
    assert status[("modules/bad", "checkov")]["status"] == "FAIL"
    assert (
        "skip of CKV_AWS_158 on aws_cloudwatch_log_group.this has no reason"
        in status[("modules/bad", "checkov")]["detail"]
    )
    # The planted module had no init or validate of its own: its example's validate reported it.
    assert ("modules/planted", "init") not in status
    planted = status[("modules/planted", "validate")]
    assert planted["status"] == "FAIL"
    assert planted["detail"].startswith("Unsupported argument: An argument named")
    assert planted["detail"].endswith("modules/planted/main.tf (through modules/planted/examples/basic)")
    assert status[("modules/planted/examples/basic", "validate")]["status"] == "FAIL"
    assert {d for d, check in status if check == "init"} == {
        "modules/good",
        "modules/bad",
        "modules/planted/examples/basic",
    }
    assert not list(repo.rglob(".terraform")), "validate must leave the repository clean"
    # Terraform's full output is kept for what failed, and only for it: fmt's one run and the example.
    logs = Path(data["terraform_logs"])
    assert sorted(p.name for p in logs.iterdir()) == ["fmt.log", "modules__planted__examples__basic.log"]
    assert "$ terraform fmt -no-color -check -list=true -recursive modules" in (logs / "fmt.log").read_text()


def test_checkov_step_fails_on_failed_checks_unexplained_skips_and_crashes(monkeypatch, tmp_path):
    from scripts.terraform.checkov_runner import CheckovResult

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


def test_a_checkov_that_crashes_is_an_error_not_a_clean_scan(tmp_path, monkeypatch):
    """Exit 1 (checkov's "checks failed") without a JSON report is checkov crashing, not 0 failures."""
    from scripts.terraform.checkov_runner import run_checkov

    crashing = tmp_path / "checkov"
    crashing.write_text("#!/bin/sh\necho \"ModuleNotFoundError: No module named 'checkov'\" >&2\nexit 1\n")
    crashing.chmod(0o755)
    monkeypatch.setenv("PLATFORM_CHECKOV_BINARY", str(crashing))
    with pytest.raises(CheckovError, match=r"printed no report \(exit 1\): ModuleNotFoundError: No module named"):
        run_checkov(tmp_path)
