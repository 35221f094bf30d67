"""``inventory PLAN_JSON [--values ADDRESS ...]``: a draft inventory file from a plan, for a reviewer.

Prints TOML in the format tests/modules/test_inventories.py reads: counts by type, the planned values
of the named addresses, the outputs known at plan time. The logic is in ``scripts.terraform.inventory``.
Exit 0 printed, 2 an unreadable or foreign plan file or an address the plan does not hold (one line).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from scripts.terraform.inventory import PlanInventory, inventory_document, inventory_toml


def run(args: argparse.Namespace) -> int:
    inventory = PlanInventory.from_file(args.plan_json)
    print(inventory_toml(inventory_document(inventory, args.values)), end="")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "inventory",
        help="print a draft plan inventory (TOML) from a plan JSON, for a reviewer to edit",
        description=(
            "Print <dir>/tests/inventory.toml content from `terraform show -json PLAN`: counts by resource "
            "type, the planned values of each --values address and the outputs known at plan time. Edit it "
            "down to what the test means and add a [plan] table (see tests/modules/test_inventories.py). "
            "Exit 0 printed, 2 bad usage, an unreadable or foreign plan file or an unknown address (one line)."
        ),
    )
    parser.add_argument("plan_json", type=Path, metavar="PLAN_JSON", help="output of terraform show -json PLAN")
    parser.add_argument(
        "--values",
        nargs="+",
        default=[],
        metavar="ADDRESS",
        help="resource addresses (or address suffixes naming one resource) whose planned values to include",
    )
    parser.set_defaults(func=run)
