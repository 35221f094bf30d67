"""The connection budget: ECS tasks must never be able to open more connections than the database.

For each database in the plan:

    Σ over the ECS services that connect to it of (max tasks x DB_POOL_SIZE)
        ≤ proxy cap = floor(max_connections x max_connections_percent / 100)
        ≤ max_connections

Which services connect to a database (the rule, also in scripts/checks/README.md):

- a service whose containers set ``DB_POOL_SIZE`` or ``DB_HOST`` in their environment (a task
  opens the sum of its containers' pools), or, while the container definitions are known only
  after apply, whose module call sets ``db_pool_size`` (modules/ecs-service's input), or which
  carries a ``DbPoolSize`` tag. These three names are modules/ecs-service's ``contract.json``, the
  file its task.tf reads to name the variable: they are read from it, not written here;
- it uses the one database of the plan; with several, the one whose proxy endpoint or address is
  its ``DB_HOST``, or whose identifier is its ``Database`` tag.

Max tasks is the ``max_capacity`` of the service's ``aws_appautoscaling_target`` or, without one,
its ``desired_count``. Without a proxy the services connect directly and the cap is
``max_connections`` itself (and a warning).

What the plan states is read, not recomputed: a plan of terraform/ carries the root's output
``connection_budget`` (terraform/budget.tf), whose ``max_connections`` (modules/rds-postgres's
output), ``proxy_cap`` (modules/rds-proxy's) and ``reserved_connections`` are taken as they are; a
breach of the root's own budget fails its precondition, so the plan never reaches this check. Plans
without that output (a module or an example planned alone) are sized here: ``max_connections`` is
the parameter group's when set, else the estimate from modules/rds-postgres/instance_classes.json,
the data file the module itself reads.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from scripts.checks.findings import CheckOptions, Finding, error, warning
from scripts.checks.planview import (
    UNKNOWN,
    as_int,
    attr,
    block,
    is_unknown,
    json_attr,
    last_segment,
    link,
    live,
    module_input,
)
from scripts.checks.tables import ecs_service_contract, instance_classes
from scripts.terraform.inventory import PlanInventory, Resource

DEFAULT_PROXY_PERCENT = 100  # AWS's default max_connections_percent
ROOT_BUDGET_OUTPUT = "connection_budget"  # terraform/budget.tf
ROOT_BUDGET_SOURCE = f"root output {ROOT_BUDGET_OUTPUT}"
RESERVED_ROW = "reserved_connections (migrations, on-call sessions)"
POOL_TAGS = ("DbPoolSize", "db_pool_size")
DATABASE_TAGS = ("Database", "database")


@dataclass(frozen=True)
class TaskContract:
    """The names modules/ecs-service tells a task its database settings by (its contract.json)."""

    pool_env: str  # the container variable holding the pool size (DB_POOL_SIZE)
    host_env: str  # the container variable holding the database host (DB_HOST)
    pool_input: str  # the module input the pool size comes from (db_pool_size)


def task_contract() -> TaskContract:
    # Read on every check rather than at import, so the check follows the file as it is now.
    return TaskContract(
        pool_env=ecs_service_contract("pool_size_env"),
        host_env=ecs_service_contract("db_host_env"),
        pool_input=ecs_service_contract("pool_size_input"),
    )


@dataclass
class ServiceRow:
    service: str
    name: Any
    max_tasks: int | None
    max_tasks_source: str
    pool: int | None
    pool_source: str
    db_host: Any = None
    reserved: bool = False  # the root's reserved connections, not an ECS service

    @property
    def connections(self) -> int | None:
        if self.max_tasks is None or self.pool is None:
            return None
        return self.max_tasks * self.pool


@dataclass
class DatabaseBudget:
    database: str
    instance_class: Any
    max_connections: int | None
    max_connections_source: str
    proxy: str | None = None
    max_connections_percent: int | None = None
    rows: list[ServiceRow] = field(default_factory=list)
    stated_cap: int | None = None  # the proxy cap as the root's output states it

    @property
    def cap(self) -> int | None:
        if self.stated_cap is not None:
            return self.stated_cap
        if self.max_connections is None:
            return None
        if self.proxy is None:
            return self.max_connections
        pct = self.max_connections_percent or 0
        return math.floor(self.max_connections * pct / 100)

    @property
    def total(self) -> int:
        return sum(r.connections or 0 for r in self.rows)

    @property
    def complete(self) -> bool:
        return all(r.connections is not None for r in self.rows) and self.cap is not None

    @property
    def headroom_pct(self) -> float | None:
        cap = self.cap
        if not cap:
            return None
        return round((cap - self.total) / cap * 100, 1)

    def as_dict(self) -> dict[str, Any]:
        return {
            "database": self.database,
            "instance_class": None if is_unknown(self.instance_class) else self.instance_class,
            "max_connections": self.max_connections,
            "max_connections_source": self.max_connections_source,
            "proxy": self.proxy,
            "max_connections_percent": self.max_connections_percent,
            "cap": self.cap,
            "services": [
                {
                    "service": r.service,
                    "name": None if is_unknown(r.name) else r.name,
                    "max_tasks": r.max_tasks,
                    "max_tasks_source": r.max_tasks_source,
                    "pool": r.pool,
                    "pool_source": r.pool_source,
                    "connections": r.connections,
                }
                for r in self.rows
                if not r.reserved
            ],
            "reserved_connections": sum(r.connections or 0 for r in self.rows if r.reserved),
            "total": self.total,
            "complete": self.complete,
            "headroom_pct": self.headroom_pct,
            "within_budget": None if self.cap is None else self.total <= self.cap,
        }


# --- reading the plan ------------------------------------------------------------------------


def task_definition_of(inv: PlanInventory, service: Resource) -> Resource | None:
    ref = attr(service, "task_definition")
    family = None
    if isinstance(ref, str) and ref:
        family = last_segment(ref).split(":")[0]
    found = link(
        service,
        live(inv, "aws_ecs_task_definition"),
        key=lambda t: attr(t, "family"),
        want=family,
        peers=live(inv, "aws_ecs_service"),
    )
    return found[0] if len(found) == 1 else None


def scalable_target_of(inv: PlanInventory, service: Resource) -> Resource | None:
    targets = [t for t in live(inv, "aws_appautoscaling_target") if attr(t, "service_namespace") in ("ecs", None)]
    name = attr(service, "name")

    def service_of(target: Resource) -> Any:
        rid = attr(target, "resource_id")
        return rid.split("/")[-1] if isinstance(rid, str) and rid.startswith("service/") else rid

    found = link(service, targets, key=service_of, want=name, peers=live(inv, "aws_ecs_service"))
    return found[0] if len(found) == 1 else None


def containers_of(task_def: Resource | None) -> Any:
    """Container definitions as a list, ``UNKNOWN`` until apply, or None without a task definition."""
    if task_def is None:
        return None
    value = json_attr(task_def, "container_definitions")
    if is_unknown(value):
        return UNKNOWN
    return value if isinstance(value, list) else None


def container_env(container: dict[str, Any]) -> dict[str, Any]:
    return {e.get("name"): e.get("value") for e in container.get("environment") or [] if isinstance(e, dict)}


def _tag(res: Resource, names: tuple[str, ...]) -> Any:
    tags = res.values.get("tags") or {}
    for name in names:
        if name in tags:
            return tags[name]
    return None


def _container_pools(
    containers: list[dict[str, Any]], address: str, names: TaskContract
) -> tuple[bool, int | None, Any, list[Finding]]:
    """(connects, summed pool or None, database host, findings) from known container definitions."""
    pool_env, host_env, pool_input = names.pool_env, names.host_env, names.pool_input
    findings: list[Finding] = []
    pools: list[int] = []
    connects, host = False, None
    for c in containers:
        env = container_env(c)
        if pool_env not in env and host_env not in env:
            continue
        connects = True
        if host is None:
            host = env.get(host_env)
        if pool_env not in env:
            findings.append(
                error(
                    "budget.unbounded",
                    address,
                    f"container {c.get('name')!r} connects to the database ({host_env}) but sets no "
                    f"{pool_env}: its connections are unbounded and outside the budget",
                    f"give the container a fixed pool: set {pool_input} (env {pool_env}) and size it in "
                    "the connection budget",
                )
            )
            continue
        value = as_int(env[pool_env])
        if value is None:
            findings.append(
                error(
                    "budget.pool-invalid",
                    address,
                    f"container {c.get('name')!r} sets {pool_env}={env[pool_env]!r}, not a whole number",
                    f"set {pool_env} to the number of connections one task opens ({pool_input})",
                )
            )
        else:
            pools.append(value)
    return connects, (sum(pools) if pools else None), host, findings


def service_row(
    inv: PlanInventory, service: Resource, names: TaskContract | None = None
) -> tuple[ServiceRow | None, list[Finding]]:
    """The service's row, or None when it does not connect to a database (see the module rule)."""
    task_def = task_definition_of(inv, service)
    containers = containers_of(task_def)
    findings: list[Finding] = []
    names = names or task_contract()
    connects, pool, host, pool_source = False, None, None, ""
    if isinstance(containers, list):
        address = task_def.address if task_def else service.address
        connects, pool, host, findings = _container_pools(containers, address, names)
        pool_source = f"container env {names.pool_env}" if pool is not None else "not set"
    else:
        declared = module_input(inv, service.module, names.pool_input)
        if declared is not None:
            connects, pool = True, as_int(declared)
            pool_source = f"module input {names.pool_input}" if pool is not None else "known after apply"
    if pool is None:
        tagged = _tag(service, POOL_TAGS)
        if tagged is not None:
            connects, pool = True, as_int(tagged)
            pool_source = "tag DbPoolSize" if pool is not None else pool_source
    if not connects:
        if containers is UNKNOWN and live(inv, "aws_db_instance"):
            findings.append(
                warning(
                    "budget.incomplete",
                    service.address,
                    "the service's container definitions are known only after apply and nothing else "
                    "says whether it connects to the database: it is not in the budget",
                    f"create the service with modules/ecs-service ({names.pool_input}) or tag it DbPoolSize",
                )
            )
        return None, findings

    target = scalable_target_of(inv, service)
    if target is not None:
        max_tasks, max_source = as_int(attr(target, "max_capacity")), "autoscaling max_capacity"
    else:
        max_tasks, max_source = as_int(attr(service, "desired_count")), "desired_count (no autoscaling)"
    row = ServiceRow(
        service=service.address,
        name=attr(service, "name"),
        max_tasks=max_tasks,
        max_tasks_source=max_source if max_tasks is not None else "known after apply",
        pool=pool,
        pool_source=pool_source or "known after apply",
        db_host=host,
    )
    return row, findings


