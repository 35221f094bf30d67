"""What ``python -m scripts orphans`` needs besides the finder: the region, the optional plan, the
state (a file or the environment's backend) and AWS clients; AWS failures become one-line errors."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from scripts.errors import UsageError
from scripts.orphans.finder import Orphan, find_orphans
from scripts.orphans.state import load_state, pull_state
from scripts.terraform.tf import REPO_ROOT


def region_for(env: str, given: str | None) -> str:
    if given:
        return given
    if os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION"):
        return os.environ.get("AWS_REGION") or os.environ["AWS_DEFAULT_REGION"]
    tfvars = REPO_ROOT / "terraform" / "environments" / f"{env}.tfvars"
    for line in tfvars.read_text().splitlines():
        key, _, value = line.partition("=")
        if key.strip() == "region":
            return value.strip().strip('"')
    raise UsageError(f"no AWS region: pass --region or set AWS_REGION ({tfvars.name} names none)")


def read_plan(path: Path | None) -> dict[str, Any] | None:
    if path is None:
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsageError(f"cannot read plan JSON {path}: {getattr(exc, 'strerror', None) or exc}") from exc
    if not isinstance(data, dict) or ("resource_changes" not in data and "format_version" not in data):
        raise UsageError(f"{path} is not `terraform show -json` output of a plan")
    return data


def aws_clients(region: str) -> Any:
    import boto3
    from botocore.config import Config

    session = boto3.session.Session(region_name=region)
    config = Config(retries={"max_attempts": 5, "mode": "standard"}, connect_timeout=5, read_timeout=30)
    cache: dict[str, Any] = {}

    def client(service: str) -> Any:
        if service not in cache:
            cache[service] = session.client(service, config=config)
        return cache[service]

    return client


def orphans_of(
    env: str, service: str, region: str | None, state_file: Path | None, plan_file: Path | None
) -> list[Orphan]:
    """The environment's orphans: tagged (or name-prefixed) resources in AWS that the state does not know."""
    from botocore.exceptions import BotoCoreError, ClientError

    region = region_for(env, region)
    plan = read_plan(plan_file)
    if state_file is not None:
        state = load_state(state_file)
    else:
        with tempfile.TemporaryDirectory(prefix="orphans-") as tmp:
            state = pull_state(env, Path(tmp))
    try:
        return find_orphans(aws_clients(region), state, service, env, plan)
    except (BotoCoreError, ClientError) as exc:
        raise UsageError(f"listing the {env} resources in AWS failed: {exc}") from exc
