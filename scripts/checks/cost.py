"""A monthly cost estimate per resource type from the documented price tables (prices.toml).

Prices are those of the plan's own region (``plan_region``): a region without a price table is
refused (``PriceRegionError``, exit 2), never priced with another region's list prices.

Baseline is what runs all month when idle: ECS services at their autoscaling ``min_capacity`` (or
``desired_count``); "at max scale" puts every service at ``max_capacity``. Fargate Spot shares
follow the service's capacity provider strategy weights. The plan fails when the baseline is over
``--env-budget`` and warns when only the max-scale figure is.

Before and after: the same arithmetic prices the plan's prior state (each change's ``before``; a
first deploy has none) and its planned values, per resource address, so the report shows what the
change adds or saves per month. AWS's monthly free allowances (CloudWatch alarm metrics and
dashboards, per account) are applied on both sides when the price table says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from typing import Any

from scripts.checks.budget import databases_behind, scalable_target_of, task_definition_of
from scripts.checks.findings import CheckOptions, Finding, error, warning
from scripts.checks.planview import as_int, attr, block, is_unknown, live
from scripts.checks.tables import instance_classes, prices, region_name_pattern
from scripts.errors import PlatformError
from scripts.terraform.inventory import PlanInventory, Resource

# The rule the root's and bootstrap's region validations apply (modules/_shared/region_name.json):
# an AWS region name such as eu-west-1.
REGION_NAME = re.compile(region_name_pattern())
# arn:partition:service:region:account:resource; the region field is empty for global services.
# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
ARN_REGION = re.compile(rf"^arn:aws[a-z-]*:[a-z0-9-]+:({REGION_NAME.pattern.strip('^$')}):")

NO_REGION = "the plan names no region"
# Set by ``check-plan --region`` for the run (see ``region_override``); None = read the plan.
_REGION_OVERRIDE: ContextVar[str | None] = ContextVar("cost_region_override", default=None)


class PriceRegionError(PlatformError, ValueError):
    """The plan's region is not a region name, is ambiguous, or has no price table."""


@contextmanager
def region_override(region: str | None) -> Iterator[None]:
    """Price every estimate made inside the block at ``region`` (``--region``); None changes nothing."""
    token = _REGION_OVERRIDE.set(region)
    try:
        yield
    finally:
        _REGION_OVERRIDE.reset(token)


# --- the plan's region ---------------------------------------------------------------------------


