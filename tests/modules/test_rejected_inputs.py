"""Every rejected-input table (``*/tests/rejected_inputs.toml``): each case's plan fails, and its error
says the words the table gives; the table's base inputs plan cleanly under the same mocks.

One ``terraform test`` process per table, no emulator (tests/support/rejected.py says how and why).
Rejections that only AWS or the provider can make (an API refusal, a provider-side argument check)
are not here: they need the emulator and stay in the apply and plan tests.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.harness import normalise
from tests.support import rejected

pytestmark = pytest.mark.terraform

TABLES = {str(p.relative_to(rejected.REPO_ROOT)): rejected.load(p) for p in rejected.tables()}
PARAMS = [
    pytest.param(name, case, id=f"{table.config}::{case.id}") for name, table in TABLES.items() for case in table.cases
]


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory):
    """Run each table once, on first use; later cases of the table read the cached outcome."""
    cache: dict[str, dict[str, rejected.Outcome]] = {}

    def get(name: str) -> dict[str, rejected.Outcome]:
        if name not in cache:
            table = TABLES[name]
            cache[name] = rejected.run_table(table, tmp_path_factory.mktemp(Path(table.config).name))
        return cache[name]

    return get


@pytest.mark.parametrize(("table", "case"), PARAMS)
def test_case(outcomes, table: str, case: rejected.Case) -> None:
    got = outcomes(table).get(case.id)
    assert got is not None, f"terraform test reported nothing for {case.id}"
    if case.id == rejected.BASE_CASE:
        assert got.status == "pass", f"the base inputs of {table} do not plan cleanly: {got.text()}"
        return
    # A refused variable is an "error" of the run, a failed check or precondition a "fail".
    assert got.status in {"fail", "error"}, f"{case.id}: expected a refused plan, terraform test says {got.status!r}"
    text = got.text()
    missing = [m for m in case.messages if normalise(m) not in text]
    assert not missing, f"{case.id}: the error lacks {missing!r}; it says: {text[-3000:]}"


def test_tables_exist_for_every_module_with_inputs() -> None:
    assert TABLES, "no rejected-input table found"


def test_the_collector_catches_a_wrong_message_and_an_accepted_input(tmp_path) -> None:
    """The checker, shown failing: a case whose words the error does not say, and a 'rejected' input
    the module in fact accepts, are both told apart from a true rejection."""
    table = TABLES["modules/private-s3/tests/rejected_inputs.toml"]
    true_case = rejected.Case("uppercase", {**table.base, "bucket_name": "Uploads"}, ("bucket_name must be",))
    wrong_words = rejected.Case("wrong-words", true_case.inputs, ("a message the module never says",))
    accepted = rejected.Case("accepted", {**table.base, "bucket_name": "fine-name-123"}, ("anything",))
    broken = rejected.Table(table.path, table.config, table.mock, (true_case, wrong_words, accepted), table.base)
    got = rejected.run_table(broken, tmp_path)
    assert got["uppercase"].status == "error" and "bucket_name must be" in got["uppercase"].text()
    assert "a message the module never says" not in got["wrong-words"].text()
    assert got["accepted"].status == "pass" and got["accepted"].errors == []


def test_a_malformed_table_is_refused_naming_file_and_case(tmp_path) -> None:
    path = tmp_path / "malformed.toml"
    path.write_text('config = "modules/private-s3"\n[[case]]\nid = "no-messages"\nvars = {}\n')
    with pytest.raises(ValueError, match=r"malformed.toml: case no-messages: messages must list"):
        rejected.load(path)
