"""Build small plan JSON documents by hand, in the shape of ``terraform show -json``.

The unit tests of every check and the benchmark use it: add resources by address with their
planned values (and which attributes are unknown until apply), module calls with their input
expressions, and get the JSON a ``PlanInventory`` reads.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

_ADDR = re.compile(r'^(?P<module>(?:module\.[A-Za-z0-9_-]+(?:\[(?:"[^"]*"|\d+)\])?\.)*)(?P<rest>.+)$')


def split_address(address: str) -> tuple[str, str, str, str]:
    """(module address, mode, type, name) of a resource address."""
    match = _ADDR.match(address)
    if not match:
        raise ValueError(f"not a resource address: {address}")
    module = match.group("module").rstrip(".")
    rest = match.group("rest")
    mode = "managed"
    if rest.startswith("data."):
        mode, rest = "data", rest[len("data.") :]
    rtype, name = rest.split(".", 1)
    name = re.sub(r"\[.*\]$", "", name)
    return module, mode, rtype, name


class PlanBuilder:
    def __init__(self, variables: dict[str, Any] | None = None, format_version: str = "1.2") -> None:
        self.format_version = format_version
        self.variables = dict(variables or {})
        self.resources: list[dict[str, Any]] = []
        self.changes: list[dict[str, Any]] = []
        self.module_calls: dict[str, Any] = {}
        self.checks: list[dict[str, Any]] = []

    def add(
        self,
        address: str,
        values: dict[str, Any] | None = None,
        actions: tuple[str, ...] | list[str] = ("create",),
        unknown: list[str] | tuple[str, ...] = (),
        before: dict[str, Any] | None = None,
        replace_paths: list[list[Any]] | None = None,
    ) -> PlanBuilder:
        """A resource (or ``data.`` source) with planned ``values``; ``unknown`` attributes are
        known only after apply. ``actions`` ``("delete",)`` leaves it out of planned_values."""
        module, mode, rtype, name = split_address(address)
        after = copy.deepcopy(values or {})
        if "delete" not in actions or "create" in actions:
            entry = {"address": address, "mode": mode, "type": rtype, "name": name, "values": after}
            self.resources.append(entry)
        change: dict[str, Any] = {
            "actions": list(actions),
            "before": before if before is not None else (after if "delete" in actions else None),
            "after": None if list(actions) == ["delete"] else after,
            "after_unknown": {k: True for k in unknown},
        }
        if replace_paths:
            change["replace_paths"] = replace_paths
        rc: dict[str, Any] = {
            "address": address,
            "mode": mode,
            "type": rtype,
            "name": name,
            "change": change,
        }
        if module:
            rc["module_address"] = module
        self.changes.append(rc)
        return self

    def module_call(
        self,
        path: str,
        expressions: dict[str, Any],
        for_each: dict[str, Any] | None = None,
        source: str | None = None,
    ) -> PlanBuilder:
        """A module call at ``path`` ("api" or "platform.api") with input expressions in plan-JSON
        form: ``{"constant_value": 10}`` or ``{"references": ["var.pool"]}``; ``source`` defaults to
        ``./<name>``."""
        calls = self.module_calls
        parts = path.split(".")
        for part in parts[:-1]:
            calls = calls.setdefault(part, {"source": f"./{part}", "module": {}})["module"].setdefault(
                "module_calls", {}
            )
        call = calls.setdefault(parts[-1], {"source": f"./{parts[-1]}", "module": {}})
        call["expressions"] = expressions
        if source is not None:
            call["source"] = source
        if for_each is not None:
            call["for_each_expression"] = for_each
        return self

    def check_result(
        self, address: str, status: str, problems: list[str] | None = None, kind: str = "check"
    ) -> PlanBuilder:
        self.checks.append(
            {
                "address": {"kind": kind, "to_display": address},
                "status": status,
                "instances": [
                    {
                        "address": {"to_display": address},
                        "status": status,
                        "problems": [{"message": m} for m in problems or []],
                    }
                ],
            }
        )
        return self

    def build(self) -> dict[str, Any]:
        root: dict[str, Any] = {"resources": [], "child_modules": []}
        children: dict[str, dict[str, Any]] = {}
        for res in self.resources:
            module = split_address(res["address"])[0]
            if not module:
                root["resources"].append(res)
            else:
                children.setdefault(module, {"address": module, "resources": []})["resources"].append(res)
        root["child_modules"] = list(children.values())
        plan: dict[str, Any] = {
            "format_version": self.format_version,
            "terraform_version": "1.11.4",
            "variables": {k: {"value": v} for k, v in self.variables.items()},
            "planned_values": {"root_module": root, "outputs": {}},
            "resource_changes": self.changes,
            "configuration": {"root_module": {"module_calls": self.module_calls}},
        }
        if self.checks:
            plan["checks"] = self.checks
        return plan

    def write(self, path: Path) -> Path:
        path.write_text(json.dumps(self.build(), indent=1))
        return path


# --- a platform-shaped plan (for the benchmark and the report tests) ---------------------------


def container_definitions(pool: int | None = 10, readonly: bool = True, privileged: bool = False) -> str:
    env = [{"name": "DB_HOST", "value": "platform.proxy-abc.eu-west-1.rds.amazonaws.com"}]
    if pool is not None:
        env.append({"name": "DB_POOL_SIZE", "value": str(pool)})
    return json.dumps(
        [
            {
                "name": "app",
                "image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/api:1.0.0",
                "environment": env,
                "readonlyRootFilesystem": readonly,
                "privileged": privileged,
                "user": "1000:1000",
            }
        ]
    )


def platform_plan(services: int = 2, max_capacity: int = 4, pool: int = 10, environment: str = "dev") -> PlanBuilder:
    """A composition like the platform's: database + proxy, N ECS services, ALB, bucket, alarm."""
    b = PlanBuilder(variables={"environment": environment})
    b.add(
        "module.database.aws_db_instance.this",
        {
            "identifier": "platform",
            "engine": "postgres",
            "instance_class": "db.t4g.medium",
            "allocated_storage": 20,
            "storage_type": "gp3",
            "storage_encrypted": True,
            "publicly_accessible": False,
            "multi_az": environment == "prod",
            "deletion_protection": environment == "prod",
            "backup_retention_period": 7 if environment == "prod" else 1,
            "skip_final_snapshot": False,
            "parameter_group_name": "platform-postgres16",
        },
        unknown=["final_snapshot_identifier", "address", "endpoint"],
    )
    b.add(
        "module.database.aws_db_parameter_group.this",
        {"name": "platform-postgres16", "parameter": [{"name": "rds.force_ssl", "value": "1"}]},
    )
    b.add("module.database.aws_kms_key.this[0]", {"enable_key_rotation": True})
    b.add("module.proxy.aws_db_proxy.this", {"name": "platform", "require_tls": True}, unknown=["endpoint"])
    b.add(
        "module.proxy.aws_db_proxy_default_target_group.this",
        {"db_proxy_name": "platform", "connection_pool_config": [{"max_connections_percent": 75}]},
    )
    b.add(
        "module.proxy.aws_db_proxy_target.this",
        {"db_proxy_name": "platform", "db_instance_identifier": "platform", "target_group_name": "default"},
    )
    for i in range(services):
        name = f"svc{i}"
        mod = f"module.{name}"
        b.add(
            f"{mod}.aws_ecs_service.this",
            {
                "name": name,
                "desired_count": 1,
                "deployment_circuit_breaker": [{"enable": True, "rollback": True}],
                "capacity_provider_strategy": [{"capacity_provider": "FARGATE", "weight": 1, "base": 0}],
            },
            unknown=["task_definition", "cluster"],
        )
        b.add(
            f"{mod}.aws_ecs_task_definition.this",
            {
                "family": name,
                "cpu": "256",
                "memory": "512",
                "container_definitions": container_definitions(pool),
                "runtime_platform": [{"cpu_architecture": "ARM64", "operating_system_family": "LINUX"}],
            },
        )
        b.add(
            f"{mod}.aws_appautoscaling_target.this",
            {
                "service_namespace": "ecs",
                "scalable_dimension": "ecs:service:DesiredCount",
                "resource_id": f"service/platform/{name}",
                "min_capacity": 1,
                "max_capacity": max_capacity,
            },
        )
    # Named as in modules/alb, whose source the call names: checkov on the plan applies that module's
    # inline skips (port 80 open to the internet only to redirect) as it does in the real root.
    b.module_call("alb", {}, source="../modules/alb")
    b.add("module.alb.aws_security_group.this", {"name": "alb", "description": "load balancer"}, unknown=["id"])
    for name, port in (("https", 443), ("http", 80)):
        b.add(
            f"module.alb.aws_vpc_security_group_ingress_rule.{name}",
            {
                "cidr_ipv4": "0.0.0.0/0",
                "from_port": port,
                "to_port": port,
                "ip_protocol": "tcp",
                "description": f"{name.upper()} from clients",
            },
            unknown=["security_group_id"],
        )
        b.add(f"module.alb.aws_lb_listener.{name}", {"port": port, "protocol": name.upper()})
    b.add(
        "module.alb.aws_lb.this",
        {"load_balancer_type": "application", "enable_deletion_protection": environment == "prod"},
        unknown=["security_groups"],
    )
    b.add(
        "module.alarms.aws_cloudwatch_metric_alarm.db_connections",
        {"alarm_name": "db-connections", "actions_enabled": True, "tags": {"Severity": "critical"}},
        unknown=["alarm_actions"],
    )
    return b
