"""Small helpers of the Terraform driver."""

from __future__ import annotations

import logging
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from scripts.terraform.tf import (
    TerraformError,
    Workspace,
    diagnostics,
    error_messages,
    first_diagnostic,
    scratch_copy,
    unique_name,
)
from scripts.terraform.toolchain import Toolchain

# Terraform 1.11.4's stderr for `plan -no-color` of a configuration with a failed variable validation,
# resource precondition and output precondition (recorded from a real run).
PLAIN = """\
There are some problems with the CLI configuration:
╷
│ Warning: Unable to open CLI configuration file
│
│ The CLI configuration file at "/root/.terraformrc" does not exist.
╵


Error: Invalid value for variable

  on main.tf line 1:
   1: variable "env" {
    ├────────────────
    │ var.env is "staging"

env must be one of: dev, prod (got "staging"). Add a tfvars file and extend
this list to introduce another environment, which is a long message that
wraps.

This was checked by the validation rule at main.tf:3,3-13.

Error: Resource precondition failed

  on main.tf line 16, in resource "terraform_data" "x":
  16:       condition     = var.n > 5
    ├────────────────
    │ var.n is 1

n must be above 5 for the resource.

Error: Module output value precondition failed

  on main.tf line 24, in output "o":
  24:     condition     = var.n > 3
    ├────────────────
    │ var.n is 1

n must be above 3 for the output.
"""


def test_diagnostics_of_plain_output_give_the_configurations_own_messages():
    found = diagnostics(PLAIN)
    assert [(d.severity, d.summary, d.refusal) for d in found] == [
        ("warning", "Unable to open CLI configuration file", False),
        ("error", "Invalid value for variable", True),
        ("error", "Resource precondition failed", True),
        ("error", "Module output value precondition failed", True),
    ]
    assert error_messages(PLAIN) == [
        'env must be one of: dev, prod (got "staging"). Add a tfvars file and extend this list to introduce '
        "another environment, which is a long message that wraps.",
        "n must be above 5 for the resource.",
        "n must be above 3 for the output.",
    ]
    # Terraform's "var.x is ..." detail is in the log, never in the summary.
    assert not any("var.env is" in m for m in error_messages(PLAIN))


def test_diagnostics_of_colour_output_with_boxes_and_ansi():
    coloured = (
        "\x1b[31m╷\x1b[0m\n"
        "\x1b[31m│\x1b[0m \x1b[1m\x1b[31mError: \x1b[0m\x1b[1mResource precondition failed\x1b[0m\n"
        "\x1b[31m│\x1b[0m \n"
        "\x1b[31m│\x1b[0m   with module.database.aws_db_instance.this,\n"
        "\x1b[31m│\x1b[0m   on ../modules/rds-postgres/main.tf line 16, in resource:\n"
        "\x1b[31m│\x1b[0m   16:       condition     = \x1b[4mvar.n > 5\x1b[0m\n"
        "\x1b[31m│\x1b[0m     \x1b[90m│\x1b[0m \x1b[1mvar.n\x1b[0m is 1\n"
        "\x1b[31m│\x1b[0m \n"
        "\x1b[31m│\x1b[0m n must be above 5.\n"
        "\x1b[31m╵\x1b[0m\n"
        "Some trailing line\n"
    )
    assert error_messages(coloured) == ["n must be above 5."]


def test_other_errors_keep_their_summary_and_come_after_refusals():
    output = "Error: reading EC2 VPCs: throttled\n\nretry later\n\n" + PLAIN
    assert error_messages(output)[0].startswith("env must be one of")
    assert error_messages(output)[-1] == "reading EC2 VPCs: throttled: retry later"
    # Repeated diagnostics (a module instantiated twice) are one line.
    assert error_messages(PLAIN + "\n" + PLAIN) == error_messages(PLAIN)


def test_first_diagnostic_joins_summary_and_detail():
    out = """
╷
│ Error: Invalid value for variable
│
│   on main.tf line 3:
│    3:   bucket_name = "Bad"
│
│ bucket_name must be 3-63 characters of lowercase letters.
╵
"""
    assert first_diagnostic(out) == "bucket_name must be 3-63 characters of lowercase letters."
    assert first_diagnostic(out.replace("Invalid value for variable", "Unsupported argument")) == (
        "Unsupported argument: bucket_name must be 3-63 characters of lowercase letters."
    )


