"""``tools``: resolve the toolchain, warm the plugin cache and say what is (not) available."""

from __future__ import annotations

import argparse
import importlib.metadata

from rich.console import Console
from rich.table import Table

from scripts.terraform.checkov_runner import checkov_binary, checkov_version
from scripts.terraform.tf import warm_plugin_cache
from scripts.terraform.toolchain import optional_tool, toolchain

OPTIONAL = {
    "tflint": "runs in pre-commit and the online CI pipeline (not installable offline)",
    "terraform-docs": "runs in pre-commit and CI; `make docs` renders the same tables offline",
}


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "tools",
        help="check the toolchain and warm the provider plugin cache",
        description=(
            "Resolve terraform and the AWS provider (filesystem mirror or registry), warm the plugin "
            "cache, check checkov and list the optional tools. Exit 0 ready, 2 a required tool is "
            "missing or does not run (one line that says how to fix it)."
        ),
    )
    parser.set_defaults(func=run)


def run(_args: argparse.Namespace) -> int:
    console = Console()
    tc = toolchain()
    with console.status("warming the provider plugin cache"):
        warm_plugin_cache()
    table = Table(title="Toolchain")
    table.add_column("tool")
    table.add_column("status")
    table.add_column("detail", overflow="fold")
    source = f"filesystem mirror {tc.mirror}" if tc.provider_source == "mirror" else "registry.terraform.io"
    table.add_row("terraform", f"[green]{tc.version}[/]", tc.terraform)
    table.add_row("hashicorp/aws", f"[green]{tc.provider_source}[/]", f"{source}; CLI config {tc.cli_config}")
    table.add_row("checkov", f"[green]{checkov_version()}[/]", checkov_binary())
    for pkg in ("moto", "boto3", "tftest", "pytest"):
        table.add_row(pkg, f"[green]{importlib.metadata.version(pkg)}[/]", "python package")
    for name, where in OPTIONAL.items():
        path = optional_tool(name)
        table.add_row(name, "[green]found[/]" if path else "[yellow]not installed[/]", path or where)
    console.print(table)
    return 0
