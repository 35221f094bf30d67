"""``python -m scripts check-plan``: exit codes 0/1/2, every output format, bad input."""

from __future__ import annotations

import codecs
import json

import pytest

from scripts.cli import main
from tests.support.cli import run_cli
from tests.support.planbuilder import platform_plan


@pytest.fixture
def safe_plan(tmp_path):
    return platform_plan().write(tmp_path / "safe.json")


@pytest.fixture
def unsafe_plan(tmp_path):
    return platform_plan(max_capacity=20).write(tmp_path / "unsafe.json")


def run(capsys, *argv):
    code = main(["check-plan", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


def test_safe_plan_exits_0_with_a_table(capsys, safe_plan):
    code, out, err = run(capsys, safe_plan)
    assert code == 0, err
    assert "Connection budget: module.database.aws_db_instance.this" in out
    assert "SAFE" in out


def test_unsafe_plan_exits_1(capsys, unsafe_plan):
    code, out, _ = run(capsys, unsafe_plan)
    assert code == 1
    assert "budget.exceeded" in out and "UNSAFE" in out


def test_json_format(capsys, unsafe_plan):
    code, out, _ = run(capsys, unsafe_plan, "--format", "json")
    assert code == 1
    data = json.loads(out)
    assert data["safe"] is False
    assert data["findings"][0]["check_id"] == "budget.exceeded"


def test_markdown_format(capsys, safe_plan):
    code, out, _ = run(capsys, safe_plan, "--format", "markdown")
    assert code == 0
    assert out.startswith("## Plan checks: ✅ safe to apply")
    assert "### Monthly cost estimate (USD)" in out


@pytest.mark.parametrize("fmt", ["table", "json", "markdown"])
def test_output_file_for_every_format(capsys, tmp_path, unsafe_plan, fmt):
    target = tmp_path / f"report.{fmt}"
    code, out, _ = run(capsys, unsafe_plan, "--format", fmt, "--output", target)
    assert code == 1
    assert f"{fmt} report written to {target}" in out
    text = target.read_text()
    if fmt == "json":
        assert json.loads(text)["summary"]["errors"] >= 1
    else:
        assert "budget.exceeded" in text
    assert "\x1b[" not in text


def test_env_budget_and_allow_destroy_and_prod_like(capsys, tmp_path):
    b = platform_plan()
    b.add("aws_sqs_queue.jobs", {"name": "jobs"}, actions=["delete"])
    plan = b.write(tmp_path / "p.json")
    code, out, _ = run(capsys, plan, "--format", "json", "--env-budget", "5")
    ids = {f["check_id"] for f in json.loads(out)["findings"]}
    assert code == 1 and {"cost.over-budget", "destructive.stateful"} <= ids

    code, out, _ = run(capsys, plan, "--format", "json", "--allow-destroy", "aws_sqs_queue.jobs")
    assert code == 0, out

    code, out, _ = run(capsys, plan, "--format", "json", "--allow-destroy", "aws_sqs_queue.jobs", "--prod-like")
    ids = {f["check_id"] for f in json.loads(out)["findings"]}
    assert code == 1 and "reliability.multi-az" in ids


# --- bad input: exit 2 with one line -------------------------------------------------------------


def one_line_error(capsys, *argv):
    code, _, err = run(capsys, *argv)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert "Traceback" not in err
    return lines[0]


def test_malformed_json(capsys, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format_version": "1.2", ')
    assert "is not valid JSON" in one_line_error(capsys, bad)


def test_other_format_version_major(capsys, tmp_path):
    plan = platform_plan().build()
    plan["format_version"] = "2.0"
    path = tmp_path / "v2.json"
    path.write_text(json.dumps(plan))
    assert "format_version 2.0 is not supported" in one_line_error(capsys, path)


@pytest.mark.parametrize(
    ("mutate", "fragment"),
    [
        (lambda p: p.pop("format_version"), "no format_version"),
        (lambda p: (p.pop("planned_values"), p.pop("resource_changes")), "neither planned_values nor resource_changes"),
        (
            lambda p: p["planned_values"]["root_module"]["child_modules"][0]["resources"][0].pop("type"),
            "lacks the key 'type'",
        ),
        (lambda p: p.__setitem__("planned_values", []), "does not have the shape"),
    ],
    ids=["no-version", "no-plan", "resource-without-type", "wrong-shape"],
)
def test_missing_keys(capsys, tmp_path, mutate, fragment):
    plan = platform_plan().build()
    mutate(plan)
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(plan))
    assert fragment in one_line_error(capsys, path)


def test_not_a_plan_object(capsys, tmp_path):
    path = tmp_path / "list.json"
    path.write_text("[]")
    assert "must be an object" in one_line_error(capsys, path)


def test_missing_file(capsys, tmp_path):
    assert "cannot read plan JSON" in one_line_error(capsys, tmp_path / "nope.json")


@pytest.mark.parametrize(
    ("output", "fragment"),
    [
        ("missing-dir/report.md", "does not exist"),
        (".", "is a directory"),
    ],
)
def test_unwritable_output_path(capsys, tmp_path, safe_plan, output, fragment):
    assert fragment in one_line_error(capsys, safe_plan, "--output", tmp_path / output)


def test_output_write_failure(capsys, safe_plan):
    # /proc refuses new files even for root, whatever os.access says.
    assert "--output" in one_line_error(capsys, safe_plan, "--output", "/proc/imgclass-report.md")


def test_bad_budget_is_a_usage_error(capsys, safe_plan):
    with pytest.raises(SystemExit) as exc:
        main(["check-plan", str(safe_plan), "--env-budget", "-3"])
    assert exc.value.code == 2
    assert "the budget must be above 0" in capsys.readouterr().err


def test_entry_point_in_a_fresh_process(safe_plan):
    proc = run_cli("check-plan", safe_plan, "--format", "json", timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["safe"] is True


# --- plan files written by Windows PowerShell 5.1 --------------------------------------------------


def powershell_redirect(source, target):
    """What `terraform show -json PLAN > FILE` produces in Windows PowerShell 5.1: UTF-16 LE, a BOM, CRLF."""
    target.write_bytes(codecs.BOM_UTF16_LE + (source.read_text() + "\r\n").encode("utf-16-le"))
    return target


def test_a_utf16_plan_from_powershell_is_checked_like_any_other(capsys, tmp_path, unsafe_plan):
    plan = powershell_redirect(unsafe_plan, tmp_path / "ps.json")
    code, out, err = run(capsys, plan, "--format", "json")
    assert code == 1, err
    assert "budget.exceeded" in {f["check_id"] for f in json.loads(out)["findings"]}


def test_a_utf8_plan_with_a_bom_is_read(capsys, tmp_path, safe_plan):
    plan = tmp_path / "bom.json"
    plan.write_bytes(codecs.BOM_UTF8 + safe_plan.read_bytes())
    code, out, err = run(capsys, plan, "--format", "json")
    assert code == 0, err
    assert json.loads(out)["safe"] is True


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (
            codecs.BOM_UTF16_LE + b"{\x00\x00\xd8",
            "is not a text file in UTF-8 or UTF-16 (utf-16 by its byte order mark)",
        ),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "is not a text file in UTF-8 or UTF-16"),
        ('{"format_version": "1.2"}'.encode("utf-16-le"), "looks like UTF-16 without a byte order mark"),
        (codecs.BOM_UTF16_LE + "{ not json".encode("utf-16-le"), "is not valid JSON (line 1"),
    ],
    ids=["broken-utf16", "binary", "utf16-without-bom", "utf16-not-json"],
)
def test_undecodable_or_non_json_files_exit_2_naming_the_file(capsys, tmp_path, data, fragment):
    path = tmp_path / "plan.json"
    path.write_bytes(data)
    line = one_line_error(capsys, path)
    assert str(path) in line and fragment in line


