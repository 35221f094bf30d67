"""``validate``: fmt, init, validate for every Terraform directory, then checkov over the tree.

The logic lives in ``scripts.terraform.validate``; this module is its command line.
"""

from __future__ import annotations

import argparse

from scripts.terraform.validate import FORMATS, STRATEGIES, TREE, validate


def run(args: argparse.Namespace) -> int:
    return validate(args.only, args.format, args.workers, args.strategy, use_cache=not args.no_cache)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "validate",
        help="fmt, init, validate and checkov over every module, example and root",
        description=(
            "terraform fmt -check, init -backend=false and validate for every directory with *.tf "
            "under modules/ and terraform/ (a module an example calls is validated through the example), "
            "then checkov once over the tree (failures and skips without a reason fail). "
            "Exit 0 all passed, 1 failures, 2 missing toolchain."
        ),
    )
    parser.add_argument("--only", metavar="PATH", help="validate only this directory (and those below it)")
    parser.add_argument("--format", choices=FORMATS, default="table")
    parser.add_argument(
        "--workers", type=int, default=None, metavar="N", help="concurrent Terraform processes (default: CPU cores)"
    )
    parser.add_argument(
        "--strategy",
        choices=STRATEGIES,
        default=TREE,
        help="tree (default): one process per job; per-directory: the former way, kept for `bench` to compare",
    )
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="run everything: do not reuse passed results whose inputs did not change (tree strategy)",
    )
    parser.set_defaults(func=run)
