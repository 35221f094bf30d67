"""The rejected-input tables (``*/tests/rejected_inputs.toml``) and their collector, checked.

The cases themselves run in the collector modules ``test_rejected_inputs_<name>.py`` (one per entry of
``rejected.SHARDS``, so ``--dist loadfile`` spreads them over the workers): each case's plan fails,
and its error says the words the table gives; each table's base inputs plan cleanly under the same
mocks. One ``terraform test`` process per table or slice, no emulator (tests/support/rejected.py).
Rejections that only AWS or the provider can make (an API refusal, a provider-side argument check)
are not in the tables: they need the emulator and stay in the apply and plan tests.

Here: every case of every table is run by exactly one collector module, and the collector is shown
failing on each way a case can be wrong.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from pathlib import Path

import pytest

from tests.support import rejected

pytestmark = pytest.mark.terraform

TABLES = rejected.load_all()


def test_tables_exist_for_every_module_with_inputs() -> None:
    assert TABLES, "no rejected-input table found"


def test_every_case_is_run_by_exactly_one_collector_module() -> None:
    here = Path(__file__).parent
    no_module = [name for name in rejected.SHARDS if not (here / f"test_rejected_inputs_{name}.py").is_file()]
    assert not no_module, f"SHARDS names collector modules that do not exist: {no_module}"
    runs = Counter(
        (table.config, case.id)
        for name in rejected.SHARDS
        for _, table, cases in rejected.select(name, TABLES)
        for case in cases
    )
    expected = Counter((table.config, case.id) for table in TABLES.values() for case in table.cases)
    assert runs == expected, (
        f"run by no collector module: {sorted(expected - runs)}; run twice: {sorted(runs - expected)}"
        " (give each table, or each k/n slice of it, one entry of SHARDS in tests/support/rejected.py)"
    )


def test_slices_cover_a_table_in_order() -> None:
    table = TABLES["terraform"]
    for n in (1, 2, 3, 4):
        assert sum((rejected.part(table, k, n) for k in range(1, n + 1)), ()) == table.cases


def test_the_collector_catches_a_wrong_message_and_an_accepted_input(tmp_path) -> None:
    """The checker, shown failing: a case whose words the error does not say, and a 'rejected' input
    the module in fact accepts, are both told apart from a true rejection."""
    table = TABLES["modules/private-s3"]
    true_case = rejected.Case("uppercase", {**table.base, "bucket_name": "Uploads"}, ("bucket_name must be",))
    wrong_words = rejected.Case("wrong-words", true_case.inputs, ("a message the module never says",))
    accepted = rejected.Case("accepted", {**table.base, "bucket_name": "fine-name-123"}, ("anything",))
    got = rejected.run_table(table, tmp_path, (true_case, wrong_words, accepted))
    assert got["uppercase"].status == "error" and "bucket_name must be" in got["uppercase"].text()
    assert rejected.verdict(true_case, got["uppercase"]) is None
    assert "the error lacks ['a message the module never says']" in (
        rejected.verdict(wrong_words, got["wrong-words"]) or ""
    )
    assert got["accepted"].status == "pass" and got["accepted"].errors == []
    assert "expected a refused plan, terraform test says 'pass'" in (rejected.verdict(accepted, got["accepted"]) or "")


def test_the_collector_catches_an_override_that_does_not_take_effect(tmp_path) -> None:
    """A case whose override targets no instance of the configuration (a subnet id the lookup never
    returns) plans like the base inputs: the collector fails it and says the override is why."""
    table = TABLES["terraform"]
    one_az = next(case for case in table.cases if case.id == "subnets-in-one-availability-zone")
    missed = dataclasses.replace(
        one_az,
        id="override-of-no-instance",
        override=one_az.override.replace('private["subnet-0a000000000000002"]', 'private["subnet-0a00000000000000f"]'),
    )
    assert missed.override != one_az.override
    got = rejected.run_table(table, tmp_path, (missed,))
    problem = rejected.verdict(missed, got.get(missed.id))
    assert problem is not None and "expected a refused plan, terraform test says 'pass'" in problem, problem
    assert "its override did not take effect" in problem, problem


def test_the_collector_counts_errors_when_a_case_says_how_many() -> None:
    case = rejected.Case("one-error", {}, ("stops",), errors=1)
    assert rejected.verdict(case, rejected.Outcome("fail", ["Error: it stops here"])) is None
    two = rejected.Outcome("fail", ["Error: it stops here", "Error: and here"])
    assert "expected exactly 1 error(s), got 2" in (rejected.verdict(case, two) or "")


@pytest.mark.parametrize(
    ("case", "error"),
    [
        ('id = "no-messages"\nvars = {}\n', r"case no-messages: messages must list"),
        ('id = "x"\nmessages = ["m"]\noverride = ""\n', r"case x: override must be HCL override blocks"),
        ('id = "x"\nmessages = ["m"]\nfiles = { "../escape.tf" = "" }\n', r"case x: file '../escape.tf' must be"),
        ('id = "x"\nmessages = ["m"]\nerrors = 0\n', r"case x: errors must be a whole number"),
        ('id = "x"\nmessages = ["m"]\nmocks = ""\n', r"case x: unknown keys \['mocks'\]"),
    ],
)
def test_a_malformed_table_is_refused_naming_file_and_case(tmp_path, case: str, error: str) -> None:
    path = tmp_path / "malformed.toml"
    path.write_text(f'config = "modules/private-s3"\n[[case]]\n{case}')
    with pytest.raises(ValueError, match=rf"malformed.toml: {error}"):
        rejected.load(path)