def test_first_diagnostic_without_error_gives_the_last_line():
    assert first_diagnostic("Initializing...\nsomething odd happened\n") == "something odd happened"


def test_unique_names_are_valid_and_distinct(monkeypatch):
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw3")
    names = {unique_name("imgclass-uploads") for _ in range(50)}
    assert len(names) == 50
    for name in names:
        assert re.fullmatch(r"[a-z0-9-]{3,32}", name)
        assert "gw3" in name


def test_scratch_copy_keeps_relative_module_paths(tmp_path):
    target = scratch_copy("modules/private-s3/examples/complete", tmp_path)
    assert (target / "main.tf").exists()
    assert (target / "../../main.tf").resolve() == (tmp_path / "modules/private-s3/main.tf").resolve()
    assert not list(tmp_path.rglob(".terraform"))


# --- Workspace.run with a stand-in terraform ------------------------------------------------------


@pytest.fixture
def fake_terraform(tmp_path):
    """A terraform that prints a plan's worth of stdout and a validation error, and exits with $CODE."""
    script = tmp_path / "terraform"
    script.write_text(
        textwrap.dedent(
            """\
            #!/bin/sh
            i=0
            while [ $i -lt 3000 ]; do echo "  # resource $i will be created"; i=$((i+1)); done
            printf '\\nError: Invalid value for variable\\n\\n  on x.tfvars line 1:\\n   1: environment = "qa"\\n' >&2
            printf '    │ var.environment is "qa"\\n\\nenvironment must be dev or prod.\\n' >&2
            exit ${CODE:-1}
            """
        )
    )
    script.chmod(0o755)
    return script


def stand_in(tmp_path, binary, code, log=None):
    tc = Toolchain(str(binary), "1.11.4", "mirror", None, tmp_path / "rc", tmp_path / "cache")
    return Workspace(tmp_path, tc, extra_env={"CODE": str(code)}, log=log)


@pytest.mark.parametrize("code", [1, 2])
def test_a_failed_command_is_one_summary_and_a_full_log(tmp_path, fake_terraform, code):
    log = tmp_path / "tf.log"
    ws = stand_in(tmp_path, fake_terraform, code, log)
    with pytest.raises(TerraformError) as err:
        ws.plan(None)
    assert str(err.value) == "terraform plan failed: environment must be dev or prod."
    assert err.value.refusals == ["environment must be dev or prod."]
    assert err.value.log == log
    text = log.read_text()
    assert text.startswith("$ terraform plan -no-color -input=false")
    assert "# resource 2999 will be created" in text and 'var.environment is "qa"' in text
    assert f"(exit {code})" in text


def test_exit_codes_the_caller_accepts_are_not_errors(tmp_path, fake_terraform):
    # tftest raises for exit code 1 whatever the caller accepts (`validate -json`, `state list`).
    result = stand_in(tmp_path, fake_terraform, 1).run("validate", "-json", ok_codes=(0, 1))
    assert result.retcode == 1
    assert "# resource 0 will be created" in result.out
    assert "environment must be dev or prod." in result.err


def test_terraform_output_never_reaches_the_terminal(tmp_path, fake_terraform):
    """tftest logs every line and the whole failure; with no logging set up, Python printed them."""
    code = f"""
import sys
from pathlib import Path
from scripts.terraform.tf import TerraformError, Workspace
from scripts.terraform.toolchain import Toolchain
tmp = Path({str(tmp_path)!r})
tc = Toolchain({str(fake_terraform)!r}, "1.11.4", "mirror", None, tmp / "rc", tmp / "cache")
try:
    Workspace(tmp, tc).run("plan")
except TerraformError as exc:
    print(exc)
"""
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
        check=False,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert proc.stdout == "terraform plan failed: environment must be dev or prod.\n"
    assert logging.getLogger("tftest").propagate is False


def test_a_missing_binary_is_a_terraform_error(tmp_path):
    with pytest.raises(TerraformError, match="Terraform executable not found"):
        stand_in(tmp_path, tmp_path / "no-terraform", 0).run("version")
