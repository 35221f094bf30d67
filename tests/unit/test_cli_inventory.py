"""``python -m scripts inventory``: a draft inventory from a plan JSON, its round trip through the
collector's reader and ``assert_inventory``, and bad input (exit 2, one line)."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import pytest

from scripts.cli import main
from scripts.terraform.inventory import PlanInventory
from tests.harness import assert_inventory, expected_inventory
from tests.support.planbuilder import platform_plan

DB = "module.database.aws_db_instance.this"
SERVICE = "module.svc0.aws_ecs_service.this"
ALARM = 'module.alarms.aws_cloudwatch_metric_alarm.this["db-connections"]'


def plan_file(tmp_path: Path) -> Path:
    """A platform-shaped plan with a null attribute, a for_each address and outputs of every kind."""
    builder = platform_plan()
    builder.add(ALARM, {"alarm_name": "imgclass-dev-db-connections", "threshold": 72.5, "unit": None})
    raw: dict[str, Any] = builder.build()
    raw["planned_values"]["outputs"] = {
        "api_url": {"sensitive": False, "value": "https://api.example.com"},
        "cap": {"sensitive": False, "value": 63},
        "tags": {"sensitive": False, "value": {"Service": "imgclass", "Owner": None}},
        "nothing": {"sensitive": False, "value": None},
        "endpoint": {"sensitive": False},  # known after apply: no value
        "password": {"sensitive": True, "value": "s3cret"},
    }
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(raw))
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: Any) -> tuple[int, str, str]:
    code = main(["inventory", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


def test_generated_inventory_passes_against_its_plan_and_fails_on_a_changed_value(capsys, tmp_path):
    path = plan_file(tmp_path)
    code, out, err = run(capsys, path, "--values", DB, SERVICE, ALARM)
    assert code == 0, err
    data = tomllib.loads(out)
    inventory = PlanInventory.from_file(path)
    assert data["counts"] == dict(inventory.counts)
    assert set(data["values"]) == {DB, SERVICE, ALARM}
    assert data["values"][DB]["instance_class"] == "db.t4g.medium"
    # Outputs known at plan time only; a sensitive value is never written into a file.
    assert set(data["outputs"]) == {"api_url", "cap", "tags"}
    assert data["null_values"] == [f"{ALARM}.unit", "output.nothing"]
    expected = expected_inventory(data, {})
    assert expected["values"][ALARM]["unit"] is None
    assert_inventory(inventory, expected)

    data["values"][DB]["instance_class"] = "db.t4g.large"
    with pytest.raises(AssertionError) as failure:
        assert_inventory(inventory, expected_inventory(data, {}))
    assert f"{DB}.instance_class: expected 'db.t4g.large', got 'db.t4g.medium'" in str(failure.value)


def test_counts_and_outputs_without_values(capsys, tmp_path):
    code, out, _ = run(capsys, plan_file(tmp_path))
    assert code == 0
    data = tomllib.loads(out)
    assert "values" not in data
    assert data["counts"]["aws_ecs_service"] == 2
    assert data["outputs"]["cap"] == 63


def test_an_address_suffix_names_the_full_address(capsys, tmp_path):
    code, out, _ = run(capsys, plan_file(tmp_path), "--values", "svc0.aws_ecs_service.this")
    assert code == 0
    assert list(tomllib.loads(out)["values"]) == [SERVICE]


@pytest.mark.parametrize(
    ("content", "argv", "message"),
    [
        (None, (), "cannot read plan JSON"),
        ("{not json", (), "is not valid JSON (line 1"),
        ('{"resources": []}', (), "has no format_version"),
        ('{"format_version": "2.0", "planned_values": {}}', (), "format_version 2.0 is not supported"),
        ("PLAN", ("--values", "aws_ecs_service.this"), "--values aws_ecs_service.this: 'aws_ecs_service.this' matches"),
        ("PLAN", ("--values", "module.nowhere.aws_lb.this"), "matches [] (give an address of the plan)"),
    ],
    ids=["missing-file", "not-json", "not-a-plan", "foreign-format", "ambiguous-address", "unknown-address"],
)
def test_bad_input_exits_2_with_one_line(capsys, tmp_path, content, argv, message):
    path = tmp_path / "plan.json"
    if content == "PLAN":
        path = plan_file(tmp_path)
    elif content is not None:
        path.write_text(content)
    code, out, err = run(capsys, path, *argv)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("error: "), err
    assert message in err, err
