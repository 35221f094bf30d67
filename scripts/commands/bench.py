"""``bench``: the phases of ``make check`` timed before and after, side by side, and check-plan.

The measuring lives in scripts/bench/timing.py; this module is its command line.
"""

from __future__ import annotations

import argparse

import scripts.bench.timing as bench


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "bench",
        help="time make check's phases the old and the new way, side by side, and check-plan (warm)",
        description=bench.__doc__.split("\n\n")[1].replace("\n", " ") if bench.__doc__ else None,
    )
    bench.add_arguments(parser)
    parser.set_defaults(func=bench.run)
