"""``demo``: apply the platform to the embedded AWS emulator, report, re-plan, destroy."""

from __future__ import annotations

import argparse

import scripts.demo.steps as demo
from scripts.checks.tables import environments


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "demo",
        help="run the whole platform against the embedded AWS emulator (no AWS account)",
        description=(
            "Start the emulator, create the existing network, apply terraform/ with the environment's "
            "tfvars, run the plan checks, report, re-plan for idempotency and destroy (also on Ctrl-C); "
            "with --keep, stay up for a look around until Ctrl-C, then destroy. "
            "Exit 0 applied, re-planned clean and destroyed; 1 a plan check, the apply, the re-plan or "
            "the destroy failed; 2 environment error (toolchain, emulator; one line); 130 interrupted."
        ),
    )
    parser.add_argument(
        "--env",
        choices=environments(),
        default="dev",
        help="environment settings to apply (terraform/environments/<env>.tfvars); default dev",
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help=(
            "after the checks, leave the emulator and the applied platform up, print the endpoint and how "
            "to point the AWS CLI or boto3 at it, and destroy on Ctrl-C (make demo KEEP=1)"
        ),
    )
    parser.set_defaults(func=lambda args: demo.run(args.env, keep=args.keep))
