"""``plan --env ENV``: plan an environment of the root configuration and run the policy checks.

The logic lives in ``scripts.terraform.plan``; this module is its command line.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from scripts.checks.options import add_check_arguments, emit_report, ensure_writable, options_from
from scripts.terraform.plan import plan_and_check


def run(args: argparse.Namespace) -> int:
    ensure_writable(args.output)
    report = plan_and_check(args.env, use_emulator=args.emulator, out=args.out, options=options_from(args))
    return 1 if report is None else emit_report(report, args)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "plan",
        help="plan an environment of terraform/ and run the policy checks on it",
        description=(
            "Init with terraform/environments/<env>.s3.tfbackend and the state bucket and KMS key ARN from "
            "STATE_BUCKET and STATE_KMS_KEY_ARN, plan with <env>.tfvars, save the plan "
            "and its JSON, run the policy checks. --emulator plans against the embedded AWS emulator "
            "(local state, the existing network created as a fixture). Exit 0 safe, 1 violations, "
            "2 usage or environment error."
        ),
    )
    parser.add_argument("--env", required=True, help="environment: a terraform/environments/<env>.tfvars")
    parser.add_argument("--emulator", action="store_true", help="plan against the embedded AWS emulator instead of AWS")
    parser.add_argument(
        "--out", type=Path, metavar="DIR", help="where the plan and its JSON go (default: build/plans/<env>)"
    )
    add_check_arguments(parser)
    parser.set_defaults(func=run)
