"""The connection budget on hand-built plan fragments: at the cap, one over, without a proxy, ..."""

from __future__ import annotations

import json
import re

import hcl2
import pytest

from scripts.checks import CheckOptions, run_checks, tables
from scripts.checks.budget import connection_budgets
from scripts.checks.tables import (
    INSTANCE_CLASSES_FILE,
    ecs_service_contract,
    instance_classes,
    max_connections_for_memory,
)
from scripts.terraform.inventory import PlanInventory
from scripts.terraform.tf import REPO_ROOT
from tests.support.planbuilder import PlanBuilder
from tests.support.tables import use_edited_table

# db.t4g.medium: 4 GiB -> the module's estimate 405; a 75 % proxy cap -> floor(405 * 0.75) = 303.
CLASS, MAX_CONN, CAP = "db.t4g.medium", 405, 303


# The names modules/ecs-service gives a task's database variables and its pool-size input (contract.json).
POOL_ENV = ecs_service_contract("pool_size_env")
HOST_ENV = ecs_service_contract("db_host_env")
POOL_INPUT = ecs_service_contract("pool_size_input")


def containers(*pools, host=True, readonly=True, pool_env=POOL_ENV, host_env=HOST_ENV):
    out = []
    for i, pool in enumerate(pools):
        env = [{"name": host_env, "value": "db.proxy.example"}] if host else []
        if pool is not None:
            env.append({"name": pool_env, "value": str(pool)})
        out.append({"name": f"c{i}", "environment": env, "readonlyRootFilesystem": readonly})
    return json.dumps(out)


def database(b, *, cls=CLASS, address="module.db.aws_db_instance.this", identifier="platform", params=None):
    b.add(
        address,
        {
            "identifier": identifier,
            "instance_class": cls,
            "storage_encrypted": True,
            "publicly_accessible": False,
            "parameter_group_name": f"{identifier}-pg",
        },
    )
    b.add(
        address.replace("aws_db_instance", "aws_db_parameter_group"),
        {"name": f"{identifier}-pg", "parameter": params or []},
    )
    return b


def proxy(b, *, percent=75, name="platform", target="platform", module="module.proxy"):
    b.add(f"{module}.aws_db_proxy.this", {"name": name}, unknown=["endpoint"])
    b.add(
        f"{module}.aws_db_proxy_default_target_group.this",
        {"db_proxy_name": name, "connection_pool_config": [{"max_connections_percent": percent}]},
    )
    b.add(f"{module}.aws_db_proxy_target.this", {"db_proxy_name": name, "db_instance_identifier": target})
    return b


def service(b, name, *, max_capacity=None, desired=1, defs=None, unknown_defs=False, tags=None):
    mod = f"module.{name}"
    b.add(
        f"{mod}.aws_ecs_service.this",
        {
            "name": name,
            "desired_count": desired,
            "deployment_circuit_breaker": [{"enable": True, "rollback": True}],
            "tags": tags or {},
        },
        unknown=["task_definition"],
    )
    td = {"family": name, "cpu": "256", "memory": "512"}
    if not unknown_defs:
        td["container_definitions"] = defs if defs is not None else containers(10)
    b.add(f"{mod}.aws_ecs_task_definition.this", td, unknown=["container_definitions"] if unknown_defs else [])
    if max_capacity is not None:
        b.add(
            f"{mod}.aws_appautoscaling_target.this",
            {
                "service_namespace": "ecs",
                "resource_id": f"service/platform/{name}",
                "min_capacity": 1,
                "max_capacity": max_capacity,
            },
        )
    return b


def budgets_of(b):
    return connection_budgets(PlanInventory.from_json(b.build()))


def ids(findings):
    return sorted({f.check_id for f in findings})


def test_exactly_at_the_cap_passes():
    # 3 tasks x 101 = 303 = the cap.
    b = proxy(database(PlanBuilder()))
    service(b, "api", max_capacity=3, defs=containers(101))
    [budget], findings = budgets_of(b)
    assert (budget.max_connections, budget.max_connections_percent, budget.cap) == (MAX_CONN, 75, CAP)
    assert budget.total == CAP
    assert budget.headroom_pct == 0.0
    assert findings == []
    row = budget.rows[0]
    assert (row.max_tasks, row.pool, row.connections) == (3, 101, 303)
    assert row.max_tasks_source == "autoscaling max_capacity"


