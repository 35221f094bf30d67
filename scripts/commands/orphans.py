"""``orphans``: resources of an environment that AWS holds but Terraform state does not know.

Thin: the logic lives in ``scripts.orphans``; docs/runbooks/orphaned-resources.md says what to do.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from scripts.errors import UsageError
from scripts.orphans import find_orphans, import_line, load_state, pull_state

ENVIRONMENTS = ("dev", "prod")
DEFAULT_SERVICE = "imgclass"


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "orphans",
        help="list resources with the platform's tags that the environment's Terraform state does not know",
        description=(
            "List the resources tagged Service=<service>, Environment=<env> (Resource Groups Tagging API) "
            "plus the untagged kinds the platform creates, found by the name prefix <service>-<env> (IAM roles "
            "and their policies, KMS aliases, security group rules, auto scaling policies, dashboards, topic "
            "subscriptions), that are absent from the state, each with its `terraform import` line. The state is "
            "pulled from the environment's backend (terraform/environments/<env>.s3.tfbackend with "
            "STATE_BUCKET and STATE_KMS_KEY_ARN) unless --state is given. AWS credentials and "
            "region come from the environment (AWS_*), as for Terraform. Exit 0 no orphans; 1 orphans found; "
            "2 bad usage or environment error (one line). See docs/runbooks/orphaned-resources.md."
        ),
    )
    parser.add_argument("--env", required=True, choices=ENVIRONMENTS, help="environment whose resources to check")
    parser.add_argument("--service", default=DEFAULT_SERVICE, help="the Service tag and name prefix (default imgclass)")
    parser.add_argument(
        "--state", type=Path, metavar="FILE", help="a state file (`terraform state pull` JSON) instead of the backend"
    )
    parser.add_argument(
        "--plan",
        type=Path,
        metavar="FILE",
        help="`terraform show -json` of a plan of the environment: names the address each import belongs to",
    )
    parser.add_argument("--region", help="AWS region (default: AWS_REGION, else the environment's tfvars region)")
    parser.set_defaults(func=run)


def _region(env: str, given: str | None) -> str:
    if given:
        return given
    if os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION"):
        return os.environ.get("AWS_REGION") or os.environ["AWS_DEFAULT_REGION"]
    from scripts.terraform.tf import REPO_ROOT

    tfvars = REPO_ROOT / "terraform" / "environments" / f"{env}.tfvars"
    for line in tfvars.read_text().splitlines():
        key, _, value = line.partition("=")
        if key.strip() == "region":
            return value.strip().strip('"')
    raise UsageError(f"no AWS region: pass --region or set AWS_REGION ({tfvars.name} names none)")


def _read_plan(path: Path | None) -> dict[str, Any] | None:
    if path is None:
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsageError(f"cannot read plan JSON {path}: {getattr(exc, 'strerror', None) or exc}") from exc
    if not isinstance(data, dict) or ("resource_changes" not in data and "format_version" not in data):
        raise UsageError(f"{path} is not `terraform show -json` output of a plan")
    return data


def _clients(region: str) -> Any:
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


def run(args: argparse.Namespace) -> int:
    from botocore.exceptions import BotoCoreError, ClientError

    region = _region(args.env, args.region)
    plan = _read_plan(args.plan)
    if args.state is not None:
        state = load_state(args.state)
    else:
        with tempfile.TemporaryDirectory(prefix="orphans-") as tmp:
            state = pull_state(args.env, Path(tmp))
    try:
        orphans = find_orphans(_clients(region), state, args.service, args.env, plan)
    except (BotoCoreError, ClientError) as exc:
        raise UsageError(f"listing the {args.env} resources in AWS failed: {exc}") from exc
    if not orphans:
        print(f"no orphans: every resource tagged Service={args.service}, Environment={args.env} is in the state")
        return 0
    print(f"{len(orphans)} resource(s) of {args.env} exist in AWS but not in the state:")
    for orphan in orphans:
        res = orphan.resource
        print(f"  {res.rtype or 'unknown type'}  {res.arn or res.import_id}")
        print(f"    {import_line(orphan)}")
    if any(o.address is None for o in orphans):
        print(
            "Replace <ADDRESS> with the resource's address in the configuration (or pass --plan); "
            "see docs/runbooks/orphaned-resources.md."
        )
    return 1
