"""``demo``: apply the platform to the embedded AWS emulator, report, re-plan, destroy."""

from __future__ import annotations

import argparse

from scripts import demo


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("demo", help="run the platform against the embedded AWS emulator (no AWS account)")
    parser.set_defaults(func=lambda args: demo.run())
