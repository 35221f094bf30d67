"""A monthly cost estimate per resource type from the documented price table (prices.toml).

Baseline is what runs all month when idle: ECS services at their autoscaling ``min_capacity`` (or
``desired_count``); "at max scale" puts every service at ``max_capacity``. Fargate Spot shares
follow the service's capacity provider strategy weights. The plan fails when the baseline is over
``--env-budget`` and warns when only the max-scale figure is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from scripts.checks.budget import databases_behind, scalable_target_of, task_definition_of
from scripts.checks.findings import CheckOptions, Finding, error, warning
from scripts.checks.planview import as_int, attr, block, is_unknown, live
from scripts.checks.tables import instance_classes, prices
from scripts.inventory import PlanInventory, Resource


@dataclass
class CostLine:
    resource_type: str
    count: int = 0
    monthly: float = 0.0
    monthly_at_max: float = 0.0
    notes: list[str] = field(default_factory=list)
    addresses: list[tuple[str, float]] = field(default_factory=list)

    def add(self, address: str, monthly: float, at_max: float | None = None, note: str | None = None) -> None:
        self.count += 1
        self.monthly += monthly
        self.monthly_at_max += monthly if at_max is None else at_max
        self.addresses.append((address, monthly))
        if note and note not in self.notes:
            self.notes.append(note)


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

    def as_dict(self) -> dict[str, Any]:
        return {
            "estimate": True,
            "currency": self.meta["currency"],
            "region": self.meta["region"],
            "as_of": self.meta["as_of"],
            "source": self.meta["source"],
            "lines": [
                {
                    "resource_type": line.resource_type,
                    "count": line.count,
                    "monthly": round(line.monthly, 2),
                    "monthly_at_max": round(line.monthly_at_max, 2),
                    "notes": line.notes,
                }
                for line in self.lines
            ],
            "total_monthly": self.total,
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


def _metric_alarm(alarm: Resource, p: dict[str, Any]) -> float:
    queries = alarm.values.get("metric_query") or []
    metrics = sum(1 for q in queries if q.get("metric")) if queries else 1
    return max(metrics, 1) * p["cloudwatch"]["metric_alarm_month"]


def _endpoint(ep: Resource, p: dict[str, Any]) -> float:
    if attr(ep, "vpc_endpoint_type") != "Interface":
        return 0.0
    subnets = attr(ep, "subnet_ids")
    azs = len(subnets) if isinstance(subnets, list) and subnets else 2
    return azs * p["vpc_endpoint"]["interface_hour_per_az"] * p["meta"]["hours_per_month"]


def estimate(inv: PlanInventory, budget: float | None = None) -> CostEstimate:
    p = prices()
    hours = p["meta"]["hours_per_month"]
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
            monthly = (p["alb"]["hour"] + p["alb"]["assumed_lcus"] * p["alb"]["lcu_hour"]) * hours
            line(lb.type).add(lb.address, monthly, note=f"{p['alb']['assumed_lcus']} LCU assumed")
    for nat in live(inv, "aws_nat_gateway"):
        line("aws_nat_gateway").add(nat.address, p["nat_gateway"]["hour"] * hours, note="data processed usage-based")
    for ep in live(inv, "aws_vpc_endpoint"):
        line("aws_vpc_endpoint").add(ep.address, _endpoint(ep, p))
    for alarm in live(inv, "aws_cloudwatch_metric_alarm"):
        line("aws_cloudwatch_metric_alarm").add(alarm.address, _metric_alarm(alarm, p))
    for alarm in live(inv, "aws_cloudwatch_composite_alarm"):
        line("aws_cloudwatch_composite_alarm").add(alarm.address, p["cloudwatch"]["composite_alarm_month"])
    for dash in live(inv, "aws_cloudwatch_dashboard"):
        line("aws_cloudwatch_dashboard").add(dash.address, p["cloudwatch"]["dashboard_month"])
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
    ordered = sorted(lines.values(), key=lambda ln: (-ln.monthly, ln.resource_type))
    return CostEstimate(ordered, p["meta"], budget)


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
