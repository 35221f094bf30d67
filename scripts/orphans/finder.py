"""Compare what AWS holds under the platform's tags and name prefix with what the state knows."""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from scripts.orphans import catalog
from scripts.orphans.catalog import Clients, LiveResource
from scripts.orphans.state import StateIndex

PLACEHOLDER = "<ADDRESS>"


@dataclass(frozen=True)
class Orphan:
    resource: LiveResource
    address: str | None = None  # the configuration's address, when a plan names it


def tag_filters(service: str, env: str) -> list[dict[str, Any]]:
    """The tags terraform/providers.tf's default_tags put on every resource of an environment (the
    dev plan's test holds the two to each other)."""
    return [{"Key": "Service", "Values": [service]}, {"Key": "Environment", "Values": [env]}]


def name_prefix(service: str, env: str) -> str:
    """What terraform/locals.tf's ``name`` starts the names of the untaggable resources with."""
    return f"{service}-{env}"


def tagged(clients: Clients, service: str, env: str) -> Iterable[LiveResource]:
    pages = (
        clients("resourcegroupstaggingapi")
        .get_paginator("get_resources")
        .paginate(TagFilters=tag_filters(service, env))
    )
    for page in pages:
        for mapping in page.get("ResourceTagMappingList", []):
            yield catalog.classify(mapping["ResourceARN"], clients)


def live_resources(clients: Clients, service: str, env: str) -> list[LiveResource]:
    """Every resource of the environment in AWS, once each (tagged first, then by name prefix)."""
    prefix = name_prefix(service, env)
    found: list[LiveResource] = list(tagged(clients, service, env))
    groups = [r.import_id for r in found if r.rtype == "aws_security_group"]
    topics = [r.arn for r in found if r.rtype == "aws_sns_topic"]
    found += catalog.iam_resources(clients, prefix)
    found += catalog.kms_aliases(clients, prefix)
    found += catalog.dashboards(clients, prefix)
    found += catalog.autoscaling(clients, prefix)
    found += catalog.security_group_rules(clients, groups)
    found += catalog.topic_subscriptions(clients, topics)
    unique: dict[tuple[str | None, str], LiveResource] = {}
    for res in found:
        unique.setdefault((res.rtype, res.import_id or res.arn), res)
    return list(unique.values())


def planned_address(resource: LiveResource, plan: dict[str, Any] | None) -> str | None:
    """The address a plan creates with the orphan's name: where its import belongs (None if not exactly one)."""
    if not plan or resource.rtype is None:
        return None
    candidates: list[tuple[int, str]] = []
    parts = {p for p in re.split(r"[:/]", resource.import_id) if p}
    for change in plan.get("resource_changes", []):
        if change.get("type") != resource.rtype or "create" not in change.get("change", {}).get("actions", []):
            continue
        after = change["change"].get("after") or {}
        values = {str(v) for v in after.values() if isinstance(v, str)}
        if resource.name in values or resource.import_id in values:
            # Same name twice (an inline policy "application" on two roles): the one whose other
            # identifiers (the role) match as well.
            candidates.append((len(parts & values), str(change["address"])))
    if not candidates:
        return None
    best = max(score for score, _ in candidates)
    winners = [address for score, address in candidates if score == best]
    return winners[0] if len(winners) == 1 else None


def find_orphans(
    clients: Clients,
    state: StateIndex,
    service: str,
    env: str,
    plan: dict[str, Any] | None = None,
    live: Callable[[Clients, str, str], list[LiveResource]] = live_resources,
) -> list[Orphan]:
    orphans = [
        Orphan(res, planned_address(res, plan))
        for res in live(clients, service, env)
        if not state.knows(res.rtype, *res.identifiers)
    ]
    return sorted(orphans, key=lambda o: (o.resource.rtype or "~", o.resource.import_id or o.resource.arn))


def import_line(orphan: Orphan, chdir: str = "terraform") -> str:
    """The command that adopts the orphan into state (the address is a placeholder without a plan)."""
    res = orphan.resource
    if res.rtype is None or not res.import_id:
        return f"# no import mapping for {res.arn}: delete it, or add it to the configuration (see the runbook)"
    address = orphan.address or PLACEHOLDER
    return f"terraform -chdir={chdir} import {shlex.quote(address)} {shlex.quote(res.import_id)}"
