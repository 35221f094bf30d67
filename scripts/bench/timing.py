"""``make bench`` (``python -m scripts bench``): the inner loop's phases, before and after, side by side.

Every phase runs as a process, one after the other, and is measured twice in the same run: the
former way ("before") and today's ("after"). The table shows wall time and the CPU time of the
process tree (user + system, from ``getrusage(RUSAGE_CHILDREN)``): on a machine shared with other
Terraform runs wall time moves with the load, CPU time much less. The 1-minute load average is
printed next to every figure.

- validate: ``validate --strategy per-directory`` (fmt, init and validate in every directory, one
  checkov process per module) against ``validate --no-cache`` (one fmt, one init + validate per
  validation root, one checkov run over the tree), and against ``validate`` with its results cache
  in two inner-loop cases: one module changed since the last run (``--changed-module``; its results
  are dropped from a bench-private cache, as an edit would invalidate them) and no Terraform file
  changed;
- unit tests, lint and ``tools``: the commands ``make check`` runs; where before and after are the
  same command it runs once and counts on both sides. The unit tests' "before" is the commit before
  the inner-loop change (``--before-commit``, default BEFORE_COMMIT), run from a ``git worktree`` of
  it: its tests, its markers, its Makefile's command line (with README snippets validated in the
  tests); "after" is today's tree (the snippets validated by validate, cached);
- validate as ``make check`` runs it warm (results cache filled, nothing changed): before in the
  worktree with a cache of its own, after here with another, so neither evicts the other's entries;
- pytest's own cost: collecting the unit tests in one process, and a trivial selection under ``-n 2``
  (workers start and collect too), before and after;
- ``make check``: the sum of its phases, which it runs one after the other, once per validate case,
  and warm as a person re-runs it (tools + lint + validate cached + unit);
- the test suite: from JUnit reports of two full ``make test`` runs when given
  (``--suite-before``/``--suite-after``, ``pytest --junitxml``), else "not measured";
- check-plan: the checks and all three renderers in-process (``--runs`` times) and the CLI as a
  process (``--cli-runs`` times), on ``--plan FILE`` or the newest plan under build/plans, else a
  platform-shaped plan built in memory.

Warm means: the toolchain is resolved, the provider mirror and checkov have been read once (one
untimed ``validate --only`` of a small module), and one untimed ``check-plan`` ran before the clock.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from xml.etree import ElementTree

from rich.console import Console
from rich.table import Table

from scripts.checks import CheckOptions, run_checks
from scripts.checks.report import FORMATS, render
from scripts.errors import UsageError
from scripts.terraform.checkov_runner import checkov_binary, checkov_version
from scripts.terraform.inventory import PlanInventory
from scripts.terraform.tf import REPO_ROOT, warm_plugin_cache
from scripts.terraform.toolchain import toolchain
from tests.support.planbuilder import platform_plan


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


# --- phases measured as processes ----------------------------------------------------------------

PY = sys.executable
VALIDATE_BEFORE = [PY, "-m", "scripts", "validate", "--strategy", "per-directory", "--format", "json"]
VALIDATE_AFTER = [PY, "-m", "scripts", "validate", "--format", "json"]
# What `make unit` ran before this change (in a worktree of BEFORE_COMMIT), and what it runs now
# (keep in step with the Makefile).
UNIT_BEFORE = [PY, "-m", "pytest", "-m", "not emulator", "-n", "2", "-q"]
UNIT_AFTER = [PY, "-m", "pytest", "-m", "not emulator and not terraform", "-n", "2", "-q"]
# The commit before the inner-loop change of issue 15 (README snippets into validate, emulator tests
# marked, orphans' bounded retries).
BEFORE_COMMIT = "03bfb7bc20d52f566185ecb8b9cb600989efe5f3"
# pytest's own cost: collection in one process, and workers starting (each collects) for 10 tiny tests.
COLLECT = [PY, "-m", "pytest", "-m", "not emulator", "-p", "no:xdist", "-q", "--collect-only"]  # both trees
XDIST_TRIVIAL = [PY, "-m", "pytest", "-m", "not emulator", "-n", "2", "-q", "-k", "derives_from_the_one_base_class"]
LINT = [
    [PY, "-m", "ruff", "check", "scripts", "tests"],
    [PY, "-m", "ruff", "format", "--check", "scripts", "tests"],
    ["terraform", "fmt", "-check", "-recursive", "modules", "terraform"],
    [PY, "-m", "scripts", "docs", "--check"],
]
TOOLS = [[PY, "-m", "scripts", "tools"]]


@dataclass(frozen=True)
class Measured:
    wall: float
    cpu: float  # user + system seconds of the whole process tree
    codes: tuple[int, ...]
    load: tuple[float, float]  # 1-minute load average at start and end

    def cell(self) -> str:
        return f"{self.wall:.1f} s (CPU {self.cpu:.0f} s)"


def measure(commands: list[list[str]], env: dict[str, str] | None = None, cwd: Path | None = None) -> Measured:
    """Run ``commands`` one after the other (in ``cwd``, default the repository); wall time, CPU time of
    their process trees, exit codes."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    load0 = os.getloadavg()[0]
    start = time.perf_counter()
    codes = []
    for argv in commands:
        proc = subprocess.run(
            argv, cwd=cwd or REPO_ROOT, capture_output=True, text=True, check=False, timeout=3600, env=bench_env(env)
        )
        codes.append(proc.returncode)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Measured(wall, cpu, tuple(codes), (load0, os.getloadavg()[0]))


