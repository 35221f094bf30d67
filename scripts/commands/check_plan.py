"""``check-plan PLAN_JSON``: the policy checks alone, on the output of ``terraform show -json PLAN``.

What CI calls after its own plan. Exit 0 safe, 1 policy violations, 2 unreadable or foreign input.
The options here are shared with ``plan`` (``add_check_arguments`` / ``emit_report``).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from rich.console import Console

from scripts.checks import CheckOptions, Report, run_checks
from scripts.checks.cost import region_override
from scripts.checks.report import FORMATS, print_report, render
from scripts.errors import UsageError
from scripts.terraform.inventory import PlanFormatError, PlanInventory


def _budget(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an amount in USD") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("the budget must be above 0")
    return value


def add_check_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=FORMATS, default="table", help="report format (default: a rich table)")
    parser.add_argument(
        "--output", type=Path, metavar="FILE", help="write the report to FILE instead of standard output"
    )
    parser.add_argument(
        "--env-budget",
        type=_budget,
        metavar="USD",
        help="monthly budget: fail when the baseline cost estimate is above it",
    )
    parser.add_argument(
        "--allow-destroy",
        action="append",
        default=[],
        metavar="ADDRESS",
        help="accept the deletion or replacement of this stateful resource (repeatable)",
    )
    parser.add_argument(
        "--prod-like",
        action="store_true",
        default=None,
        help="apply the production rules (default: when the plan variable environment is prod, production or staging)",
    )


def options_from(args: argparse.Namespace, prod_like: bool | None = None) -> CheckOptions:
    return CheckOptions.build(
        allow_destroy=args.allow_destroy,
        env_budget_usd=args.env_budget,
        prod_like=True if args.prod_like else prod_like,
    )


def ensure_writable(path: Path | None) -> None:
    """Fail before any work when the report could not be written."""
    if path is None:
        return
    if path.is_dir():
        raise UsageError(f"--output {path} is a directory; give a file path")
    parent = path.parent if str(path.parent) else Path()
    if not parent.is_dir():
        raise UsageError(f"--output {path}: directory {parent} does not exist")
    target = path if path.exists() else parent
    if not os.access(target, os.W_OK):
        raise UsageError(f"--output {path} is not writable")


def emit_report(report: Report, args: argparse.Namespace) -> int:
    if args.output is not None:
        text = render(report, args.format)
        try:
            args.output.write_text(text)
        except OSError as exc:
            raise UsageError(f"cannot write --output {args.output}: {exc.strerror}") from exc
        verdict = "safe" if report.safe else "UNSAFE"
        print(
            f"{verdict}: {len(report.errors)} errors, {len(report.warnings)} warnings; "
            f"{args.format} report written to {args.output}"
        )
    elif args.format == "table":
        print_report(report, Console(highlight=False))
    else:
        sys.stdout.write(render(report, args.format))
    return report.exit_code


def load_plan(path: Path) -> PlanInventory:
    """The plan's inventory; a structurally broken plan is a one-line PlanFormatError."""
    try:
        return PlanInventory.from_file(path)
    except KeyError as exc:
        raise PlanFormatError(f"{path}: a resource in the plan JSON lacks the key {exc}") from exc
    except (TypeError, AttributeError) as exc:
        raise PlanFormatError(f"{path}: the plan JSON does not have the shape of terraform show -json") from exc


def run(args: argparse.Namespace) -> int:
    ensure_writable(args.output)
    inventory = load_plan(args.plan_json)
    with region_override(args.region):
        report = run_checks(inventory, options_from(args), source=str(args.plan_json))
    return emit_report(report, args)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "check-plan",
        help="run the policy checks on a plan JSON (terraform show -json PLAN)",
        description=(
            "Policy checks on an existing plan JSON: connection budget, security, reliability, "
            "destructive changes, cost estimate. Exit 0 safe, 1 violations, 2 bad usage or an unreadable, "
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
    parser.set_defaults(func=run)
