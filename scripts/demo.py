"""``make demo``: the main job on the embedded emulator, with no AWS account.

Starts moto on loopback, applies a configuration through the override mechanism in a scratch copy,
prints its outputs, proves idempotency with a re-plan and destroys everything on the way out, also
after a failure or Ctrl-C.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.table import Table

from scripts.emulator import Emulator
from scripts.idempotency import unexpected_changes
from scripts.tf import Workspace, unique_name, warm_plugin_cache

EXAMPLE = "modules/private-s3/examples/complete"


@contextmanager
def step(console: Console, text: str) -> Iterator[None]:
    start = time.monotonic()
    with console.status(f"[bold]{text}[/]"):
        yield
    console.print(f"[green]✓[/] {text} [dim]({time.monotonic() - start:.0f} s)[/]")


def run(console: Console | None = None) -> int:
    console = console or Console()
    started = time.monotonic()
    with step(console, "toolchain and plugin cache"):
        warm_plugin_cache()
    emulator = Emulator.from_env()
    with step(console, "AWS emulator on loopback"):
        emulator.start()
    ws: Workspace | None = None
    applied = False
    try:
        console.print(f"  endpoint {emulator.endpoint_url}")
        ws = Workspace.scratch(EXAMPLE, emulator=emulator)
        with step(console, f"terraform init ({EXAMPLE})"):
            ws.init()
        with step(console, "terraform plan"):
            inventory = ws.plan({"name": unique_name("demo"), "force_destroy": True})
        console.print(f"  {len(inventory.changed())} resources to create")
        with step(console, "terraform apply (S3 lifecycle configuration waits ~55 s)"):
            applied = True
            ws.apply()
        outputs = ws.output()
        table = Table(title="Outputs", show_header=True)
        table.add_column("output")
        table.add_column("value")
        for key, value in sorted(outputs.items()):
            table.add_row(key, str(value))
        console.print(table)
        with step(console, "idempotency re-plan"):
            _code, replan = ws.replan()
            problems = unexpected_changes(replan)
        if problems:
            console.print("[red]re-plan is not clean:[/]\n" + "\n".join(problems))
            return 1
        console.print("  re-plan clean (known emulator artifacts tolerated)")
        return 0
    finally:
        if ws is not None and applied:
            with step(console, "terraform destroy"):
                ws.destroy()
        emulator.stop()
        console.print(f"demo finished in {time.monotonic() - started:.0f} s")
