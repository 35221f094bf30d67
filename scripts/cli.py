"""The single entry point: ``python -m scripts <command>``.

Each command lives in ``scripts/commands/<name>.py`` and exposes ``register(subparsers)``, which adds
its parser and sets ``func`` to a callable taking the parsed arguments and returning an exit code. The
command file holds only its parser and a short ``run``; the logic lives in an area package
(docs/adr/0019-scripts-layout.md). ``COMMANDS`` below is the registry: a new command is one line there.

Exit codes: 0 success, 1 the check found problems (a verdict, printed by the command), 2 bad usage or
an environment problem: one readable line on stderr, never a traceback. Every domain error derives
from ``scripts.errors.PlatformError`` and is caught here, once.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import NoReturn

from scripts.errors import EXIT_ERROR, PlatformError

# The registry: one module of scripts/commands/ per line; ``python -m scripts --help`` lists them in
# this order. Listed, not discovered, so a helper module or a half-written file is never a command.
COMMANDS = (
    "init",
    "validate",
    "plan",
    "check_plan",
    "pr_comment",
    "demo",
    "iam_check",
    "orphans",
    "docs",
    "tools",
    "bench",
    "inventory",
)

EXIT_CODES = "Exit codes: 0 success, 1 the check found violations, 2 bad usage or environment error (one line)."


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (argparse prints the whole usage block first)."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_ERROR, f"error: {self.prog}: {message} (see {self.prog} --help)\n")


def command_names() -> list[str]:
    """The registered commands' modules (``check_plan`` is the command ``check-plan``)."""
    return list(COMMANDS)


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser of every command or, given a registered ``command``, of that one alone: a run imports
    its own command's modules (and their third-party packages), not every command's."""
    parser = OneLineParser(
        prog="python -m scripts",
        description="Drive and check the image-classification platform's Terraform.",
        epilog=EXIT_CODES,
    )
    # Subparsers inherit the parser class, so every command's usage errors are one line too.
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS if command is None else (command,):
        importlib.import_module(f"scripts.commands.{name}").register(sub)
    return parser


def requested_command(argv: list[str]) -> str | None:
    """The registered command ``argv`` names (``check-plan`` is ``check_plan``), else None."""
    first = next((arg for arg in argv if not arg.startswith("-")), None)
    name = first.replace("-", "_") if first is not None else None
    return name if name in COMMANDS else None


def one_line(exc: BaseException) -> str:
    if isinstance(exc, PlatformError):
        return exc.one_line()
    return " ".join(str(exc).split()) or type(exc).__name__


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    # No or an unknown command: the whole parser, so --help and the usage error list every command.
    parser = build_parser(requested_command(argv))
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except PlatformError as exc:
        print(f"error: {one_line(exc)}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
