"""The data tables of the checks: instance classes (memory, vCPUs), prices, the region-name rule and
the formats of AWS identifiers.

The instance classes are modules/rds-postgres's own data file (``instance_classes.json``), which the
module reads with ``jsondecode(file(...))``: the classes and the constants of the max_connections
estimate exist once, for Terraform and Python alike. The region-name rule is
``modules/_shared/region_name.json``, read the same way by the root's and bootstrap's validations;
the identifier formats are ``modules/_shared/aws_id_patterns.json``, which the modules' and the root's
validations read. The deployment environments, which of them are
production-like and what that demands are the root's ``terraform/intents.json``, which
terraform/locals.tf reads too.
"""

from __future__ import annotations

import json
import math
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
INSTANCE_CLASSES_FILE = HERE.parents[1] / "modules" / "rds-postgres" / "instance_classes.json"
PRICES_FILE = HERE / "prices.toml"
# What a region name looks like; the root's and bootstrap's region validations read the same file.
REGION_NAME_FILE = HERE.parents[1] / "modules" / "_shared" / "region_name.json"
# What subnet and security group IDs, KMS key, certificate and secret ARNs look like.
AWS_ID_PATTERNS_FILE = HERE.parents[1] / "modules" / "_shared" / "aws_id_patterns.json"
# The environments and what each kind demands (terraform/locals.tf reads it for the root).
INTENTS_FILE = HERE.parents[1] / "terraform" / "intents.json"
# The environment variables a modules/ecs-service task reads its database settings from (task.tf reads it).
ECS_SERVICE_CONTRACT_FILE = HERE.parents[1] / "modules" / "ecs-service" / "contract.json"

GIB = 1073741824


@dataclass(frozen=True)
class InstanceClass:
    name: str
    memory_gib: float
    vcpus: int

    @property
    def max_connections(self) -> int:
        return max_connections_for_memory(self.memory_gib)


@cache
def _json_file(path: Path) -> dict[str, Any]:
    """A data file, parsed once per run (the budget check asks the contract for three names per plan);
    callers read it and never change it."""
    return dict(json.loads(path.read_text()))


def max_connections_for_memory(memory_gib: float) -> int:
    """The estimate modules/rds-postgres outputs as ``max_connections``, with the constants of its
    data file: min(floor((memory - max(reserve_min_bytes, memory x reserve_fraction)) /
    bytes_per_connection), ceiling)."""
    sizing = _json_file(INSTANCE_CLASSES_FILE)["max_connections"]
    memory = memory_gib * GIB
    reserve = max(sizing["reserve_min_bytes"], memory * sizing["reserve_fraction"])
    return min(math.floor((memory - reserve) / sizing["bytes_per_connection"]), sizing["ceiling"])


@cache
def instance_classes(path: Path = INSTANCE_CLASSES_FILE) -> dict[str, InstanceClass]:
    data = _json_file(path)
    return {
        name: InstanceClass(name, float(spec["memory_gib"]), int(spec["vcpus"]))
        for name, spec in data["classes"].items()
    }


@cache
def prices(path: Path = PRICES_FILE) -> dict[str, Any]:
    return tomllib.loads(path.read_text())


def environments(path: Path | None = None) -> list[str]:
    """The deployment environments, as the root's validation of ``environment`` admits them."""
    return sorted(_json_file(path or INTENTS_FILE)["environments"])


def is_production_like(env: str, path: Path | None = None) -> bool:
    """Whether the root treats ``env`` as production-like (terraform/locals.tf reads the same cell)."""
    return _json_file(path or INTENTS_FILE)["environments"].get(env) == "production_like"


def production_intents(path: Path | None = None) -> dict[str, Any]:
    """The production-like column of the root's intents table: what the modules are told in prod,
    and what the plan checks demand of a prod-like plan (``minimum_backup_retention_days``...)."""
    return dict(_json_file(path or INTENTS_FILE)["production_like"])


def region_name_pattern(path: Path = REGION_NAME_FILE) -> str:
    """The region-name regular expression (anchored), as Terraform's validations read it."""
    return str(_json_file(path)["pattern"])


def aws_id_pattern(name: str, path: Path = AWS_ID_PATTERNS_FILE) -> str:
    """The anchored regular expression of one AWS identifier format (``kms_key_arn``, ``subnet_id``...),
    as Terraform's validations read it."""
    return str(_json_file(path)["patterns"][name])


def ecs_service_contract(name: str, path: Path | None = None) -> str:
    """One name of modules/ecs-service's database contract (``pool_size_env``, ``db_host_env``,
    ``pool_size_input``), as the module's task.tf reads it."""
    return str(_json_file(path or ECS_SERVICE_CONTRACT_FILE)[name])