def test_one_over_the_cap_fails_naming_services_and_numbers():
    b = proxy(database(PlanBuilder()))
    service(b, "api", max_capacity=3, defs=containers(100))  # 300
    service(b, "worker", max_capacity=4, defs=containers(1))  # 4 -> 304
    [budget], findings = budgets_of(b)
    assert budget.total == CAP + 1
    [finding] = [f for f in findings if f.check_id == "budget.exceeded"]
    assert finding.severity == "error"
    assert finding.address == "module.db.aws_db_instance.this"
    assert "304 connections" in finding.message
    assert f"proxy cap {CAP} (floor({MAX_CONN} x 75 %))" in finding.message
    assert "module.api.aws_ecs_service.this 3 x 100 = 300" in finding.message
    assert "module.worker.aws_ecs_service.this 4 x 1 = 4" in finding.message
    assert f"max_capacity or {POOL_INPUT}" in finding.fix


def test_without_a_proxy_the_cap_is_max_connections_and_warns():
    b = database(PlanBuilder())
    service(b, "api", max_capacity=5, defs=containers(MAX_CONN // 5))  # 405
    [budget], findings = budgets_of(b)
    assert budget.proxy is None and budget.cap == MAX_CONN
    assert ids(findings) == ["budget.no-proxy"]
    assert findings[0].severity == "warning"

    over = database(PlanBuilder())
    service(over, "api", max_capacity=5, defs=containers(82))  # 410 > 405
    _, findings = budgets_of(over)
    assert ids(findings) == ["budget.exceeded", "budget.no-proxy"]
    exceeded = next(f for f in findings if f.check_id == "budget.exceeded")
    assert f"max_connections {MAX_CONN}" in exceeded.message


def test_parameter_group_max_connections_overrides_the_class_estimate():
    b = proxy(database(PlanBuilder(), params=[{"name": "max_connections", "value": "200"}]), percent=50)
    service(b, "api", max_capacity=10, defs=containers(11))  # 110 > 100
    [budget], findings = budgets_of(b)
    assert budget.max_connections == 200 and budget.cap == 100
    assert "parameter group" in budget.max_connections_source
    assert ids(findings) == ["budget.exceeded"]


def test_a_task_opens_the_sum_of_its_containers_pools():
    b = proxy(database(PlanBuilder()))
    service(b, "api", max_capacity=2, defs=containers(5, 7))
    [budget], _ = budgets_of(b)
    assert budget.rows[0].pool == 12 and budget.total == 24


def test_without_autoscaling_desired_count_is_max_tasks():
    b = proxy(database(PlanBuilder()))
    service(b, "api", desired=6, defs=containers(10))
    [budget], _ = budgets_of(b)
    row = budget.rows[0]
    assert (row.max_tasks, row.max_tasks_source, row.connections) == (6, "desired_count (no autoscaling)", 60)


def test_db_host_without_pool_size_is_unbounded():
    b = proxy(database(PlanBuilder()))
    service(b, "api", max_capacity=2, defs=containers(None))
    _, findings = budgets_of(b)
    [finding] = [f for f in findings if f.check_id == "budget.unbounded"]
    assert finding.severity == "error"
    assert finding.address == "module.api.aws_ecs_task_definition.this"
    assert POOL_ENV in finding.message and POOL_INPUT in finding.fix


def test_services_without_database_settings_are_not_counted():
    b = proxy(database(PlanBuilder()))
    service(b, "static", max_capacity=50, defs=containers(host=False))
    [budget], findings = budgets_of(b)
    assert budget.rows == [] and findings == []


def test_pool_from_module_input_while_container_definitions_are_unknown():
    b = proxy(database(PlanBuilder(variables={"api_pool": 20, "pools": {"worker": 4}})))
    service(b, "api", max_capacity=5, unknown_defs=True)
    service(b, "worker", max_capacity=3, unknown_defs=True)
    service(b, "batch", max_capacity=2, unknown_defs=True)
    b.module_call("api", {POOL_INPUT: {"references": ["var.api_pool"]}})
    b.module_call("worker", {POOL_INPUT: {"references": ['var.pools["worker"]', "var.pools"]}})
    b.module_call("batch", {POOL_INPUT: {"constant_value": 7}})
    [budget], findings = budgets_of(b)
    rows = {r.service: r for r in budget.rows}
    assert rows["module.api.aws_ecs_service.this"].pool == 20
    assert rows["module.worker.aws_ecs_service.this"].pool == 4
    assert rows["module.batch.aws_ecs_service.this"].pool == 7
    assert {r.pool_source for r in budget.rows} == {f"module input {POOL_INPUT}"}
    assert budget.total == 100 + 12 + 14
    assert findings == []


def test_pool_known_only_after_apply_is_a_warning_not_a_silent_pass():
    b = proxy(database(PlanBuilder()))
    service(b, "api", max_capacity=5, unknown_defs=True)
    b.module_call("api", {POOL_INPUT: {"references": ["local.pool"]}})
    [budget], findings = budgets_of(b)
    assert budget.rows[0].pool is None and not budget.complete
    [finding] = findings
    assert (finding.check_id, finding.severity) == ("budget.incomplete", "warning")
    assert POOL_ENV in finding.message


def test_unknown_instance_class_cannot_be_sized():
    b = proxy(database(PlanBuilder(), cls="db.x9.huge"))
    service(b, "api", max_capacity=1)
    [budget], findings = budgets_of(b)
    assert budget.max_connections is None
    [finding] = [f for f in findings if f.check_id == "budget.unknown-class"]
    assert finding.severity == "error" and "db.x9.huge" in finding.message


def test_proxy_percent_above_100_is_rejected():
    b = proxy(database(PlanBuilder()), percent=120)
    service(b, "api", max_capacity=1)
    _, findings = budgets_of(b)
    assert "budget.cap-above-max" in ids(findings)


def test_default_proxy_percent_is_100_when_no_pool_config():
    b = database(PlanBuilder())
    b.add("module.proxy.aws_db_proxy.this", {"name": "platform"})
    b.add("module.proxy.aws_db_proxy_target.this", {"db_proxy_name": "platform", "db_instance_identifier": "platform"})
    service(b, "api", max_capacity=1)
    [budget], _ = budgets_of(b)
    assert budget.max_connections_percent == 100 and budget.cap == MAX_CONN


def test_services_without_a_database_in_the_plan_warn():
    b = PlanBuilder()
    service(b, "api", max_capacity=2)
    budgets, findings = budgets_of(b)
    assert budgets == []
    assert ids(findings) == ["budget.no-database"]


def test_two_databases_need_db_host_or_a_tag_to_assign_services():
    b = PlanBuilder()
    database(b, address="module.a.aws_db_instance.this", identifier="alpha")
    database(b, address="module.b.aws_db_instance.this", identifier="beta")
    service(b, "api", max_capacity=2)  # its host db.proxy.example matches neither
    service(b, "worker", max_capacity=2, tags={"Database": "beta"})
    budgets, findings = budgets_of(b)
    unassigned = [f for f in findings if f.check_id == "budget.unassigned"]
    assert [f.address for f in unassigned] == ["module.api.aws_ecs_service.this"]
    beta = next(x for x in budgets if x.database == "module.b.aws_db_instance.this")
    assert [r.service for r in beta.rows] == ["module.worker.aws_ecs_service.this"]


def test_budget_reaches_the_report_and_its_exit_code():
    ok = proxy(database(PlanBuilder()))
    service(ok, "api", max_capacity=3, defs=containers(101))
    report = run_checks(PlanInventory.from_json(ok.build()), CheckOptions())
    assert report.exit_code == 0
    assert report.as_dict()["connection_budget"][0]["within_budget"] is True

    bad = proxy(database(PlanBuilder()))
    service(bad, "api", max_capacity=4, defs=containers(101))
    report = run_checks(PlanInventory.from_json(bad.build()), CheckOptions())
    assert report.exit_code == 1
    data = report.as_dict()["connection_budget"][0]
    assert (data["total"], data["cap"], data["within_budget"]) == (404, CAP, False)
    assert data["headroom_pct"] == pytest.approx(-33.3)


# --- the names of a task's database variables are the module's ----------------------------------

ECS_SERVICE_DIR = REPO_ROOT / "modules" / "ecs-service"


def test_the_pool_size_is_read_from_the_variable_the_module_names():
    # One file for both: modules/ecs-service's task.tf names the main container's pool-size variable
    # from contract.json, and the check reads the pool from the variable of that name.
    assert ECS_SERVICE_DIR / "contract.json" == tables.ECS_SERVICE_CONTRACT_FILE
    task_tf = (ECS_SERVICE_DIR / "task.tf").read_text()
    assert 'contract = jsondecode(file("${path.module}/contract.json"))' in " ".join(task_tf.split())
    assert f"{{ (local.contract.pool_size_env) = tostring(var.{POOL_INPUT}) }}" in task_tf
    # The input the check falls back on is one the module declares.
    declaring = [
        p.name
        for p in ECS_SERVICE_DIR.glob("*.tf")
        if re.search(rf'^variable\s+"{POOL_INPUT}"\s*\{{', p.read_text(), re.MULTILINE)
    ]
    assert declaring == ["variables.tf"]
    b = proxy(database(PlanBuilder()))
    env = [{"name": "LOG_LEVEL", "value": "info"}, {"name": POOL_ENV, "value": "9"}]
    service(b, "api", max_capacity=3, defs=json.dumps([{"name": "app", "environment": env}]))
    [budget], findings = budgets_of(b)
    assert findings == []
    [row] = budget.rows
    assert (row.pool, row.pool_source, row.connections) == (9, f"container env {POOL_ENV}", 27)


def test_a_renamed_contract_moves_the_check_with_it(tmp_path, monkeypatch):
    # An edited copy of contract.json with other names: the check reads the new names and no longer
    # counts a container that still uses the old ones.
    assert {POOL_ENV, HOST_ENV}.isdisjoint({"PG_POOL_MAX", "PG_HOST"})
    use_edited_table(
        "ECS_SERVICE_CONTRACT_FILE",
        lambda c: c.update(pool_size_env="PG_POOL_MAX", db_host_env="PG_HOST", pool_size_input="pg_pool"),
        tmp_path,
        monkeypatch,
    )
    renamed = {"pool_env": "PG_POOL_MAX", "host_env": "PG_HOST"}
    b = proxy(database(PlanBuilder()))
    service(b, "api", max_capacity=3, defs=containers(7, **renamed))  # 21
    service(b, "worker", max_capacity=2, unknown_defs=True)  # 8, from the module input pg_pool
    b.module_call("worker", {"pg_pool": {"constant_value": 4}})
    service(b, "stale", max_capacity=50, defs=containers(10))  # DB_HOST / DB_POOL_SIZE: not the module's names
    service(b, "unbounded", max_capacity=2, defs=containers(None, **renamed))
    [budget], findings = budgets_of(b)
    rows = {r.name: (r.pool, r.pool_source) for r in budget.rows}
    assert rows == {
        "api": (7, "container env PG_POOL_MAX"),
        "worker": (4, "module input pg_pool"),
        "unbounded": (None, "not set"),
    }
    assert budget.total == 21 + 8
    [unbounded] = [f for f in findings if f.check_id == "budget.unbounded"]
    assert unbounded.message == (
        "container 'c0' connects to the database (PG_HOST) but sets no PG_POOL_MAX: its connections are "
        "unbounded and outside the budget"
    )
    assert (
        unbounded.fix
        == "give the container a fixed pool: set pg_pool (env PG_POOL_MAX) and size it in the connection budget"
    )


# --- the instance-class table is the module's ---------------------------------------------------


def test_instance_classes_are_read_from_the_module_data_file():
    # One file for both: modules/rds-postgres reads it with jsondecode(file(...)), the checks here.
    module_dir = REPO_ROOT / "modules" / "rds-postgres"
    assert module_dir / "instance_classes.json" == INSTANCE_CLASSES_FILE
    with (module_dir / "main.tf").open() as handle:
        parsed = hcl2.load(handle)
    locals_ = {}
    for block in parsed.get("locals", []):
        locals_.update(block)
    assert "instance_classes.json" in str(locals_["instance_class_table"])
    assert instance_classes()[CLASS].max_connections == MAX_CONN
    assert instance_classes()[CLASS].vcpus == 2


@pytest.mark.parametrize(
    ("memory_gib", "expected"),
    [(1, 84), (2, 197), (4, 405), (8, 811), (16, 1622), (32, 3244), (64, 5000)],
)
def test_max_connections_estimate_matches_the_module_formula(memory_gib, expected):
    # min(floor((mem - max(256 MiB, mem / 10)) / 9531392), 5000), as modules/rds-postgres computes it.
    assert max_connections_for_memory(memory_gib) == expected


def test_service_whose_database_use_cannot_be_told_is_reported():
    b = proxy(database(PlanBuilder()))
    service(b, "mystery", max_capacity=5, unknown_defs=True)  # no module input, no tag
    [budget], findings = budgets_of(b)
    assert budget.rows == []
    [finding] = findings
    assert (finding.check_id, finding.severity, finding.address) == (
        "budget.incomplete",
        "warning",
        "module.mystery.aws_ecs_service.this",
    )


def test_pool_size_tag_counts_the_service():
    b = proxy(database(PlanBuilder()))
    service(b, "tagged", max_capacity=5, unknown_defs=True, tags={"DbPoolSize": "3"})
    [budget], findings = budgets_of(b)
    assert (budget.rows[0].pool, budget.rows[0].pool_source, budget.total) == (3, "tag DbPoolSize", 15)
    assert findings == []


def test_non_numeric_pool_size_is_an_error():
    b = proxy(database(PlanBuilder()))
    defs = json.dumps([{"name": "app", "environment": [{"name": POOL_ENV, "value": "ten"}]}])
    service(b, "api", max_capacity=2, defs=defs)
    _, findings = budgets_of(b)
    assert "budget.pool-invalid" in ids(findings)


# --- a plan of terraform/: the root states its budget ---------------------------------------------


def with_root_budget(b, **stated):
    """The plan as terraform/ makes it: the output connection_budget of terraform/budget.tf."""
    plan = b.build()
    value = {"max_connections": 811, "proxy_cap": 608, "reserved_connections": 5, **stated}
    plan["planned_values"]["outputs"]["connection_budget"] = {"sensitive": False, "value": value}
    return PlanInventory.from_json(plan)


def test_root_output_is_read_not_recomputed():
    # The instance class alone would give 405 / 303: the output's own numbers win, reserve included.
    b = proxy(database(PlanBuilder()))
    service(b, "api", max_capacity=3, defs=containers(10))
    [budget], findings = connection_budgets(with_root_budget(b))
    assert findings == []
    assert (budget.max_connections, budget.cap) == (811, 608)
    assert budget.max_connections_source == "root output connection_budget"
    assert budget.total == 30 + 5
    data = budget.as_dict()
    assert [s["service"] for s in data["services"]] == ["module.api.aws_ecs_service.this"]
    assert (data["reserved_connections"], data["total"], data["within_budget"]) == (5, 35, True)


def test_root_reserve_counts_against_the_stated_cap():
    b = proxy(database(PlanBuilder()))
    service(b, "api", max_capacity=3, defs=containers(100))  # 300 + 9 reserved = 309 > 303
    [budget], findings = connection_budgets(
        with_root_budget(b, max_connections=405, proxy_cap=303, reserved_connections=9)
    )
    assert budget.as_dict()["within_budget"] is False
    [finding] = [f for f in findings if f.check_id == "budget.exceeded"]
    assert "309 connections" in finding.message
    assert "reserved_connections (migrations, on-call sessions) 1 x 9 = 9" in finding.message


def test_root_output_known_only_after_apply_falls_back_to_the_estimate():
    b = proxy(database(PlanBuilder()))
    service(b, "api", max_capacity=3, defs=containers(101))
    [budget], findings = connection_budgets(with_root_budget(b, max_connections=None))
    assert (budget.max_connections, budget.cap, budget.total) == (MAX_CONN, CAP, CAP)
    assert budget.max_connections_source.startswith("instance class estimate")
    assert findings == []
