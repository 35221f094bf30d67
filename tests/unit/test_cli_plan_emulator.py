"""End to end: ``plan --env dev --emulator`` on the real root, then ``check-plan`` on its JSON.

The command runs as its own process (as CI and people run it): it starts its own embedded
emulator, and the "existing" network it creates there stays out of this worker's emulator.
"""

from __future__ import annotations

import json

import pytest

from tests.support.cli import run_cli

pytestmark = [pytest.mark.emulator, pytest.mark.slow]


def cli(*argv, timeout=1200):
    return run_cli(*argv, unset=("PLATFORM_AWS_ENDPOINT_URL",), timeout=timeout)


@pytest.fixture(scope="module")
def dev_plan(tc, tmp_path_factory):
    out = tmp_path_factory.mktemp("plan-dev")
    report = out / "report.json"
    proc = cli("plan", "--env", "dev", "--emulator", "--out", out, "--format", "json", "--output", report)
    return proc, out, report


def test_plan_dev_on_the_emulator_is_safe(dev_plan):
    proc, out, report = dev_plan
    assert proc.returncode == 0, f"{proc.stdout}\n{proc.stderr}"
    assert (out / "dev.tfplan").stat().st_size > 0
    assert json.loads((out / "dev.tfplan.json").read_text())["format_version"].startswith("1.")
    data = json.loads(report.read_text())
    assert data["safe"] is True
    assert data["summary"]["prod_like"] is False
    assert not [f for f in data["findings"] if f["severity"] == "error"]


def test_dev_connection_budget_covers_both_services(dev_plan):
    _, _, report = dev_plan
    [budget] = json.loads(report.read_text())["connection_budget"]
    services = {s["service"]: s for s in budget["services"]}
    assert set(services) == {"module.api.aws_ecs_service.this", "module.worker.aws_ecs_service.this"}
    assert budget["proxy"] == "module.proxy.aws_db_proxy.this"
    assert budget["complete"] is True
    assert all(s["max_tasks"] and s["pool"] for s in services.values())
    # The root states max_connections, the proxy cap and its reserve (output connection_budget).
    assert budget["max_connections_source"] == "root output connection_budget"
    assert budget["reserved_connections"] > 0
    assert (
        budget["total"] == sum(s["max_tasks"] * s["pool"] for s in services.values()) + budget["reserved_connections"]
    )
    assert budget["total"] <= budget["cap"] <= budget["max_connections"]


def test_dev_cost_estimate(dev_plan):
    _, _, report = dev_plan
    cost = json.loads(report.read_text())["cost"]
    assert cost["estimate"] is True and cost["total_monthly"] > 0
    assert {"aws_db_instance", "aws_db_proxy", "aws_ecs_service", "aws_lb"} <= {
        ln["resource_type"] for ln in cost["lines"]
    }


def test_check_plan_on_the_saved_plan_json(dev_plan):
    _, out, _ = dev_plan
    proc = cli("check-plan", out / "dev.tfplan.json", "--format", "markdown", timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("## Plan checks: ✅ safe to apply")
    assert "### Connection budget: `module.database.aws_db_instance.this`" in proc.stdout

    # The same plan with a budget it cannot meet is refused.
    proc = cli("check-plan", out / "dev.tfplan.json", "--env-budget", "1", "--format", "json", timeout=120)
    assert proc.returncode == 1
    assert "cost.over-budget" in {f["check_id"] for f in json.loads(proc.stdout)["findings"]}
