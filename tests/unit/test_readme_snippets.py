"""README snippets and commands cannot rot.

The usage snippets (every ```hcl block of every module README) are checked by ``python -m scripts
validate`` (scripts/terraform/readme_snippets.py: fmt, then init + validate against the real module,
cached while no README, module or Terraform changes), so ``make check`` checks every one of them in
its validate phase. Here: every module README has a snippet, and snippets that are broken in each way
the checker knows fail through the very function validate runs (``validate.snippet_rows``), naming
README, block and README line: all of them in one scratch tree of the real modules. The
``python -m scripts`` commands and the paths the READMEs name exist.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from scripts.cli import build_parser, command_names
from scripts.terraform.readme_snippets import MODULES_DIR, hcl_blocks, module_readmes, readme_blocks
from scripts.terraform.tf import REPO_ROOT, scratch_copy
from scripts.terraform.toolchain import Toolchain
from scripts.terraform.validate import snippet_readmes, snippet_rows

MODULE_READMES = module_readmes()
# READMEs whose commands and relative links are checked (the module READMEs and the root's).
COMMAND_READMES = [REPO_ROOT / "README.md", REPO_ROOT / "terraform" / "README.md", *MODULE_READMES]
IDS = [p.parent.name for p in MODULE_READMES]


@pytest.mark.parametrize("readme", MODULE_READMES, ids=IDS)
def test_module_readme_has_a_usage_snippet(readme: Path) -> None:
    assert readme_blocks(readme), f"{readme.relative_to(REPO_ROOT)} has no ```hcl usage snippet"


def test_validate_checks_the_snippets_of_every_module_readme_and_of_the_one_only_names() -> None:
    every = [p.relative_to(REPO_ROOT).as_posix() for p in MODULE_READMES]
    assert snippet_readmes(REPO_ROOT, None) == every
    assert snippet_readmes(REPO_ROOT, REPO_ROOT / "modules") == every
    assert snippet_readmes(REPO_ROOT, MODULES_DIR / "alb") == ["modules/alb/README.md"]
    assert snippet_readmes(REPO_ROOT, REPO_ROOT / "terraform") == []


BROKEN_README = """\
# broken

```hcl
module "uploads" {
  source = "../../modules/private-s3"

  bucket_name = "imgclass-dev-uploads"
  encryption    = "AES256"
}
```

```hcl
module "db" {
  source = "../../modules/rds-postgres"
  # ...
  identifier     = "imgclass-dev"
  instance_class = ["db.t4g.micro"]
}
```

```hcl
module "gone" {
  source = "../../modules/no-such-module"
}
```
"""

# A README out of step with its module: an argument the module renamed, a required one left out
# without a "# ..." line. Terraform reports such errors while it loads a configuration and stops
# there, before type errors (the broken README's block 2): both blocks declare module "key", so each
# gets a root of its own, as the checker does for the real READMEs' blocks of the same name.
OUT_OF_STEP_README = """\
```hcl
module "key" {
  source = "../modules/kms-key"

  alias_name      = "alias/imgclass-dev/data"
  description     = "data"
  deletion_window = 7
}
```

```hcl
module "key" {
  source = "../modules/kms-key"

  alias_name = "alias/imgclass-dev/data"
}
```
"""


@pytest.fixture(scope="module")
def broken_rows(tc: Toolchain, tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """validate's snippet step over a copy of the real modules plus two READMEs with broken snippets."""
    scratch = tmp_path_factory.mktemp("snippets")
    scratch_copy("modules", scratch)  # as validate runs it: in a scratch copy of the tree
    for name, text in {"broken": BROKEN_README, "out-of-step": OUT_OF_STEP_README}.items():
        (scratch / "modules" / name).mkdir()
        (scratch / "modules" / name / "README.md").write_text(text)
    rows = snippet_rows(scratch, ["modules/broken/README.md"], tc)
    rows += snippet_rows(scratch, ["modules/out-of-step/README.md"], tc)
    assert [(r.directory, r.check, r.status) for r in rows] == [
        ("modules/broken", "readme snippets", "FAIL"),
        ("modules/out-of-step", "readme snippets", "FAIL"),
    ], rows
    return {r.directory: r.detail.split(" | ") for r in rows}


def test_a_broken_snippet_fails_naming_readme_block_and_error(broken_rows: dict[str, list[str]]) -> None:
    assert [b.line for b in hcl_blocks("modules/broken/README.md", BROKEN_README)] == [4, 13, 22]
    fmt, *problems = broken_rows["modules/broken"]
    assert fmt.startswith("modules/broken/README.md block 1 (line 4) is not terraform fmt clean:")
    assert '+  encryption  = "AES256"' in fmt

    # Block 1 is valid once formatted. Block 2 elides arguments with "# ...": the missing ones are
    # accepted, and the wrong type is still found (Terraform reports it only once nothing is missing).
    assert len(problems) == 2, problems
    assert problems[0] == (
        "modules/broken/README.md block 3 (line 22): source '../../modules/no-such-module' names no module of modules/"
    )
    assert problems[1].startswith(
        "modules/broken/README.md block 2 (line 13), README line 17: Invalid value for input variable: The given "
        "value is not suitable for module.db.var.instance_class declared at modules/rds-postgres/variables.tf:"
    )
    assert problems[1].endswith("string required.")


