"""``iam-check``: prove on the embedded emulator that the deploy roles can deploy the platform.

Thin: the steps live in ``scripts.iam.run`` (shared with tests/platform/test_platform_apply.py).
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from rich.console import Console

from scripts.checks.tables import environments
from scripts.emulator import Emulator
from scripts.emulator.recorder import CallBus
from scripts.iam.proof import report_lines
from scripts.iam.run import proof


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "iam-check",
        help="apply, update and destroy the platform as the pipeline's roles, judging every AWS call",
        description=(
            "On the embedded emulator: bootstrap the account as an administrator, assume the apply role "
            "with the environment's GitHub OIDC token and apply, re-plan, update in place and destroy "
            "the platform; assume each plan role with a pull request's token and plan. Every call is "
            "evaluated against the roles' IAM policies. Prints per role the calls, evaluations, "
            "allowed, denied and unresolved. Exit 0 every call allowed; 1 a denial or an unresolved "
            "call; 2 bad usage or environment error (one line)."
        ),
    )
    parser.add_argument("--env", choices=environments(), default="dev", help="environment to apply (default dev)")
    parser.add_argument(
        "--permissions-boundary-arn",
        metavar="ARN",
        help="bootstrap with this boundary required on every role (created as an allow-all policy if absent)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    console = Console(stderr=True)
    bus = CallBus()
    with (
        Emulator(on_call=bus) as emulator,
        tempfile.TemporaryDirectory(prefix="iam-check-") as tmp,
        proof(emulator, bus, Path(tmp), env=args.env, boundary_arn=args.permissions_boundary_arn) as run_,
    ):
        with console.status("bootstrap as administrator"):
            run_.bootstrap_account()
        with console.status(f"apply {args.env} as its apply role"):
            run_.apply_platform()
        with console.status("re-plan and update in place"):
            run_.log.phase = "replan"
            run_.platform.replan()  # type: ignore[union-attr]
            run_.update_in_place()
        for env in environments():
            with console.status(f"plan {env} as its plan role"):
                run_.plan_as_pull_request(env)
        with console.status(f"destroy {args.env} as its apply role"):
            run_.destroy_platform()
        verdicts = run_.verdicts()
    print("\n".join(report_lines(verdicts)))
    return 0 if all(v.ok for v in verdicts) else 1