def max_connections_of(inv: PlanInventory, db: Resource) -> tuple[int | None, str]:
    groups = live(inv, "aws_db_parameter_group")
    linked = link(
        db,
        groups,
        key=lambda g: attr(g, "name"),
        want=attr(db, "parameter_group_name"),
        peers=live(inv, "aws_db_instance"),
    )
    for group in linked[:1]:
        for param in group.values.get("parameter") or []:
            if param.get("name") == "max_connections":
                value = as_int(param.get("value"))
                if value is not None:
                    return value, f"parameter group {group.address}"
    cls = attr(db, "instance_class")
    known = instance_classes().get(cls) if isinstance(cls, str) else None
    if known is None:
        return None, "unknown instance class"
    return known.max_connections, "instance class estimate (modules/rds-postgres/instance_classes.json)"


def databases_behind(inv: PlanInventory, proxy: Resource) -> list[Resource]:
    """The DB instances a proxy targets: by its targets' identifiers, else the plan's only one."""
    databases = live(inv, "aws_db_instance")
    targets = link(
        proxy,
        live(inv, "aws_db_proxy_target"),
        key=lambda t: attr(t, "db_proxy_name"),
        want=attr(proxy, "name"),
        peers=live(inv, "aws_db_proxy"),
    )
    identifiers = {i for i in (attr(t, "db_instance_identifier") for t in targets) if isinstance(i, str)}
    matched = [d for d in databases if attr(d, "identifier") in identifiers]
    if matched:
        return matched
    return databases if len(databases) == 1 else []


