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


# An endpoint nothing answers must fail in seconds, with one line, not after minutes of retries.
# Config's retries["max_attempts"] counts retries after the first call, and when set it overrides
# AWS_MAX_ATTEMPTS (https://docs.aws.amazon.com/boto3/latest/guide/retries.html, "Available
# configuration options"; botocore/args.py _compute_retry_max_attempts in 1.35): the former
# max_attempts=5 meant 6 calls and up to 1+2+4+8+16 s of backoff against a dead endpoint. Only the
# mode is set here, so the standard mode's default of 3 attempts in all (throttling and transient
# errors still retried, with backoff, in a real account) applies unless the person running the tool
# sets AWS_MAX_ATTEMPTS or max_attempts in ~/.aws/config.
# connect_timeout / read_timeout default to 60 s each
# (https://botocore.amazonaws.com/v1/documentation/api/latest/reference/config.html): a blackholed
# endpoint would cost 3 x 60 s. AWS endpoints accept a TCP connection well within 3 s; the Resource
# Groups Tagging API's pages may take longer to compute, so reads keep 30 s.
RETRY_MODE = "standard"
CONNECT_TIMEOUT = 3
READ_TIMEOUT = 30


def client_config() -> Any:
    from botocore.config import Config

    return Config(retries={"mode": RETRY_MODE}, connect_timeout=CONNECT_TIMEOUT, read_timeout=READ_TIMEOUT)


def aws_clients(region: str) -> Any:
    import boto3

    session = boto3.session.Session(region_name=region)
    config = client_config()
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
