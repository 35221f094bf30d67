"""Shared set-up of the platform tests: the root configuration on the emulator with one environment.

The committed ``terraform/environments/<env>.tfvars`` is copied into the scratch root as an auto-loaded
file, so a test plans exactly the committed settings; the harness's own variables file (loaded later,
so it wins) only points the root at the test's network and, where a test says so, changes inputs.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from scripts.emulator import Emulator
from scripts.emulator.network import create_network, delete_network
from scripts.terraform.tf import unique_name


@contextmanager
def network(emulator: Emulator) -> Iterator[dict[str, Any]]:
    """A fresh "existing" network with tags unique to the calling test module."""
    net = create_network(emulator, emulator.region, {"Network": unique_name("net")})
    try:
        yield net
    finally:
        delete_network(emulator, net)


def statements_by_sid(policy: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["Sid"]: s for s in policy["Statement"]}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def ingress_from_anywhere(inventory: Any) -> list[str]:
    """Addresses of security-group ingress that admits 0.0.0.0/0 or ::/0."""
    found = []
    for res in inventory.of_type("aws_vpc_security_group_ingress_rule"):
        if res.values.get("cidr_ipv4") == "0.0.0.0/0" or res.values.get("cidr_ipv6") == "::/0":
            found.append(res.address)
    for res in inventory.of_type("aws_security_group"):
        for rule in res.values.get("ingress") or []:
            if "0.0.0.0/0" in (rule.get("cidr_blocks") or []) or "::/0" in (rule.get("ipv6_cidr_blocks") or []):
                found.append(res.address)
    return found


def capacity_providers(service: Any) -> dict[str, int]:
    return {s["capacity_provider"]: s["weight"] for s in service.values["capacity_provider_strategy"]}


def plan_check_errors(inventory: Any) -> list[str]:
    """Errors of the project's plan checks (scripts.checks) on this plan."""
    from scripts.checks import CheckOptions, run_checks

    report = run_checks(inventory, CheckOptions.build())
    return [f"{f.check_id} {f.address}: {f.message}" for f in report.errors]
