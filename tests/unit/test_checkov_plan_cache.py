"""checkov's report on a plan is reused while the plan, the config and checkov are unchanged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scripts.terraform import checkov_runner

REPORT = {
    "check_type": "terraform_plan",
    "results": {
        "passed_checks": [],
        "failed_checks": [{"check_id": "CKV_AWS_17", "resource": "aws_db_instance.this", "check_name": "public"}],
        "skipped_checks": [],
    },
    "summary": {"passed": 0, "failed": 1, "parsing_errors": 0},
}


def fake_checkov(tmp_path: Path) -> tuple[Path, Path]:
    """A stand-in checkov that counts its runs and prints one failed check."""
    calls = tmp_path / "calls"
    script = tmp_path / "checkov"
    script.write_text(f"#!/bin/sh\necho run >> {calls}\ncat <<'EOF'\n{json.dumps(REPORT)}\nEOF\nexit 1\n")
    script.chmod(0o755)
    return script, calls


def test_the_same_plan_is_scanned_once_and_a_changed_plan_again(tmp_path, monkeypatch):
    binary, calls = fake_checkov(tmp_path)
    monkeypatch.setenv(checkov_runner.BINARY_ENV, str(binary))
    monkeypatch.setenv("PLATFORM_CACHE_DIR", str(tmp_path / "cache"))
    plan = tmp_path / "a" / "plan.json"
    plan.parent.mkdir()
    plan.write_text('{"format_version": "1.2"}')
    config = tmp_path / ".checkov.yaml"
    config.write_text("framework: [terraform]\n")

    first = checkov_runner.run_checkov_on_plan(plan, config_file=config)
    # The same bytes at another path (each check-plan writes the plan to a fresh temp dir): no new run.
    moved = tmp_path / "b" / "plan.json"
    moved.parent.mkdir()
    moved.write_text(plan.read_text())
    second = checkov_runner.run_checkov_on_plan(moved, config_file=config)
    assert calls.read_text().count("run") == 1
    assert [f.check_id for f in first.failed] == [f.check_id for f in second.failed] == ["CKV_AWS_17"]

    moved.write_text('{"format_version": "1.2", "planned_values": {}}')
    checkov_runner.run_checkov_on_plan(moved, config_file=config)
    config.write_text("framework: [terraform]\nquiet: true\n")
    checkov_runner.run_checkov_on_plan(moved, config_file=config)
    assert calls.read_text().count("run") == 3


def test_a_crash_is_not_cached(tmp_path, monkeypatch):
    script = tmp_path / "checkov"
    script.write_text("#!/bin/sh\necho 'ImportError: no module named checkov' >&2\nexit 1\n")
    script.chmod(0o755)
    monkeypatch.setenv(checkov_runner.BINARY_ENV, str(script))
    monkeypatch.setenv("PLATFORM_CACHE_DIR", str(tmp_path / "cache"))
    plan = tmp_path / "plan.json"
    plan.write_text("{}")
    for _ in range(2):
        with pytest.raises(checkov_runner.CheckovError, match=r"printed no report.*ImportError"):
            checkov_runner.run_checkov_on_plan(plan)
    assert not list((tmp_path / "cache" / "checkov-plan").glob("*.json"))
