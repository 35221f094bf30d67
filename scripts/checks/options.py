"""The report options ``plan`` and ``check-plan`` share (``add_check_arguments``, ``options_from``),
how their report is written (``ensure_writable``, ``emit_report``) and how a plan JSON is read
(``load_plan``)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from rich.console import Console

from scripts.checks import CheckOptions, Report
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
        help="apply the production rules (default: when the plan's output intents states production_like)",
    )


def options_from(args: argparse.Namespace, prod_like: bool | None = None) -> CheckOptions:
    return CheckOptions.build(
        allow_destroy=args.allow_destroy,
        env_budget_usd=args.env_budget,
        prod_like=True if args.prod_like else prod_like,
        source_dir=getattr(args, "source_dir", None),
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