def bench_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    # As a person runs the commands (each resolves the toolchain itself), without colour codes.
    return {**os.environ, "NO_COLOR": "1", "TERM": "dumb", **(extra or {})}


@dataclass
class Phase:
    name: str
    before: list[list[str]]
    after: list[list[str]]
    runs_before: list[Measured] = field(default_factory=list)
    runs_after: list[Measured] = field(default_factory=list)
    # Environment of the "after" side, and what to do (untimed) before each of its runs.
    env: dict[str, str] | None = None
    prepare: Callable[[], None] | None = None
    # Another way to run the same phase today (validate with its results cache): its "before" is
    # that phase's, measured once; make check's total is shown once per variant.
    variant_of: Phase | None = None
    # Where and with what environment the "before" side runs (a worktree of the former commit).
    before_cwd: Path | None = None
    before_env: dict[str, str] | None = None
    # PHASE: in every make check total; WARM: only in the warm one (validate with a warm cache);
    # INFO: in none (pytest's own start-up, shown for what it costs inside the unit phase).
    kind: str = "phase"

    @property
    def same(self) -> bool:
        return (
            self.before == self.after
            and self.env is None
            and self.prepare is None
            and self.before_cwd is None
            and self.before_env is None
        )


PHASE, WARM, INFO = "phase", "warm", "info"


