"""``check-plan PLAN_JSON``: the policy checks alone, on the output of ``terraform show -json PLAN``.

What CI calls after its own plan. Exit 0 safe, 1 policy violations, 2 unreadable or foreign input.
The options it shares with ``plan`` live in ``scripts.checks.options``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from scripts.checks import run_checks
from scripts.checks.cost import region_override
from scripts.checks.options import add_check_arguments, emit_report, ensure_writable, load_plan, options_from
from scripts.errors import UsageError


def run(args: argparse.Namespace) -> int:
    ensure_writable(args.output)
    if args.source_dir is not None and not args.source_dir.is_dir():
        raise UsageError(f"--source-dir {args.source_dir} is not a directory")
    inventory = load_plan(args.plan_json)
    with region_override(args.region):
        report = run_checks(inventory, options_from(args), source=str(args.plan_json))
    return emit_report(report, args)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "check-plan",
        help="run the policy checks on a plan JSON (terraform show -json PLAN)",
        description=(
            "Policy checks on an existing plan JSON: connection budget, the project's security rules, "
            "reliability, destructive changes, cost estimate, and checkov on the plan. Exit 0 safe, 1 violations, "
            "2 bad usage or an unreadable, "
            "undecodable or foreign plan file (one line)."
        ),
    )
    parser.add_argument(
        "plan_json",
        type=Path,
        metavar="PLAN_JSON",
        help="output of terraform show -json (UTF-8, or UTF-16 with a byte order mark as PowerShell 5.1 writes)",
    )
    add_check_arguments(parser)
    parser.add_argument(
        "--region",
        metavar="REGION",
        help="price the cost estimate at this region's list prices (default: the plan's own region)",
    )
    parser.add_argument(
        "--source-dir",
        type=Path,
        metavar="DIR",
        help="the Terraform root the plan was made from, whose inline #checkov:skip comments apply "
        "(default: the repository's terraform/)",
    )
    parser.set_defaults(func=run)
