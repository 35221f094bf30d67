"""``docs``: regenerate (or ``--check``) the inputs/outputs tables of every module README."""

from __future__ import annotations

import argparse
from pathlib import Path

from scripts.docs.readme_tables import sync_all


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "docs",
        help="regenerate the terraform-docs tables in module READMEs",
        description=(
            "Render the Requirements/Providers/Modules/Resources/Inputs/Outputs tables between the "
            "BEGIN_TF_DOCS / END_TF_DOCS markers of every documented README. Exit 0 in sync (or "
            "updated), 1 with --check when a README is out of date, 2 a path that is not a documented "
            "module or a module the renderer cannot read."
        ),
    )
    parser.add_argument("--check", action="store_true", help="only report READMEs that are out of date (exit 1)")
    parser.add_argument("paths", nargs="*", type=Path, help="module directories (default: all documented ones)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    stale = sync_all(args.paths, check=args.check)
    for path in stale:
        verb = "out of date" if args.check else "updated"
        print(f"{verb}: {path}/README.md")
    if args.check and stale:
        print("run `make docs` to regenerate")
        return 1
    return 0
