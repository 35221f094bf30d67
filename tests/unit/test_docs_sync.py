"""Every module's README carries the generated tables, and every variable and output is described.

That the tables match variables.tf and outputs.tf is `make lint`'s `python -m scripts docs --check`
(the same ``sync`` over the same documented directories), not repeated here."""

from __future__ import annotations

import pytest

import scripts.docs.readme_tables as docs
from scripts.terraform.tf import REPO_ROOT

DOCUMENTED = docs.documented_dirs(REPO_ROOT)
MODULES = sorted(p for p in (REPO_ROOT / "modules").iterdir() if (p / "variables.tf").exists())


@pytest.mark.parametrize("module", MODULES, ids=[m.name for m in MODULES])
def test_every_module_has_generated_docs(module):
    assert module in DOCUMENTED, f"{module.name}/README.md lacks the {docs.BEGIN} / {docs.END} markers"


def test_every_variable_is_described_and_typed():
    for module in MODULES:
        variables, outputs, *_ = docs.parse_module(module)
        for v in variables:
            assert v.description.strip(), f"{module.name}: variable {v.name} has no description"
            assert v.type != "any", f"{module.name}: variable {v.name} has no type"
        for o in outputs:
            assert o.description.strip(), f"{module.name}: output {o.name} has no description"


def test_render_reflects_a_new_input(tmp_path):
    (tmp_path / "variables.tf").write_text(
        'variable "size" {\n  description = "How many."\n  type        = number\n  default     = 2\n}\n'
    )
    (tmp_path / "README.md").write_text(f"# x\n\n{docs.BEGIN}\n{docs.END}\n")
    assert docs.sync(tmp_path, check=True) is False
    docs.sync(tmp_path)
    text = (tmp_path / "README.md").read_text()
    assert '| <a name="input_size"></a> [size](#input\\_size) | How many. | `number` | `2` | no |' in text
    assert docs.sync(tmp_path, check=True) is True
