"""The two data tables of the checks: instance classes (memory, vCPUs) and prices."""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
INSTANCE_CLASSES_FILE = HERE / "instance_classes.toml"
PRICES_FILE = HERE / "prices.toml"

GIB = 1073741824
RESERVE_MIN_BYTES = 268435456  # 256 MiB
BYTES_PER_CONNECTION = 9531392
MAX_CONNECTIONS_CEILING = 5000


@dataclass(frozen=True)
class InstanceClass:
    name: str
    memory_gib: float
    vcpus: int

    @property
    def max_connections(self) -> int:
        return max_connections_for_memory(self.memory_gib)


def max_connections_for_memory(memory_gib: float) -> int:
    """The estimate modules/rds-postgres outputs as ``max_connections`` (see instance_classes.toml)."""
    memory = memory_gib * GIB
    reserve = max(RESERVE_MIN_BYTES, memory / 10)
    return min(math.floor((memory - reserve) / BYTES_PER_CONNECTION), MAX_CONNECTIONS_CEILING)


@cache
def instance_classes(path: Path = INSTANCE_CLASSES_FILE) -> dict[str, InstanceClass]:
    data = tomllib.loads(path.read_text())
    return {
        name: InstanceClass(name, float(spec["memory_gib"]), int(spec["vcpus"]))
        for name, spec in data["classes"].items()
    }


@cache
def prices(path: Path = PRICES_FILE) -> dict[str, Any]:
    return tomllib.loads(path.read_text())