def _walk_resources(module: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield from module.get("resources") or []
    for child in module.get("child_modules") or []:
        yield from _walk_resources(child)


def _state_roots(raw: dict[str, Any]) -> list[dict[str, Any]]:
    roots = [(raw.get("planned_values") or {}).get("root_module") or {}]
    roots.append(((raw.get("prior_state") or {}).get("values") or {}).get("root_module") or {})
    return roots


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _provider_region(raw: dict[str, Any]) -> Any:
    """The default ``aws`` provider's literal region (a ``var.region`` reference has no value here)."""
    config = ((raw.get("configuration") or {}).get("provider_config") or {}).get("aws") or {}
    return ((config.get("expressions") or {}).get("region") or {}).get("constant_value")


def _data_source_region(raw: dict[str, Any]) -> Any:
    for root in _state_roots(raw):
        for res in _walk_resources(root):
            if res.get("mode") == "data" and res.get("type") == "aws_region":
                values = res.get("values") or {}
                # hashicorp/aws 5.x: name (and id); 6.x: region.
                for key in ("region", "name", "id"):
                    if isinstance(values.get(key), str) and values[key]:
                        return values[key]
    return None


def _arn_regions(raw: dict[str, Any]) -> set[str]:
    found: set[str] = set()
    for root in _state_roots(raw):
        for res in _walk_resources(root):
            for text in _strings(res.get("values")):
                match = ARN_REGION.match(text)
                if match:
                    found.add(match.group(1))
    return found


def plan_region(inv: PlanInventory, override: str | None = None) -> tuple[str, str]:
    """(region, where it came from). Order: ``--region``; the root variable ``region`` (the platform
    and every module example declare it); the default aws provider's literal ``region``; the
    ``aws_region`` data source; the one region named by the ARNs in the plan. A plan naming none of
    these (a hand-built plan) gets the price tables' ``region_when_absent``, and says so."""
    override = override or _REGION_OVERRIDE.get()
    if override:
        return override, "--region"
    variable = inv.variables.get("region")
    if isinstance(variable, str) and variable:
        return variable, "plan variable region"
    provider = _provider_region(inv.raw)
    if isinstance(provider, str) and provider:
        return provider, "aws provider region"
    data = _data_source_region(inv.raw)
    if data:
        return data, "data.aws_region"
    arns = _arn_regions(inv.raw)
    if len(arns) > 1:
        raise PriceRegionError(
            f"cannot tell the plan's region: its ARNs name {', '.join(sorted(arns))}; pass --region REGION"
        )
    if arns:
        return arns.pop(), "ARNs in the plan"
    return prices()["meta"]["region_when_absent"], NO_REGION


def price_table(region: str, source: str = "--region") -> dict[str, Any]:
    """The shared settings and the region's prices as one mapping; refuses a region without a table."""
    data = prices()
    if not REGION_NAME.match(region):
        raise PriceRegionError(f"region {region!r} ({source}) is not an AWS region name such as eu-west-1")
    tables = data.get("regions") or {}
    if region not in tables:
        raise PriceRegionError(
            f"no price table for region {region} ({source}); scripts/checks/prices.toml has "
            f"{', '.join(sorted(tables))}: add the region's table with its sources rather than "
            "pricing it at another region's list prices"
        )
    table = {k: v for k, v in tables[region].items() if k != "meta"}
    meta = {**data["meta"], **tables[region]["meta"], "region": region, "region_source": source}
    return {**table, "meta": meta, "free_tier": data["free_tier"], "usage_based": data["usage_based"]}


# --- the estimate --------------------------------------------------------------------------------


@dataclass
class ResourceCost:
    """One address: its monthly baseline before and after the change."""

    address: str
    action: str
    before: float = 0.0
    after: float = 0.0

    @property
    def delta(self) -> float:
        return self.after - self.before

    def as_dict(self) -> dict[str, Any]:
        return {
            "address": self.address,
            "action": self.action,
            "before": round(self.before, 2),
            "after": round(self.after, 2),
            "delta": round(self.delta, 2),
        }


@dataclass
class CostLine:
    resource_type: str
    count: int = 0
    monthly: float = 0.0
    monthly_at_max: float = 0.0
    notes: list[str] = field(default_factory=list)
    addresses: list[tuple[str, float]] = field(default_factory=list)
    before: float = 0.0
    resources: list[ResourceCost] = field(default_factory=list)

    def add(self, address: str, monthly: float, at_max: float | None = None, note: str | None = None) -> None:
        self.count += 1
        self.monthly += monthly
        self.monthly_at_max += monthly if at_max is None else at_max
        self.addresses.append((address, monthly))
        self.note(note)

    def note(self, note: str | None) -> None:
        if note and note not in self.notes:
            self.notes.append(note)

    @property
    def delta(self) -> float:
        return self.monthly - self.before


@dataclass
class CostEstimate:
    lines: list[CostLine]
    meta: dict[str, Any]
    budget: float | None = None

    @property
    def total(self) -> float:
        return round(sum(line.monthly for line in self.lines), 2)

    @property
    def total_at_max(self) -> float:
        return round(sum(line.monthly_at_max for line in self.lines), 2)

    @property
    def total_before(self) -> float:
        return round(sum(line.before for line in self.lines), 2)

    @property
    def total_delta(self) -> float:
        return round(self.total - self.total_before, 2)

    def changed(self) -> list[ResourceCost]:
        """Addresses whose monthly baseline changes by at least a cent, largest change first."""
        found = [r for line in self.lines for r in line.resources if round(r.after, 2) != round(r.before, 2)]
        return sorted(found, key=lambda r: (-abs(r.delta), r.address))

    def as_dict(self) -> dict[str, Any]:
        return {
            "estimate": True,
            "currency": self.meta["currency"],
            "region": self.meta["region"],
            "region_source": self.meta["region_source"],
            "as_of": self.meta["as_of"],
            "source": self.meta["source"],
            "stand_in_prices": list(self.meta.get("stand_ins") or []),
            "free_allowances_applied": bool(self.meta.get("free_tier_applied")),
            "lines": [
                {
                    "resource_type": line.resource_type,
                    "count": line.count,
                    "monthly_before": round(line.before, 2),
                    "monthly": round(line.monthly, 2),
                    "monthly_delta": round(line.delta, 2),
                    "monthly_at_max": round(line.monthly_at_max, 2),
                    "notes": line.notes,
                    "resources": [r.as_dict() for r in line.resources],
                }
                for line in self.lines
            ],
            "total_monthly_before": self.total_before,
            "total_monthly": self.total,
            "total_monthly_delta": self.total_delta,
            "total_monthly_at_max": self.total_at_max,
            "budget": self.budget,
        }


def _size(value: Any) -> float | None:
    n = as_int(value)
    return None if n is None else float(n)


def _spot_share(service: Resource) -> float:
    strategy = service.values.get("capacity_provider_strategy") or []
    weights = {s.get("capacity_provider"): as_int(s.get("weight")) or 0 for s in strategy}
    total = sum(weights.values())
    if not total:
        return 0.0
    return weights.get("FARGATE_SPOT", 0) / total


def _fargate(inv: PlanInventory, service: Resource, p: dict[str, Any]) -> tuple[float, float, str]:
    hours = p["meta"]["hours_per_month"]
    td = task_definition_of(inv, service)
    if td is None:
        return 0.0, 0.0, "task definition not found: not estimated"
    cpu, mem = _size(attr(td, "cpu")), _size(attr(td, "memory"))
    if cpu is None or mem is None:
        return 0.0, 0.0, "task size known after apply: not estimated"
    arch = (block(td, "runtime_platform") or {}).get("cpu_architecture") or "X86_64"
    prefix = "arm64" if str(arch).upper() == "ARM64" else "x86_64"
    fargate = p["fargate"]
    per_task = (cpu / 1024 * fargate[f"{prefix}_vcpu_hour"] + mem / 1024 * fargate[f"{prefix}_gb_hour"]) * hours
    spot = _spot_share(service)
    per_task *= (1 - spot) + spot * fargate["spot_factor"]
    target = scalable_target_of(inv, service)
    desired = as_int(attr(service, "desired_count"))
    low = as_int(attr(target, "min_capacity")) if target else desired
    high = as_int(attr(target, "max_capacity")) if target else desired
    low = low if low is not None else (desired or 0)
    high = high if high is not None else low
    note = f"{cpu / 1024:g} vCPU / {mem / 1024:g} GB {prefix} tasks"
    if spot:
        note += f", {spot:.0%} Spot"
    return per_task * low, per_task * high, note


def _rds(db: Resource, p: dict[str, Any]) -> tuple[float, str]:
    hours = p["meta"]["hours_per_month"]
    rds = p["rds"]
    cls = attr(db, "instance_class")
    rate = rds["instance_hour"].get(cls) if isinstance(cls, str) else None
    factor = rds["multi_az_factor"] if attr(db, "multi_az") is True else 1
    storage = as_int(attr(db, "allocated_storage")) or 0
    storage_type = attr(db, "storage_type") or "gp2"
    storage_rate = rds.get(f"{storage_type}_gb_month", rds["gp3_gb_month"])
    monthly = storage * storage_rate * factor
    note = f"{cls}{' Multi-AZ' if factor > 1 else ''}, {storage} GB {storage_type}"
    if rate is None:
        return monthly, f"{note}; no price for class {cls!r}: instance hours not estimated"
    return monthly + rate * hours * factor, note


def _proxy(inv: PlanInventory, proxy: Resource, p: dict[str, Any]) -> tuple[float, str]:
    hours = p["meta"]["hours_per_month"]
    matched = databases_behind(inv, proxy)
    vcpus = 0
    for db in matched:
        cls = instance_classes().get(attr(db, "instance_class"))
        vcpus += cls.vcpus if cls else 0
    billed = max(vcpus, p["rds_proxy"]["min_vcpus"])
    return billed * p["rds_proxy"]["vcpu_hour"] * hours, f"{billed} vCPU billed (minimum {p['rds_proxy']['min_vcpus']})"


def _waf(acl: Resource, p: dict[str, Any]) -> tuple[float, str]:
    rules = acl.values.get("rule") or []
    n = len(rules) if isinstance(rules, list) else 0
    return p["waf"]["web_acl_month"] + n * p["waf"]["rule_month"], f"{n} rules; requests usage-based"


def _alarm_metrics(alarm: Resource) -> tuple[int, bool]:
    """(metrics billed, whether the free allowance covers them): the allowance is for standard
    resolution alarms that list their metrics directly, not Metrics Insights queries
    (https://aws.amazon.com/cloudwatch/pricing/, Free tier)."""
    queries = alarm.values.get("metric_query") or []
    metrics = sum(1 for q in queries if q.get("metric")) if queries else 1
    insights = any(str(q.get("expression") or "").lstrip().upper().startswith("SELECT") for q in queries)
    period = as_int(attr(alarm, "period"))
    high_resolution = period is not None and period < 60
    return max(metrics, 1), not insights and not high_resolution


def _endpoint(ep: Resource, p: dict[str, Any]) -> float:
    if attr(ep, "vpc_endpoint_type") != "Interface":
        return 0.0
    subnets = attr(ep, "subnet_ids")
    azs = len(subnets) if isinstance(subnets, list) and subnets else 2
    return azs * p["vpc_endpoint"]["interface_hour_per_az"] * p["meta"]["hours_per_month"]


def _free_first(items: list[tuple[str, int, bool]], free: int, existing: set[str]) -> dict[str, int]:
    """How many of each address's units the account's free allowance covers. Addresses that
    existed before the change take it first (then by address), so a new alarm shows what it adds."""
    covered: dict[str, int] = {}
    for address, units, eligible in sorted(items, key=lambda it: (it[0] not in existing, it[0])):
        take = min(units, free) if eligible else 0
        covered[address] = take
        free -= take
    return covered


def _price(inv: PlanInventory, p: dict[str, Any], existing: set[str]) -> dict[str, CostLine]:
    """Every priced resource of ``inv`` that exists (deleted ones excluded), by type."""
    hours = p["meta"]["hours_per_month"]
    free = p["free_tier"] if p["free_tier"].get("apply") else {"alarm_metrics": 0, "dashboards": 0}
    lines: dict[str, CostLine] = {}

    def line(rtype: str) -> CostLine:
        if rtype not in lines:
            lines[rtype] = CostLine(rtype)
        return lines[rtype]

    for service in live(inv, "aws_ecs_service"):
        low, high, note = _fargate(inv, service, p)
        line("aws_ecs_service").add(service.address, low, high, note)
    for db in live(inv, "aws_db_instance"):
        monthly, note = _rds(db, p)
        line("aws_db_instance").add(db.address, monthly, note=note)
    for proxy in live(inv, "aws_db_proxy"):
        monthly, note = _proxy(inv, proxy, p)
        line("aws_db_proxy").add(proxy.address, monthly, note=note)
    for lb in live(inv, "aws_lb") + live(inv, "aws_alb"):
        if attr(lb, "load_balancer_type") in (None, "application") or is_unknown(attr(lb, "load_balancer_type")):
            # LCU-hours are usage, like requests and data elsewhere: not in the baseline
            # (https://aws.amazon.com/elasticloadbalancing/pricing/: billed per LCU-hour consumed).
            lcu = p["alb"]["lcu_hour"] * hours
            line(lb.type).add(lb.address, p["alb"]["hour"] * hours, note=f"LCUs usage-based: {lcu:,.2f}/month per LCU")
    for nat in live(inv, "aws_nat_gateway"):
        line("aws_nat_gateway").add(nat.address, p["nat_gateway"]["hour"] * hours, note="data processed usage-based")
    for ep in live(inv, "aws_vpc_endpoint"):
        line("aws_vpc_endpoint").add(ep.address, _endpoint(ep, p))
    alarms = [(a.address, *_alarm_metrics(a)) for a in live(inv, "aws_cloudwatch_metric_alarm")]
    covered = _free_first(alarms, free["alarm_metrics"], existing)
    for address, metrics, _ in alarms:
        paid = metrics - covered[address]
        note = f"first {free['alarm_metrics']} alarm metrics free per account" if free["alarm_metrics"] else None
        line("aws_cloudwatch_metric_alarm").add(address, paid * p["cloudwatch"]["metric_alarm_month"], note=note)
    for alarm in live(inv, "aws_cloudwatch_composite_alarm"):
        line("aws_cloudwatch_composite_alarm").add(alarm.address, p["cloudwatch"]["composite_alarm_month"])
    dashboards = [(d.address, 1, True) for d in live(inv, "aws_cloudwatch_dashboard")]
    covered = _free_first(dashboards, free["dashboards"], existing)
    for address, _, _ in dashboards:
        note = f"first {free['dashboards']} dashboards free per account" if free["dashboards"] else None
        line("aws_cloudwatch_dashboard").add(
            address, (1 - covered[address]) * p["cloudwatch"]["dashboard_month"], note=note
        )
    for key in live(inv, "aws_kms_key"):
        line("aws_kms_key").add(key.address, p["kms"]["key_month"])
    for acl in live(inv, "aws_wafv2_web_acl"):
        monthly, note = _waf(acl, p)
        line("aws_wafv2_web_acl").add(acl.address, monthly, note=note)
    for secret in live(inv, "aws_secretsmanager_secret"):
        line("aws_secretsmanager_secret").add(secret.address, p["secrets_manager"]["secret_month"])
    for rtype in p["usage_based"]["types"]:
        for res in live(inv, rtype):
            line(rtype).add(res.address, 0.0, note="usage-based: not estimated")
    return lines


def _action(res: Resource | None) -> str:
    actions = set(res.actions) if res is not None else {"delete"}
    if {"delete", "create"} <= actions:
        return "replace"
    for name in ("delete", "create", "update"):
        if name in actions:
            return name
    return "no-op"


def prior(inv: PlanInventory) -> PlanInventory:
    """The infrastructure before the change, as an inventory: every resource with its ``before``
    values (the plan's prior state, per change). A resource only being created did not exist; an
    unchanged one (no-op) is the same before and after."""
    resources: dict[str, Resource] = {}
    for address, res in inv.managed.items():
        actions = set(res.actions)
        if actions == {"create"}:
            continue
        values = res.before if res.before is not None else (None if actions & {"update", "delete"} else res.values)
        if values is None:
            continue
        resources[address] = replace(res, values=values, actions=("no-op",), before=values, after_unknown={})
    return PlanInventory(raw=inv.raw, resources=resources, outputs={}, variables=inv.variables)


def estimate(inv: PlanInventory, budget: float | None = None, region: str | None = None) -> CostEstimate:
    p = price_table(*plan_region(inv, region))
    before_inv = prior(inv)
    existing = set(before_inv.resources)
    after = _price(inv, p, existing)
    before = _price(before_inv, p, existing)
    for rtype, old in before.items():
        line = after.setdefault(rtype, CostLine(rtype))
        line.before = old.monthly
        for note in old.notes if not line.count else ():
            line.note(note)
    for rtype, line in after.items():
        old_costs = dict(before[rtype].addresses) if rtype in before else {}
        new_costs = dict(line.addresses)
        line.resources = [
            ResourceCost(a, _action(inv.resources.get(a)), old_costs.get(a, 0.0), new_costs.get(a, 0.0))
            for a in sorted(set(old_costs) | set(new_costs))
        ]
    meta = {**p["meta"], "free_tier_applied": bool(p["free_tier"].get("apply"))}
    ordered = sorted(after.values(), key=lambda ln: (-ln.monthly, -ln.before, ln.resource_type))
    return CostEstimate(ordered, meta, budget)


def check(inv: PlanInventory, options: CheckOptions) -> tuple[CostEstimate, list[Finding]]:
    est = estimate(inv, options.env_budget_usd)
    findings: list[Finding] = []
    if options.env_budget_usd is None:
        return est, findings
    top = [a for line in est.lines for a in line.addresses]
    top.sort(key=lambda item: -item[1])
    biggest = ", ".join(f"{a} ~{m:,.0f}" for a, m in top[:3]) or "nothing priced"
    address = top[0][0] if top else "(plan)"
    cur = est.meta["currency"]
    if est.total > options.env_budget_usd:
        findings.append(
            error(
                "cost.over-budget",
                address,
                f"estimated {est.total:,.2f} {cur}/month (baseline) is over the budget of "
                f"{options.env_budget_usd:,.2f}; largest: {biggest}",
                "shrink the largest items (instance class, Multi-AZ outside prod, task sizes and minimum "
                "counts, Spot for workers) or raise --env-budget with the budget owner's approval",
            )
        )
    elif est.total_at_max > options.env_budget_usd:
        findings.append(
            warning(
                "cost.over-budget-at-max",
                address,
                f"at max scale the estimate is {est.total_at_max:,.2f} {cur}/month, over the budget of "
                f"{options.env_budget_usd:,.2f} (baseline {est.total:,.2f})",
                "lower the services' max_capacity or accept the peak cost explicitly",
            )
        )
    return est, findings