def test_a_directory_is_an_unreadable_file(capsys, tmp_path):
    assert f"cannot read plan JSON {tmp_path}: Is a directory" in one_line_error(capsys, tmp_path)


# --- checkov on the plan --------------------------------------------------------------------------


def test_a_public_database_fails_check_plan_through_checkov(capsys, tmp_path):
    plan = platform_plan()
    plan.add("aws_db_instance.exposed", {"publicly_accessible": True, "storage_encrypted": True})
    code, out, err = run(capsys, plan.write(tmp_path / "public-db.json"), "--format", "json")
    assert code == 1, err
    errors = {
        f["check_id"]: f
        for f in json.loads(out)["findings"]
        if f["address"] == "aws_db_instance.exposed" and f["severity"] == "error"
    }
    finding = errors["checkov.CKV_AWS_17"]
    assert finding["message"] == "Ensure all data stored in RDS is not publicly accessible"
    assert "#checkov:skip=CKV_AWS_17:" in finding["fix"]


def test_the_platform_plan_keeps_the_alb_modules_reasoned_skip_of_port_80(capsys, safe_plan):
    # platform_plan's module.alb names modules/alb as its source, whose http ingress rule skips
    # CKV_AWS_260 with a reason: the same failure a hand-made root without that skip would report.
    code, out, err = run(capsys, safe_plan, "--format", "json")
    assert code == 0, err
    ids_on_http = {
        f["check_id"]
        for f in json.loads(out)["findings"]
        if f["address"] == "module.alb.aws_vpc_security_group_ingress_rule.http"
    }
    assert "checkov.CKV_AWS_260" not in ids_on_http


def test_a_missing_checkov_is_exit_2_and_one_line(capsys, monkeypatch, safe_plan, tmp_path):
    monkeypatch.setenv("PLATFORM_CHECKOV_BINARY", str(tmp_path / "no-checkov"))
    code, out, err = run(capsys, safe_plan)
    assert code == 2
    assert out == ""
    assert err.strip().splitlines() == [err.strip()]
    assert "checkov not found at PLATFORM_CHECKOV_BINARY=" in err


def test_a_source_dir_that_is_not_a_directory_is_exit_2(capsys, safe_plan, tmp_path):
    assert "--source-dir" in one_line_error(capsys, safe_plan, "--source-dir", tmp_path / "nowhere")
