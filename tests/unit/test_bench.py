"""``python -m scripts bench``: how phases are measured, alternated and tabulated. No timing is
asserted: speed is measured by the bench itself, never by a test."""

from __future__ import annotations

import sys

import pytest
from rich.console import Console

import scripts.bench.timing as bench
from scripts.cli import main
from scripts.errors import UsageError


def test_measure_runs_every_command_and_keeps_their_exit_codes():
    measured = bench.measure([[sys.executable, "-c", "pass"], [sys.executable, "-c", "import sys; sys.exit(3)"]])
    assert measured.codes == (0, 3)
    assert measured.wall > 0 and measured.cpu >= 0
    assert len(measured.load) == 2


def test_suite_seconds_adds_up_the_junit_suites(tmp_path):
    many = tmp_path / "many.xml"
    many.write_text('<testsuites><testsuite name="a" time="12.5"/><testsuite name="b" time="2.5"/></testsuites>')
    one = tmp_path / "one.xml"
    one.write_text('<testsuite name="pytest" tests="3" time="1569.2"></testsuite>')
    assert bench.suite_seconds(many) == 15.0
    assert bench.suite_seconds(one) == 1569.2
    assert bench.suite_seconds(None) is None
    (tmp_path / "empty.xml").write_text("<testsuites/>")
    with pytest.raises(UsageError, match="not a JUnit report"):
        bench.suite_seconds(tmp_path / "empty.xml")
    with pytest.raises(UsageError, match="cannot read the JUnit report"):
        bench.suite_seconds(tmp_path / "missing.xml")


def test_phases_alternate_and_a_shared_command_runs_once(monkeypatch):
    order = []

    def fake(commands, env=None, cwd=None):
        order.append(commands[0][0] + (f"+{env['X']}" if env else "") + (f"@{cwd}" if cwd else ""))
        return bench.Measured(1.0, 1.0, (0,), (0.0, 0.0))

    monkeypatch.setattr(bench, "measure", fake)
    prepared = []
    phases = [bench.Phase("v", [["old"]], [["new"]]), bench.Phase("u", [["same"]], [["same"]])]
    phases.append(
        bench.Phase(
            "cached", [["old"]], [["new"]], env={"X": "c"}, prepare=lambda: prepared.append(1), variant_of=phases[0]
        )
    )
    bench.run_phases(phases, repeat=2, console=Console(quiet=True))
    # The variant's "before" is its base phase's: measured once per repetition, not again.
    assert order == ["old", "new", "same", "new+c", "new", "old", "same", "new+c"]
    assert prepared == [1, 1]
    assert len(phases[0].runs_before) == len(phases[0].runs_after) == 2
    assert phases[1].runs_after is phases[1].runs_before
    assert phases[2].runs_before is phases[0].runs_before


def test_the_before_side_runs_in_the_former_tree_with_its_own_environment(monkeypatch, tmp_path):
    order = []

    def fake(commands, env=None, cwd=None):
        order.append((commands[0][0], env, cwd))
        return bench.Measured(1.0, 1.0, (0,), (0.0, 0.0))

    monkeypatch.setattr(bench, "measure", fake)
    unit = bench.Phase("unit", [["pytest"]], [["pytest"]], before_cwd=tmp_path)
    warm = bench.Phase("v", [["validate"]], [["validate"]], env={"C": "a"}, before_env={"C": "b"}, before_cwd=tmp_path)
    assert not unit.same and not warm.same  # same command line, another tree: measured on both sides
    bench.run_phases([unit, warm], repeat=1, console=Console(quiet=True))
    assert order == [
        ("pytest", None, tmp_path),
        ("pytest", None, None),
        ("validate", {"C": "b"}, tmp_path),
        ("validate", {"C": "a"}, None),
    ]


