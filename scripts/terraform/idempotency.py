"""The idempotency check: a re-plan after apply must show no changes but known emulator artifacts."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scripts.terraform.inventory import PlanInventory, Resource

ARTIFACTS_FILE = Path(__file__).resolve().parents[1] / "emulator" / "known_artifacts.toml"


@dataclass(frozen=True)
class Artifact:
    resource_type: str
    attribute: str
    reason: str


def load_artifacts(path: Path = ARTIFACTS_FILE) -> dict[str, dict[str, str]]:
    """resource type -> attribute -> reason."""
    data = tomllib.loads(path.read_text())
    table: dict[str, dict[str, str]] = {}
    for entry in data.get("artifact", []):
        art = Artifact(**entry)
        table.setdefault(art.resource_type, {})[art.attribute] = art.reason
    return table


def changed_attributes(res: Resource) -> set[str]:
    before: dict[str, Any] = res.before or {}
    after: dict[str, Any] = res.values or {}
    keys = set(before) | set(after)
    changed = {k for k in keys if before.get(k) != after.get(k)}
    changed |= {k for k, v in res.after_unknown.items() if v}
    return changed


def unexpected_changes(inventory: PlanInventory, artifacts: dict[str, dict[str, str]] | None = None) -> list[str]:
    """One line per change that is not a known emulator artifact; empty means idempotent."""
    table = load_artifacts() if artifacts is None else artifacts
    problems: list[str] = []
    for address, actions in sorted(inventory.changed().items()):
        res = inventory.resources[address]
        if list(actions) != ["update"]:
            problems.append(f"{address}: planned {'/'.join(actions)}")
            continue
        attrs = changed_attributes(res)
        unknown = sorted(attrs - set(table.get(res.type, {})))
        if unknown:
            detail = "; ".join(
                f"{a}: {_short((res.before or {}).get(a))} -> {_short(res.values.get(a))}" for a in unknown
            )
            problems.append(f"{address}: update of {', '.join(unknown)} ({detail})")
    return problems


def _short(value: Any, limit: int = 300) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
