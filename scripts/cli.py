"""The single entry point: ``python -m scripts <command>``.

Each command lives in ``scripts/commands/<name>.py`` and exposes ``register(subparsers)``, which adds
its parser and sets ``func`` to a callable taking the parsed arguments and returning an exit code.
Exit codes: 0 success, 1 the check found problems, 2 usage or environment error (one readable line).
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

import scripts.commands as commands_pkg
from scripts.emulator.server import EmulatorError
from scripts.errors import UsageError
from scripts.inventory import PlanFormatError
from scripts.toolchain import ToolchainError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m scripts",
        description="Drive and check the image-classification platform's Terraform.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(commands_pkg.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"scripts.commands.{info.name}")
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except (UsageError, ToolchainError, EmulatorError, PlanFormatError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