def test_the_warm_make_check_row_sums_tools_lint_warm_validate_and_unit_not_pytest_start_up():
    def m(wall):
        return bench.Measured(wall, wall, (0,), (0.0, 0.0))

    def phase(name, before, after, kind=bench.PHASE):
        return bench.Phase(name, [["b"]], [["a"]], [m(before)], [m(after)], kind=kind)

    phases = [
        phase("tools", 3.0, 3.0),
        phase("lint", 6.0, 6.0),
        phase("unit (pytest)", 130.0, 20.0),
        phase("validate warm", 2.0, 3.0, bench.WARM),
        phase("collect", 2.0, 2.0, bench.INFO),
    ]
    console = Console(record=True, width=300)
    console.print(bench.phases_table(phases, (None, None)))
    text = console.export_text()
    assert "make check, warm, nothing changed (tools + lint + unit + validate warm)" in text
    assert "141.0 s" in text and "32.0 s" in text and "4.4x" in text
    # With the warm row, the plain total of the phases is not shown a second time.
    assert "make check (the phases above" not in text


def test_the_table_has_phase_before_after_and_ratio():
    def m(wall, cpu):
        return bench.Measured(wall, cpu, (0,), (1.0, 2.0))

    validate = bench.Phase("validate", [["old"]], [["new"]], [m(120.0, 160.0)], [m(60.0, 90.0)])
    lint = bench.Phase("lint", [["x"]], [["x"]], [m(4.0, 2.0)])
    lint.runs_after = lint.runs_before
    console = Console(record=True, width=250)
    console.print(bench.phases_table([validate, lint], (1569.0, None)))
    text = console.export_text()
    assert "phase" in text and "before" in text and "after" in text and "ratio" in text
    assert "120.0 s (CPU 160 s)" in text and "60.0 s (CPU 90 s)" in text and "2.0x" in text
    assert "lint (same command)" in text and "1.0x" in text
    assert "124.0 s (CPU 162 s)" in text and "64.0 s (CPU 92 s)" in text  # the make check row: the sums
    assert "1569 s" in text and "not measured" in text


def test_make_check_is_summed_once_per_way_of_validating():
    def m(wall):
        return bench.Measured(wall, wall, (0,), (0.0, 0.0))

    tools = bench.Phase("tools", [["t"]], [["t"]], [m(5.0)])
    tools.runs_after = tools.runs_before
    validate = bench.Phase("full", [["old"]], [["new"]], [m(100.0)], [m(50.0)])
    cached = bench.Phase("cached", [["old"]], [["new"]], [], [m(1.0)], env={"X": "1"}, variant_of=validate)
    cached.runs_before = validate.runs_before
    console = Console(record=True, width=250)
    console.print(bench.phases_table([tools, validate, cached], (None, None)))
    text = console.export_text()
    assert "make check with full" in text and "55.0 s" in text
    assert "make check with cached" in text and "6.0 s" in text and "17.5x" in text


def test_forget_drops_what_an_edit_to_the_module_invalidates(tmp_path):
    import json

    cache = tmp_path / "validate-results.json"
    cache.write_text(
        json.dumps(
            {
                "checkov:.": {"key": "k"},
                "root:modules/alb/examples/complete": {"key": "k", "loaded": ["modules/alb"]},
                "root:terraform": {"key": "k", "loaded": ["modules/alb", "modules/private-s3"]},
                "root:terraform/bootstrap": {"key": "k", "loaded": ["modules/iam"]},
            }
        )
    )
    bench.forget(cache, "modules/alb")()
    assert list(json.loads(cache.read_text())) == ["root:terraform/bootstrap"]


def test_the_median_run_is_reported():
    runs = [bench.Measured(w, w, (0,), (0.0, 0.0)) for w in (9.0, 1.0, 5.0)]
    assert bench.median(runs).wall == 5.0


def test_counts_below_one_are_a_usage_error(capsys):
    assert main(["bench", "--repeat", "0"]) == 2
    assert "--repeat, --runs and --cli-runs must be at least 1" in capsys.readouterr().err
