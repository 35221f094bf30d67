"""``orphans``: resources of an environment that AWS holds but Terraform state does not know.

Thin: the logic lives in ``scripts.orphans``; docs/runbooks/orphaned-resources.md says what to do.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from scripts.checks.tables import environments
from scripts.orphans import import_line
from scripts.orphans.inputs import orphans_of

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
    parser.add_argument("--env", required=True, choices=environments(), help="environment whose resources to check")
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


def run(args: argparse.Namespace) -> int:
    orphans = orphans_of(args.env, args.service, args.region, args.state, args.plan)
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
