"""``docs``: regenerate (or ``--check``) the inputs/outputs tables of every module README."""

from __future__ import annotations

import argparse
from pathlib import Path

from scripts import docs
from scripts.tf import REPO_ROOT


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("docs", help="regenerate the terraform-docs tables in module READMEs")
    parser.add_argument("--check", action="store_true", help="only report READMEs that are out of date (exit 1)")
    parser.add_argument("paths", nargs="*", type=Path, help="module directories (default: all documented ones)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    targets = [p.resolve() for p in args.paths] or docs.documented_dirs(REPO_ROOT)
    stale = [t for t in targets if not docs.sync(t, check=args.check)]
    for t in stale:
        verb = "out of date" if args.check else "updated"
        print(f"{verb}: {t.relative_to(REPO_ROOT)}/README.md")
    if args.check and stale:
        print("run `make docs` to regenerate")
        return 1
    return 0