def proxy_of(inv: PlanInventory, db: Resource) -> list[Resource]:
    return [p for p in live(inv, "aws_db_proxy") if db.address in {d.address for d in databases_behind(inv, p)}]


def pool_percent_of(inv: PlanInventory, proxy: Resource) -> int | None:
    groups = live(inv, "aws_db_proxy_default_target_group")
    linked = link(
        proxy, groups, key=lambda g: attr(g, "db_proxy_name"), want=attr(proxy, "name"), peers=live(inv, "aws_db_proxy")
    )
    if not linked:
        return DEFAULT_PROXY_PERCENT
    config = block(linked[0], "connection_pool_config")
    if config is None:
        return DEFAULT_PROXY_PERCENT
    value = config.get("max_connections_percent")
    return DEFAULT_PROXY_PERCENT if value is None else as_int(value)


def _database_for(row: ServiceRow, service: Resource, budgets: list[DatabaseBudget], inv: PlanInventory) -> Any:
    if len(budgets) == 1:
        return budgets[0]
    host = row.db_host
    tag = _tag(service, DATABASE_TAGS)
    for budget in budgets:
        db = inv.resources[budget.database]
        names = {attr(db, "identifier"), attr(db, "address"), attr(db, "endpoint")}
        if budget.proxy:
            names.add(attr(inv.resources[budget.proxy], "endpoint"))
        names = {n for n in names if isinstance(n, str)}
        if (isinstance(host, str) and host.split(":")[0] in names) or (isinstance(tag, str) and tag in names):
            return budget
    return None


