"""``make bench``: time ``validate`` over the whole tree and ``check-plan`` on the platform's plan.

Warm means: the provider plugin cache is filled before the clock starts (a first run on a fresh
machine also unpacks the provider), and one untimed ``check-plan`` runs before the timed ones.

- validate: ``python -m scripts validate`` as a process, ``--validate-runs`` times (default 1;
  every module, example and root; parallel on every core).
- check-plan: the checks and all three renderers in-process, ``--runs`` times, and the CLI as a
  process (interpreter start included), ``--cli-runs`` times.

The plan is ``--plan FILE`` (for example build/plans/dev/dev.tfplan.json from
``python -m scripts plan --env dev --emulator``); without it, the newest plan under build/plans is
used, else a platform-shaped plan built in memory (scripts/checks/planbuilder.py) is.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from rich.table import Table

from scripts.checks import CheckOptions, run_checks
from scripts.checks.planbuilder import platform_plan
from scripts.checks.report import FORMATS, render
from scripts.inventory import PlanInventory
from scripts.tf import REPO_ROOT, warm_plugin_cache
from scripts.toolchain import toolchain


def timed(fn: Callable[[], object], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def default_plan() -> tuple[Path, str]:
    plans = sorted((REPO_ROOT / "build" / "plans").glob("*/*.tfplan.json"), key=lambda p: p.stat().st_mtime)
    if plans:
        return plans[-1], "platform plan"
    handle = tempfile.NamedTemporaryFile(prefix="bench-plan-", suffix=".json", delete=False)  # noqa: SIM115
    handle.close()
    path = platform_plan(services=2).write(Path(handle.name))
    return path, "synthetic platform-shaped plan (run `python -m scripts plan --env dev --emulator` for the real one)"


def run_cli(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scripts", *argv],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        check=False,
        timeout=3600,
    )


def bench(args: argparse.Namespace, console: Console) -> dict[str, object]:
    results: dict[str, object] = {"cpus": os.cpu_count()}
    plan_path, plan_kind = (args.plan, "given plan") if args.plan else default_plan()
    inventory = PlanInventory.from_file(plan_path)
    results["plan"] = {"path": str(plan_path), "kind": plan_kind, "resources": len(inventory.resources)}

    def in_process() -> None:
        inv = PlanInventory.from_file(plan_path)
        report = run_checks(inv, CheckOptions())
        for fmt in FORMATS:
            render(report, fmt)

    in_process()  # warm: imports, table files
    rows: list[tuple[str, int, list[float]]] = []
    with console.status("check-plan in-process"):
        rows.append(("check-plan: checks + 3 renderers, in-process", args.runs, timed(in_process, args.runs)))
    with console.status("check-plan as a process"):
        codes: list[int] = []
        rows.append(
            (
                "check-plan: `python -m scripts check-plan --format json`",
                args.cli_runs,
                timed(
                    lambda: codes.append(run_cli("check-plan", str(plan_path), "--format", "json").returncode),
                    args.cli_runs,
                ),
            )
        )
    results["check_plan_exit_codes"] = sorted(set(codes))

    if args.validate_runs:
        tc = toolchain()
        with console.status("warming the provider plugin cache"):
            warm_plugin_cache()
        results["terraform"] = tc.version
        outcome: list[int] = []
        with console.status(f"validate over the whole tree ({args.validate_runs} run(s))"):
            times = timed(
                lambda: outcome.append(run_cli("validate", "--format", "json").returncode), args.validate_runs
            )
        rows.append(("validate: whole tree (`python -m scripts validate`)", args.validate_runs, times))
        results["validate_exit_codes"] = sorted(set(outcome))

    table = Table(title=f"Benchmarks (warm; {os.cpu_count()} CPUs)", title_justify="left")
    for column in ("benchmark", "runs", "min s", "median s", "max s"):
        table.add_column(column, justify="left" if column == "benchmark" else "right")
    results["timings"] = {}
    for name, runs, times in rows:
        table.add_row(name, str(runs), f"{min(times):.3f}", f"{statistics.median(times):.3f}", f"{max(times):.3f}")
        results["timings"][name] = {
            "runs": runs,
            "min": min(times),
            "median": statistics.median(times),
            "max": max(times),
        }
    console.print(table)
    console.print(
        f"plan: {plan_path} ({plan_kind}; {len(inventory.resources)} resources)", soft_wrap=True, markup=False
    )
    if args.validate_runs and results.get("validate_exit_codes") != [0]:
        console.print("[yellow]note: validate reported failures; the time still covers the whole tree[/yellow]")
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--plan", type=Path, help="plan JSON for check-plan (default: newest under build/plans)")
    parser.add_argument("--runs", type=int, default=20, help="in-process check-plan runs (default 20)")
    parser.add_argument("--cli-runs", type=int, default=5, help="check-plan process runs (default 5)")
    parser.add_argument(
        "--validate-runs", type=int, default=1, help="validate runs over the whole tree (default 1; 0 skips)"
    )
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the figures as JSON")
    args = parser.parse_args(argv)
    console = Console(highlight=False)
    results = bench(args, console)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
