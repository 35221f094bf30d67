"""modules/cloudwatch-alarms: what each alarm does when its metric is missing, from a table.

A new or idle environment must page no one, and a service that stops reporting must still page. The
rule (how a metric is published decides how its silence counts) is RULE; tests/modules/
alarm_missing_data.toml says, per alarm, how its metric is published and why. The plan of the complete
example (every alarm set) must match the table exactly: an alarm added without an entry, or an entry
whose alarm is gone, fails here.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from scripts.terraform.tf import unique_name
from tests.harness import example_workspace

pytestmark = pytest.mark.emulator
EXAMPLE = "modules/cloudwatch-alarms/examples/complete"
TABLE = Path(__file__).with_name("alarm_missing_data.toml")

# How the metric is published -> what missing data must mean.
RULE = {"continuous": "breaching", "on-activity": "notBreaching", "while-active": "missing"}


def missing_data_table(name: str) -> dict[str, dict[str, Any]]:
    """The table with "{name}" replaced, keyed by the module's alarm key (alarm name without "<name>-")."""
    table = tomllib.loads(TABLE.read_text())
    return {key.replace("{name}", name): entry for key, entry in table.items()}


def alarm_keys(inv: Any, name: str) -> dict[str, dict[str, Any]]:
    found = {}
    for res in inv.of_type("aws_cloudwatch_metric_alarm"):
        if not res.address.startswith("module.alarms."):
            continue
        key = re.search(r'\["(.+)"\]$', res.address).group(1)
        assert res.values["alarm_name"] == f"{name}-{key}"
        found[key] = res.values
    return found


@pytest.fixture(scope="module")
def complete(emulator, tmp_path_factory):
    ws = example_workspace(EXAMPLE, emulator, tmp_path_factory.mktemp("cwmissing"))
    name = unique_name("cwmiss")
    return name, ws.plan({"name": name})


def test_the_table_follows_the_rule():
    table = missing_data_table("x")
    wrong = {k: (e["publishes"], e["treat_missing_data"]) for k, e in table.items()
             if RULE.get(e["publishes"]) != e["treat_missing_data"]}  # fmt: skip
    assert not wrong, f"entries whose missing-data behaviour contradicts how their metric is published: {wrong}"
    assert all(len(e["why"]) > 20 for e in table.values())


def test_every_alarm_has_an_entry_and_every_entry_an_alarm(complete):
    name, inv = complete
    planned, table = set(alarm_keys(inv, name)), set(missing_data_table(name))
    assert planned - table == set(), "alarms without an entry in alarm_missing_data.toml"
    assert table - planned == set(), "entries in alarm_missing_data.toml without an alarm"


def test_each_alarm_treats_missing_data_as_its_entry_says(complete):
    name, inv = complete
    table = missing_data_table(name)
    got = {
        key: (v["treat_missing_data"], [v["evaluation_periods"], v["datapoints_to_alarm"]])
        for key, v in alarm_keys(inv, name).items()
    }
    expected = {key: (e["treat_missing_data"], e["evaluation"]) for key, e in table.items()}
    assert got == expected


def test_a_new_environment_has_no_alarm_that_fires_on_silence_except_running_tasks(complete):
    """Only metrics AWS publishes whether or not traffic or clients exist may count silence as bad."""
    name, inv = complete
    breaching = sorted(k for k, v in alarm_keys(inv, name).items() if v["treat_missing_data"] == "breaching")
    assert breaching == sorted(
        ["db-connections", f"db-replica-lag-{name}-db-replica", "api-running-tasks", "worker-running-tasks"]
    )