def root_budget(inv: PlanInventory) -> dict[str, int] | None:
    """The numbers the root's ``connection_budget`` output states, when the plan has it and knows them."""
    stated = inv.outputs.get(ROOT_BUDGET_OUTPUT)
    if not isinstance(stated, dict):
        return None
    numbers = {k: as_int(stated.get(k)) for k in ("max_connections", "proxy_cap", "reserved_connections")}
    if any(v is None for v in numbers.values()):
        return None
    return {k: v for k, v in numbers.items() if v is not None}


def _reserved_row(budget: DatabaseBudget, stated: dict[str, int]) -> None:
    budget.rows.append(
        ServiceRow(
            service=RESERVED_ROW,
            name=None,
            max_tasks=1,
            max_tasks_source=ROOT_BUDGET_SOURCE,
            pool=stated["reserved_connections"],
            pool_source=ROOT_BUDGET_SOURCE,
            reserved=True,
        )
    )


# --- the check ---------------------------------------------------------------------------------


def connection_budgets(inv: PlanInventory) -> tuple[list[DatabaseBudget], list[Finding]]:
    findings: list[Finding] = []
    databases = live(inv, "aws_db_instance")
    budgets: list[DatabaseBudget] = []
    # The root holds one database; its output speaks for that one only.
    stated = root_budget(inv) if len(databases) == 1 else None
    for db in databases:
        if stated is None:
            max_conn, source = max_connections_of(inv, db)
        else:
            max_conn, source = stated["max_connections"], ROOT_BUDGET_SOURCE
        budget = DatabaseBudget(db.address, attr(db, "instance_class"), max_conn, source)
        budget.stated_cap = None if stated is None else stated["proxy_cap"]
        if max_conn is None:
            findings.append(
                error(
                    "budget.unknown-class",
                    db.address,
                    f"instance class {attr(db, 'instance_class')!r} is not in the instance-class table and no "
                    "max_connections parameter is set: the connection budget cannot be sized",
                    "use a class listed in modules/rds-postgres/instance_classes.json (or add it there), "
                    "or set max_connections explicitly",
                )
            )
        proxies = proxy_of(inv, db)
        if proxies:
            proxy = proxies[0]
            budget.proxy = proxy.address
            budget.max_connections_percent = pool_percent_of(inv, proxy)
            pct = budget.max_connections_percent
            if pct is None:
                findings.append(
                    warning(
                        "budget.incomplete",
                        proxy.address,
                        "max_connections_percent of the proxy is known only after apply",
                        "set max_connections_percent from a variable or constant so the plan shows the cap",
                    )
                )
            elif pct > 100 or pct < 1:
                findings.append(
                    error(
                        "budget.cap-above-max",
                        proxy.address,
                        f"max_connections_percent {pct} is outside 1-100: the proxy cap would not stay "
                        "within max_connections",
                        "set max_connections_percent between 1 and 100 (modules/rds-proxy defaults to 75)",
                    )
                )
        budgets.append(budget)

    names = task_contract()
    services = live(inv, "aws_ecs_service")
    for service in services:
        row, row_findings = service_row(inv, service, names)
        findings += row_findings
        if row is None:
            continue
        if not budgets:
            findings.append(
                warning(
                    "budget.no-database",
                    service.address,
                    "the service declares a database pool but this plan has no database: its connections "
                    "are not checked against any limit here",
                    "plan the root that holds the database and its services together (terraform/)",
                )
            )
            continue
        budget = _database_for(row, service, budgets, inv)
        if budget is None:
            findings.append(
                error(
                    "budget.unassigned",
                    service.address,
                    f"the plan has {len(budgets)} databases and the service's {names.host_env} names none of them",
                    f"set {names.host_env} to the proxy endpoint of its database, or tag the service "
                    "Database=<db identifier>",
                )
            )
            continue
        budget.rows.append(row)
        if row.connections is None:
            missing = names.pool_env if row.pool is None else "the autoscaling max_capacity"
            findings.append(
                warning(
                    "budget.incomplete",
                    service.address,
                    f"{missing} of the service is known only after apply: the budget excludes it",
                    f"pass {names.pool_input} and max_capacity as constants or variables so the plan shows them",
                )
            )

    for budget in budgets:
        if stated is not None:
            _reserved_row(budget, stated)
        findings += _judge(budget, names)
    return budgets, findings