def median(runs: list[Measured]) -> Measured:
    ordered = sorted(runs, key=lambda m: m.wall)
    return ordered[len(ordered) // 2]


def suite_seconds(report: Path | None) -> float | None:
    """Total pytest time of a JUnit XML report (``pytest --junitxml``), None when not given."""
    if report is None:
        return None
    try:
        root = ElementTree.parse(report).getroot()  # noqa: S314 - a report this project's pytest wrote
    except (OSError, ElementTree.ParseError) as exc:
        raise UsageError(f"cannot read the JUnit report {report}: {exc}") from exc
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    if not suites:
        raise UsageError(f"{report} is not a JUnit report: no <testsuite>")
    return sum(float(s.get("time", 0)) for s in suites)


@contextlib.contextmanager
def worktree(commit: str) -> Iterator[Path]:
    """A detached ``git worktree`` of ``commit`` in a temporary directory, removed afterwards: the former
    tests, markers and code, run with this virtualenv's interpreter (the same pinned tools)."""
    path = Path(tempfile.mkdtemp(prefix="bench-before-")) / "tree"
    add = subprocess.run(
        ["git", "worktree", "add", "--detach", str(path), commit],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if add.returncode != 0:
        message = (add.stderr.strip().splitlines() or ["git worktree add failed"])[-1]
        raise UsageError(f"cannot check out {commit} for the before side: {message}")
    try:
        # Tests that name the project's virtualenv find it where the Makefile puts it.
        (path / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
        yield path
    finally:
        subprocess.run(
            ["git", "worktree", "remove", "--force", str(path)], cwd=REPO_ROOT, capture_output=True, check=False
        )
        shutil.rmtree(path.parent, ignore_errors=True)


def warm_up(console: Console) -> None:
    """Read the provider mirror, Terraform and checkov once (page cache, .pyc files) before timing."""
    with console.status("warming up: validate --only modules/private-s3 (untimed)"):
        subprocess.run(
            [PY, "-m", "scripts", "validate", "--only", "modules/private-s3", "--format", "json", "--no-cache"],
            cwd=REPO_ROOT,
            capture_output=True,
            check=False,
            timeout=1800,
            env=bench_env(),
        )


def run_phases(phases: list[Phase], repeat: int, console: Console) -> None:
    """Each phase before and after, alternating which goes first from one repetition to the next."""
    for i in range(repeat):
        for phase in phases:
            sides = [("before", phase.before, phase.runs_before), ("after", phase.after, phase.runs_after)]
            if phase.same or phase.variant_of is not None:
                sides = sides[1:] if phase.variant_of is not None else sides[:1]
            elif i % 2:
                sides.reverse()
            for side, commands, runs in sides:
                with console.status(f"{phase.name}: {side} (run {i + 1} of {repeat})"):
                    if side == "after" and phase.prepare is not None:
                        phase.prepare()
                    if side == "after":
                        runs.append(measure(commands, phase.env))
                    else:
                        runs.append(measure(commands, phase.before_env, phase.before_cwd))
            if phase.same:
                phase.runs_after = phase.runs_before
            if phase.variant_of is not None:
                phase.runs_before = phase.variant_of.runs_before


def ratio(before: float, after: float) -> str:
    return f"{before / after:.1f}x" if after > 0 else "-"


def phases_table(phases: list[Phase], suite: tuple[float | None, float | None]) -> Table:
    table = Table(title=f"make check, before and after (warm; {os.cpu_count()} CPUs)", title_justify="left")
    for column in ("phase", "before", "after", "ratio (wall)", "load before / after"):
        table.add_column(column, justify="left" if column == "phase" else "right", overflow="fold")
    for phase in phases:
        b, a = median(phase.runs_before), median(phase.runs_after)
        same = " (same command)" if phase.same else ""
        load = f"{b.load[0]:.1f}-{b.load[1]:.1f} / {a.load[0]:.1f}-{a.load[1]:.1f}"
        table.add_row(phase.name + same, b.cell(), a.cell(), ratio(b.wall, a.wall), load)
    # make check runs its phases one after the other: its time is their sum, once per way of validating.
    # (The rows are named "make check with <validate case>".)
    ways = [p for p in phases if p.variant_of is not None]
    bases = {id(p.variant_of) for p in ways}
    rest = [p for p in phases if p.variant_of is None and id(p) not in bases and p.kind == PHASE]
    for way in [p for p in phases if id(p) in bases] + ways:
        b = [median(p.runs_before) for p in [*rest, way.variant_of or way]]
        a = [median(p.runs_after) for p in [*rest, way]]
        bw, bc = sum(m.wall for m in b), sum(m.cpu for m in b)
        aw, ac = sum(m.wall for m in a), sum(m.cpu for m in a)
        table.add_row(
            f"make check with {way.name}",
            f"{bw:.1f} s (CPU {bc:.0f} s)",
            f"{aw:.1f} s (CPU {ac:.0f} s)",
            ratio(bw, aw),
            "",
        )
    warm = [p for p in phases if p.kind == WARM]
    if warm:
        b = [median(p.runs_before) for p in [*rest, *warm]]
        a = [median(p.runs_after) for p in [*rest, *warm]]
        table.add_row(
            "make check, warm, nothing changed (" + " + ".join(p.name.split(" (")[0] for p in [*rest, *warm]) + ")",
            f"{sum(m.wall for m in b):.1f} s (CPU {sum(m.cpu for m in b):.0f} s)",
            f"{sum(m.wall for m in a):.1f} s (CPU {sum(m.cpu for m in a):.0f} s)",
            ratio(sum(m.wall for m in b), sum(m.wall for m in a)),
            "",
        )
    if not ways and not warm:
        b = [median(p.runs_before) for p in phases if p.kind == PHASE]
        a = [median(p.runs_after) for p in phases if p.kind == PHASE]
        table.add_row(
            "make check (the phases above, one after the other)",
            f"{sum(m.wall for m in b):.1f} s (CPU {sum(m.cpu for m in b):.0f} s)",
            f"{sum(m.wall for m in a):.1f} s (CPU {sum(m.cpu for m in a):.0f} s)",
            ratio(sum(m.wall for m in b), sum(m.wall for m in a)),
            "",
        )
    before, after = suite
    table.add_row(
        "test suite (pytest time of a full make test)",
        f"{before:.0f} s" if before is not None else "not measured",
        f"{after:.0f} s" if after is not None else "not measured",
        ratio(before, after) if before and after else "-",
        "",
    )
    return table


def forget(cache_file: Path, module: str) -> Callable[[], None]:
    """Drop from validate's results cache what a change to ``module`` invalidates: as if it was edited."""

    def drop() -> None:
        entries = json.loads(cache_file.read_text())
        for name in list(entries):
            entry = entries[name]
            if name.startswith("checkov:") or name.startswith(f"root:{module}/") or module in entry.get("loaded", []):
                del entries[name]
        cache_file.write_text(json.dumps(entries))

    return drop


def check_plan_rows(args: argparse.Namespace, console: Console, results: dict[str, object]) -> Table:
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
    codes: list[int] = []
    with console.status("check-plan as a process"):
        times = timed(
            lambda: codes.append(run_cli("check-plan", str(plan_path), "--format", "json").returncode), args.cli_runs
        )
        rows.append(("check-plan: `python -m scripts check-plan --format json`", args.cli_runs, times))
    results["check_plan_exit_codes"] = sorted(set(codes))
    results["check_plan"] = {
        name: {"runs": runs, "min": min(ts), "median": statistics.median(ts), "max": max(ts)} for name, runs, ts in rows
    }
    results["plan_note"] = f"plan: {plan_path} ({plan_kind}; {len(inventory.resources)} resources)"
    return check_plan_table(rows)


def check_plan_table(rows: list[tuple[str, int, list[float]]]) -> Table:
    table = Table(title="check-plan (warm)", title_justify="left")
    for column in ("benchmark", "runs", "min s", "median s", "max s"):
        table.add_column(column, justify="left" if column == "benchmark" else "right", overflow="fold")
    for name, runs, ts in rows:
        table.add_row(name, str(runs), f"{min(ts):.3f}", f"{statistics.median(ts):.3f}", f"{max(ts):.3f}")
    return table


def check_phases(args: argparse.Namespace, console: Console, before_tree: Path) -> list[Phase]:
    """make check's phases, measured: validate's results caches live in directories of the bench's
    own, filled once (untimed), then reused as they are or with one module's results dropped."""
    cache = Path(tempfile.mkdtemp(prefix="bench-cache-"))
    cache_env = {"PLATFORM_CACHE_DIR": str(cache)}
    before_cache_env = {"PLATFORM_CACHE_DIR": tempfile.mkdtemp(prefix="bench-cache-before-")}
    validate = Phase(
        "validate, nothing cached (fmt, init, validate, checkov)",
        [VALIDATE_BEFORE],
        [[*VALIDATE_AFTER, "--no-cache"]],
    )
    phases = [
        Phase("tools", TOOLS, TOOLS),
        Phase("lint (ruff, terraform fmt, README tables)", LINT, LINT),
        validate,
        Phase(
            f"validate, {args.changed_module} changed since the last run",
            [VALIDATE_BEFORE],
            [VALIDATE_AFTER],
            env=cache_env,
            prepare=forget(cache / "validate-results.json", args.changed_module),
            variant_of=validate,
        ),
        Phase(
            "validate, no Terraform file changed (a Python edit)",
            [VALIDATE_BEFORE],
            [VALIDATE_AFTER],
            env=cache_env,
            variant_of=validate,
        ),
        Phase("unit tests (make unit's pytest, -n 2)", [UNIT_BEFORE], [UNIT_AFTER], before_cwd=before_tree),
        Phase(
            "validate, warm cache, nothing changed (make check's validate; after: with README snippets)",
            [VALIDATE_AFTER],
            [VALIDATE_AFTER],
            env=cache_env,
            before_env=before_cache_env,
            before_cwd=before_tree,
            kind=WARM,
        ),
        Phase(
            "pytest start-up: collecting the unit tests, one process",
            [COLLECT],
            [COLLECT],
            before_cwd=before_tree,
            kind=INFO,
        ),
        Phase(
            "pytest-xdist start-up: -n 2 on 10 one-line tests (workers start and collect)",
            [XDIST_TRIVIAL],
            [XDIST_TRIVIAL],
            before_cwd=before_tree,
            kind=INFO,
        ),
    ]
    warm_up(console)
    with console.status("filling the bench's results caches, before and after (untimed)"):
        measure([VALIDATE_AFTER], cache_env)
        measure([VALIDATE_AFTER], before_cache_env, before_tree)
    run_phases(phases, args.repeat, console)
    return phases


def bench(args: argparse.Namespace, console: Console) -> dict[str, object]:
    tc = toolchain()  # no Terraform or provider: exit 2 now, with the fix
    # The timed validate runs checkov: one that is missing or does not run is exit 2 now, not minutes of
    # timings of a failing command.
    if args.skip_check:
        checkov_binary()
    else:
        checkov_version()
    warm_plugin_cache()
    suite = (suite_seconds(args.suite_before), suite_seconds(args.suite_after))
    results: dict[str, object] = {"cpus": os.cpu_count(), "terraform": tc.version}
    console.print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    plan_table = check_plan_rows(args, console, results)
    phases: list[Phase] = []
    if not args.skip_check:
        with worktree(args.before_commit) as before_tree:
            phases = check_phases(args, console, before_tree)
        console.print(phases_table(phases, suite))
        console.print(f"before: {args.before_commit} (a git worktree of it); after: the working tree", markup=False)
        failing = [p.name for p in phases for m in (*p.runs_before, *p.runs_after) if any(m.codes)]
        if failing:
            console.print(
                "[yellow]note: a phase exited non-zero (its time still covers all of its work): "
                + ", ".join(sorted(set(failing)))
                + "[/yellow]"
            )
        results["before_commit"] = args.before_commit
        results["phases"] = {
            p.name: {"before": [asdict(m) for m in p.runs_before], "after": [asdict(m) for m in p.runs_after]}
            for p in phases
        }
    results["suite"] = {"before": suite[0], "after": suite[1]}
    console.print(plan_table)
    console.print(str(results["plan_note"]), soft_wrap=True, markup=False)
    console.print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return results


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--plan", type=Path, help="plan JSON for check-plan (default: newest under build/plans)")
    parser.add_argument("--runs", type=int, default=20, help="in-process check-plan runs (default 20)")
    parser.add_argument("--cli-runs", type=int, default=5, help="check-plan process runs (default 5)")
    parser.add_argument(
        "--repeat", type=int, default=1, help="measure every phase N times, before and after alternating (median)"
    )
    parser.add_argument("--skip-check", action="store_true", help="check-plan only: leave the make check phases out")
    parser.add_argument(
        "--changed-module",
        default="modules/alb",
        metavar="DIR",
        help="the module whose edit the inner-loop row stands for (default modules/alb)",
    )
    parser.add_argument(
        "--before-commit",
        default=BEFORE_COMMIT,
        metavar="REV",
        help="the commit whose unit tests and validate are the 'before' side (default: the one before issue 15)",
    )
    parser.add_argument("--suite-before", type=Path, metavar="XML", help="JUnit report of a full run, the old way")
    parser.add_argument("--suite-after", type=Path, metavar="XML", help="JUnit report of a full run, today")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the figures as JSON")


def run(args: argparse.Namespace) -> int:
    if args.repeat < 1 or args.runs < 1 or args.cli_runs < 1:
        raise UsageError("--repeat, --runs and --cli-runs must be at least 1")
    # Piped into a file or CI's log, rich would wrap the table at 80 columns.
    console = Console(highlight=False, width=None if sys.stdout.isatty() else 150)
    results = bench(args, console)
    if args.json:
        try:
            args.json.write_text(json.dumps(results, indent=2))
        except OSError as exc:
            raise UsageError(f"cannot write {args.json}: {exc.strerror}") from exc
    return 0