@pytest.mark.parametrize(
    "expected",
    [
        'block 1 (line 2), README line 7: Unsupported argument: An argument named "deletion_window" is not '
        "expected here.",
        'block 2 (line 12), README line 12: Missing required argument: The argument "description" is required, '
        "but no definition was found.",
    ],
    ids=["renamed-argument", "missing-argument-without-elision"],
)
def test_a_snippet_out_of_step_with_its_module_fails(expected: str, broken_rows: dict[str, list[str]]) -> None:
    assert f"modules/out-of-step/README.md {expected}" in broken_rows["modules/out-of-step"]


# --- commands and paths the READMEs name ---------------------------------------------------------

_COMMAND = re.compile(r"python -m scripts ([a-z][a-z_-]*(?: --?[a-z][\w-]*(?: [a-z0-9][\w.-]*)?)*)")
_LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def shell_lines(text: str) -> list[str]:
    """The lines of a README's ```sh / ```bash / ```console blocks."""
    lines, inside = [], False
    for line in text.splitlines():
        fence = line.strip()
        if fence.startswith("```"):
            inside = not inside and fence[3:].strip() in {"sh", "bash", "shell", "console"}
        elif inside and not fence.startswith("#"):
            lines.append(line.split(" #", 1)[0])
    return lines


@pytest.mark.parametrize("readme", COMMAND_READMES, ids=[str(p.relative_to(REPO_ROOT)) for p in COMMAND_READMES])
def test_readme_commands_parse(readme: Path) -> None:
    """Every ``python -m scripts CMD`` a README names is a registered command; in a shell block, its
    arguments as written are accepted by the command's parser."""
    text = readme.read_text(encoding="utf-8")
    registered = {name.replace("_", "-") for name in command_names()}
    problems = [
        f"`python -m scripts {m.group(1)}`: no command {m.group(1).split()[0]!r} (registered: {sorted(registered)})"
        for m in _COMMAND.finditer(text)
        if m.group(1).split()[0] not in registered
    ]
    for line in shell_lines(text):
        for match in _COMMAND.finditer(line):
            argv = shlex.split(match.group(1))
            if argv[0] not in registered:
                continue
            try:
                build_parser(argv[0].replace("-", "_")).parse_args(argv)
            except SystemExit:
                problems.append(f"`python -m scripts {match.group(1)}` is refused by the command's parser")
    assert not problems, f"{readme.relative_to(REPO_ROOT)}:\n" + "\n".join(problems)


@pytest.mark.parametrize("readme", COMMAND_READMES, ids=[str(p.relative_to(REPO_ROOT)) for p in COMMAND_READMES])
def test_readme_links_exist(readme: Path) -> None:
    """Every relative link of a README points at a file or directory of the repository."""
    missing = [
        target
        for target in _LINK.findall(readme.read_text(encoding="utf-8"))
        if "://" not in target and not target.startswith("mailto:") and not (readme.parent / target).exists()
    ]
    assert not missing, f"{readme.relative_to(REPO_ROOT)} links to missing paths: {missing}"


def test_terraform_readme_commands_run_from_the_repository_root() -> None:
    """terraform/README.md says its commands run from the repository root, and they work from there:
    Python through the project's virtualenv, the paths they name exist relative to where they are read."""
    text = (REPO_ROOT / "terraform" / "README.md").read_text(encoding="utf-8")
    assert "Every command on this page runs from the repository root" in text
    lines = shell_lines(text)
    assert lines, "terraform/README.md shows no commands"
    problems = []
    for line in lines:
        words = shlex.split(line)
        for i, word in enumerate(words):
            if word.endswith("python") and word != ".venv/bin/python":
                problems.append(f"{line!r}: {word} is not the project's virtualenv (.venv/bin/python)")
            if word == "pytest" and i + 1 < len(words) and not (REPO_ROOT / words[i + 1]).exists():
                problems.append(f"{line!r}: {words[i + 1]} does not exist under the repository root")
        chdir = next((w.split("=", 1)[1] for w in words if w.startswith("-chdir=")), None)
        for word in words:
            if chdir and word.startswith("-var-file="):
                path = REPO_ROOT / chdir / word.split("=", 1)[1]
                if not path.is_file():
                    problems.append(f"{line!r}: -var-file is read relative to -chdir, and {path} does not exist")
        if words[:2] == ["set", "-a"] and "." in words:
            sourced = words[words.index(".") + 1]
            if not (REPO_ROOT / sourced).parent.is_dir():
                problems.append(f"{line!r}: {sourced} is not in a directory of the repository root")
    assert not problems, "\n".join(problems)