def _judge(budget: DatabaseBudget, names: TaskContract) -> list[Finding]:
    findings: list[Finding] = []
    cap = budget.cap
    if cap is None or not budget.rows:
        return findings
    if budget.proxy is None:
        findings.append(
            warning(
                "budget.no-proxy",
                budget.database,
                "ECS services connect to the database directly: every task's pool is a server "
                "connection, and failover or deployments can exhaust max_connections",
                f"put RDS Proxy in front of the database (modules/rds-proxy) and point {names.host_env} at it",
            )
        )
    if budget.max_connections is not None and cap > budget.max_connections:
        findings.append(
            error(
                "budget.cap-above-max",
                budget.proxy or budget.database,
                f"the proxy cap {cap} exceeds max_connections {budget.max_connections}",
                "lower max_connections_percent to 100 or less",
            )
        )
    total = budget.total
    if total > cap:
        parts = ", ".join(
            f"{r.service} {r.max_tasks} x {r.pool} = {r.connections}" for r in budget.rows if r.connections
        )
        limit = (
            f"proxy cap {cap} (floor({budget.max_connections} x {budget.max_connections_percent} %))"
            if budget.proxy
            else f"max_connections {cap}"
        )
        findings.append(
            error(
                "budget.exceeded",
                budget.database,
                f"ECS services can open {total} connections, over the {limit}: {parts}",
                f"lower max_capacity or {names.pool_input} of these services, raise max_connections_percent "
                "(keeping headroom for the proxy's own connections), or choose a larger instance class",
            )
        )
    return findings


def check(inv: PlanInventory, options: CheckOptions) -> tuple[list[DatabaseBudget], list[Finding]]:
    del options  # the budget holds in every environment
    return connection_budgets(inv)
