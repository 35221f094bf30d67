"""``tools``: resolve the toolchain, warm the plugin cache and say what is (not) available."""

from __future__ import annotations

import argparse
import importlib.metadata
import subprocess

from rich.console import Console
from rich.table import Table

from scripts.checkov_runner import checkov_binary
from scripts.tf import warm_plugin_cache
from scripts.toolchain import optional_tool, toolchain

OPTIONAL = {
    "tflint": "runs in pre-commit and the online CI pipeline (not installable offline)",
    "terraform-docs": "runs in pre-commit and CI; `make docs` renders the same tables offline",
}


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("tools", help="check the toolchain and warm the provider plugin cache")
    parser.set_defaults(func=run)


def run(_args: argparse.Namespace) -> int:
    console = Console()
    tc = toolchain()
    with console.status("warming the provider plugin cache"):
        warm_plugin_cache()
    table = Table(title="Toolchain")
    table.add_column("tool")
    table.add_column("status")
    table.add_column("detail")
    source = f"filesystem mirror {tc.mirror}" if tc.provider_source == "mirror" else "registry.terraform.io"
    table.add_row("terraform", f"[green]{tc.version}[/]", tc.terraform)
    table.add_row("hashicorp/aws", f"[green]{tc.provider_source}[/]", f"{source}; CLI config {tc.cli_config}")
    checkov = subprocess.run([checkov_binary(), "--version"], capture_output=True, text=True, check=True)
    table.add_row("checkov", f"[green]{checkov.stdout.strip()}[/]", checkov_binary())
    for pkg in ("moto", "boto3", "tftest", "pytest"):
        table.add_row(pkg, f"[green]{importlib.metadata.version(pkg)}[/]", "python package")
    for name, where in OPTIONAL.items():
        path = optional_tool(name)
        table.add_row(name, "[green]found[/]" if path else "[yellow]not installed[/]", path or where)
    console.print(table)
    return 0
