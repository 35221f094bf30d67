"""``pr-comment REPORT_DIR...``: the pull-request plan comment from each environment's report parts.

Each REPORT_DIR is one downloaded ``plan-report-<env>`` artifact (checks.md, and changes.md and
plan.txt when the environment planned). Writes the body, at most GitHub's comment limit, to --output.
Exit 0 written, 2 unreadable parts or check reports too large for one comment (one line, no body).

The comment job has no project virtualenv, so it runs ``python -m scripts.commands.pr_comment``: this
module and scripts.checks.comment import the standard library only.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import NoReturn

from scripts.checks.comment import ARTIFACT_PREFIX, BODY_LIMIT, EnvironmentReport, render_comment
from scripts.errors import EXIT_ERROR, PlatformError, UsageError


def run(args: argparse.Namespace) -> int:
    reports = [EnvironmentReport.from_dir(path, args.prefix) for path in args.report_dirs]
    body = render_comment(reports, marker=args.marker, title=args.title, run_url=args.run_url, limit=args.limit)
    if args.output is None:
        sys.stdout.write(body)
        return 0
    try:
        args.output.write_text(body, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write --output {args.output}: {exc.strerror}") from exc
    print(f"{len(body):,} of at most {args.limit:,} characters written to {args.output}")
    return 0


def _limit(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of characters") from None
    if not 0 < value <= BODY_LIMIT:
        raise argparse.ArgumentTypeError(f"must be between 1 and {BODY_LIMIT} (GitHub's comment limit)")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "report_dirs",
        type=Path,
        nargs="*",
        metavar="REPORT_DIR",
        help="one environment's downloaded report artifact, in the order to show (none: say no report was made)",
    )
    parser.add_argument("--run-url", required=True, help="the workflow run, where the full reports can be downloaded")
    parser.add_argument("--title", required=True, help="the comment's heading")
    parser.add_argument("--marker", required=True, help="the first line, by which the workflow finds its comment")
    parser.add_argument("--output", type=Path, metavar="FILE", help="write the body here (default: standard output)")
    parser.add_argument(
        "--prefix",
        default=ARTIFACT_PREFIX,
        help=f"removed from a REPORT_DIR's name to give the environment (default: {ARTIFACT_PREFIX})",
    )
    parser.add_argument(
        "--limit", type=_limit, default=BODY_LIMIT, help=f"most characters in the body (default: {BODY_LIMIT})"
    )


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "pr-comment",
        help="render the pull-request plan comment from the per-environment report parts",
        description=(
            "The plan comment: every environment's check report first, then the change lists, then the plan "
            "texts, shortened from the end to fit GitHub's comment limit (check reports never). Exit 0 "
            "written, 2 bad input or check reports too large for one comment (one line)."
        ),
    )
    add_arguments(parser)
    parser.set_defaults(func=run)


def main(argv: list[str] | None = None) -> int:
    """The same command without scripts.cli, which imports every command and their third-party
    packages (or, registered explicitly, may at import time)."""

    class OneLineParser(argparse.ArgumentParser):
        def error(self, message: str) -> NoReturn:
            self.exit(EXIT_ERROR, f"error: {self.prog}: {message} (see {self.prog} --help)\n")

    parser = OneLineParser(prog="python -m scripts.commands.pr_comment")
    add_arguments(parser)
    args = parser.parse_args(argv)
    try:
        return run(args)
    except PlatformError as exc:
        print(f"error: {exc.one_line()}", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
