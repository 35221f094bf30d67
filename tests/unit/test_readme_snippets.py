"""README usage snippets cannot rot: every ```hcl block of every module README is ``terraform fmt``
clean and passes ``terraform init -backend=false`` + ``terraform validate`` against the real module;
the ``python -m scripts`` commands and the paths the READMEs name exist.

What ``validate`` proves here, and what it does not. A snippet shows one module call wired to the
rest of a configuration (``module.alb.https_listener_arn``, ``data.aws_vpc.this.id``): those
references name things the snippet does not declare. Each one is replaced by a variable of unknown
value, so validate checks what the snippet itself says: the ``source`` resolves to a module of this
repository, every argument exists, no required argument is missing, literals fit the module's types
and pass its validation rules (Terraform evaluates those whose values are known), and the HCL
parses. It does not check the placeholders' origins (that ``module.alb`` has such an output), and it
plans nothing: the snippets use placeholder ids, so a plan against the emulator would
test the placeholders, not the README. A module call that elides arguments says so with a ``# ...``
line; in that call only, each missing required argument gets an unknown value too, and the rest of
the call is still checked (cloud-foundation-fabric steers its README tests with ``# tftest`` directive
comments in the blocks; here the README needs no test markup). Not caught: an attribute an object
input does not declare (Terraform 1.11's type conversion drops it silently; tried with kms-key's
service_statements).

Cost: one init + validate per README (blocks of one README share a root, each block in a file of its
own, unless they declare the same name), all with the session's shared plugin cache.
"""

from __future__ import annotations

import difflib
import os
import re
import shlex
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from scripts.cli import build_parser, command_names
from scripts.terraform.tf import REPO_ROOT, WARMUP_CONFIG, TerraformError, Workspace
from scripts.terraform.toolchain import Toolchain

MODULES_DIR = REPO_ROOT / "modules"
MODULE_READMES = sorted(p / "README.md" for p in MODULES_DIR.iterdir() if (p / "variables.tf").exists())
# READMEs whose commands and relative links are checked (the module READMEs and the root's).
COMMAND_READMES = [REPO_ROOT / "README.md", REPO_ROOT / "terraform" / "README.md", *MODULE_READMES]
FENCE_LANGUAGES = {"hcl", "terraform", "tf"}
ELISION = "# ..."
BLOCK_FILE = "readme_block_{}.tf"
_SOURCE = re.compile(r'^(\s*source\s*=\s*)"([^"]*)"', re.MULTILINE)
_DECLARATION = re.compile(r'^(resource|data|module|variable|output)\s+"([^"]+)"(?:\s+"([^"]+)")?\s*\{', re.MULTILINE)
# References to objects a configuration declares; data first, so "data.aws_x.y.z" is not read as a
# resource. The lookbehind keeps "module.x.y" inside a longer dotted name from matching.
_REFERENCE = re.compile(
    r"(?<![\w.])(?:data\.[a-z0-9_]+\.[\w-]+\.\w+|module\.[\w-]+\.\w+|var\.\w+|local\.\w+|aws_[a-z0-9_]+\.[\w-]+\.\w+)"
)
_ON_LINE = re.compile(r"on (readme_block_(\d+))\.tf line (\d+)")


@dataclass(frozen=True)
class Block:
    readme: str  # repository-relative path, for messages
    number: int  # 1-based among the README's hcl blocks
    line: int  # README line of the block's first line of code
    text: str

    @property
    def name(self) -> str:
        return f"{self.readme} block {self.number} (line {self.line})"

    def declarations(self) -> set[tuple[str, ...]]:
        return {tuple(p for p in m.groups() if p) for m in _DECLARATION.finditer(self.text)}

    def elided_lines(self) -> list[tuple[int, int]]:
        """1-based block line ranges of module calls that elide arguments with a ``# ...`` line."""
        lines = self.text.splitlines()
        ranges = []
        start = None
        for i, line in enumerate(lines, 1):
            if line.startswith("module "):
                start = i
            elif line == "}" and start is not None:
                if any(ln.strip() == ELISION for ln in lines[start:i]):
                    ranges.append((start, i))
                start = None
        return ranges


def hcl_blocks(readme: str, text: str) -> list[Block]:
    """The fenced hcl (or terraform) blocks of a README, in order."""
    blocks: list[Block] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        fence = lines[i].strip()
        if fence.startswith("```") and fence[3:].strip().lower() in FENCE_LANGUAGES:
            end = i + 1
            while end < len(lines) and lines[end].strip() != "```":
                end += 1
            blocks.append(Block(readme, len(blocks) + 1, i + 2, "\n".join(lines[i + 1 : end]) + "\n"))
            i = end
        i += 1
    return blocks


def readme_blocks(path: Path) -> list[Block]:
    return hcl_blocks(path.relative_to(REPO_ROOT).as_posix(), path.read_text(encoding="utf-8"))


# --- fmt ---------------------------------------------------------------------------------------


def fmt_problems(blocks: list[Block], tc: Toolchain) -> list[str]:
    """One message per block ``terraform fmt`` would change, with the diff."""
    problems = []
    for block in blocks:
        proc = subprocess.run(
            [tc.terraform, "fmt", "-no-color", "-"],
            input=block.text,
            capture_output=True,
            text=True,
            env={**os.environ, **tc.env()},
            timeout=60,
            check=False,
        )
        if proc.returncode != 0:
            problems.append(f"{block.name}: terraform fmt failed: {proc.stderr.strip() or proc.stdout.strip()}")
        elif proc.stdout != block.text:
            diff = difflib.unified_diff(
                block.text.splitlines(), proc.stdout.splitlines(), "README", "terraform fmt", lineterm="", n=0
            )
            problems.append(f"{block.name} is not terraform fmt clean:\n" + "\n".join(diff))
    return problems


# --- validate ----------------------------------------------------------------------------------


def roots_of(blocks: list[Block]) -> list[list[Block]]:
    """Blocks grouped into as few roots as possible without two declaring the same name."""
    roots: list[tuple[set[tuple[str, ...]], list[Block]]] = []
    for block in blocks:
        names = block.declarations()
        for declared, members in roots:
            if not declared & names:
                declared |= names
                members.append(block)
                break
        else:
            roots.append((set(names), [block]))
    return [members for _, members in roots]


def local_source(block: Block, root: Path) -> str:
    """The block with each module ``source`` pointing at this repository's module of the same name."""

    def replace(match: re.Match[str]) -> str:
        module = MODULES_DIR / match.group(2).rstrip("/").rsplit("/", 1)[-1]
        if not (module / "variables.tf").exists():
            raise SnippetError(f"{block.name}: source {match.group(2)!r} names no module of modules/")
        return f'{match.group(1)}"{os.path.relpath(module, root)}"'

    return _SOURCE.sub(replace, block.text)


class SnippetError(Exception):
    """A snippet cannot even be set up for validation."""


def stub_name(reference: str) -> str:
    return "readme_stub_" + re.sub(r"\W", "_", reference)


# Arguments a "# ..." call leaves out, by block number and the line of the call's closing brace.
Fills = dict[int, dict[int, set[str]]]


def elided_name(block: Block, argument: str) -> str:
    return f"readme_elided_{block.number}_{argument}"


def render(block: Block, root: Path, fills: dict[int, set[str]]) -> str:
    """The block as validated: local source, and each elided required argument set to an unknown value
    just before its call's closing brace (so the lines above keep their numbers)."""
    lines = local_source(block, root).splitlines()
    for end in sorted(fills, reverse=True):
        lines[end - 1 : end - 1] = [f"  {arg} = var.{elided_name(block, arg)}" for arg in sorted(fills[end])]
    return "\n".join(lines) + "\n"


def write_root(blocks: list[Block], root: Path, fills: Fills | None = None) -> None:
    """Each block in a file of its own; undeclared references become variables of unknown value."""
    fills = fills or {}
    declared = set().union(*(b.declarations() for b in blocks))
    declared_refs = set()
    for kind, *names in declared:
        if kind == "resource":
            declared_refs.add(f"{names[0]}.{names[1]}")
        elif kind in ("data", "module"):
            declared_refs.add(f"{kind}.{'.'.join(names)}")
        elif kind == "variable":
            declared_refs.add(f"var.{names[0]}")
    stubs: set[str] = set()

    def replace(match: re.Match[str]) -> str:
        ref = match.group(0)
        owner = ref if ref.startswith("var.") else ref.rsplit(".", 1)[0]
        if owner in declared_refs or ref.startswith("var.readme_elided_"):
            return ref
        stubs.add(stub_name(ref))
        return f"var.{stub_name(ref)}"

    root.mkdir(parents=True, exist_ok=True)
    for block in blocks:
        block_fills = fills.get(block.number, {})
        text = _REFERENCE.sub(replace, render(block, root, block_fills))
        (root / BLOCK_FILE.format(block.number)).write_text(text)
        stubs |= {elided_name(block, arg) for args in block_fills.values() for arg in args}
    (root / "zz_readme_versions.tf").write_text(WARMUP_CONFIG)
    (root / "zz_readme_stubs.tf").write_text("".join(f'variable "{s}" {{}}\n' for s in sorted(stubs)))


def _block_of(blocks: list[Block], filename: str) -> Block | None:
    match = re.fullmatch(r"readme_block_(\d+)\.tf", filename)
    return next((b for b in blocks if match and b.number == int(match.group(1))), None)


_REQUIRED = re.compile(r'The argument "([^"]+)" is required')


def validate_problems(blocks: list[Block], scratch: Path, tc: Toolchain) -> list[str]:
    """``init -backend=false`` + ``validate`` of the blocks; one message per error, naming its block.

    A call with a "# ..." line may leave required arguments out. Terraform reports missing arguments
    in the same pass as wrong types, and stops there, so accepting the report would hide the other
    errors: each reported missing argument of such a call is given an unknown value and the root is
    validated again, until nothing more is missing.
    """
    problems: list[str] = []
    usable = []
    for block in blocks:
        try:
            local_source(block, scratch)
        except SnippetError as exc:
            problems.append(str(exc))
        else:
            usable.append(block)
    for index, members in enumerate(roots_of(usable)):
        root = scratch / f"root{index}"
        fills: Fills = {}
        write_root(members, root)
        ws = Workspace(root, tc)
        try:
            ws.init(backend=False)
        except TerraformError as exc:
            where = {f"{_block_of(members, m.group(1) + '.tf').name}" for m in _ON_LINE.finditer(exc.output)}
            problems.append(f"{', '.join(sorted(where)) or members[0].readme}: terraform init failed: {exc.messages}")
            continue
        while True:
            errors, filled = [], False
            for diag in ws.validate().get("diagnostics", []):
                if diag.get("severity") != "error":
                    continue
                where = diag.get("range", {})
                block = _block_of(members, where.get("filename", ""))
                line = where.get("start", {}).get("line", 0)
                missing = _REQUIRED.search(diag.get("detail", ""))
                call = [r for r in block.elided_lines() if r[0] <= line <= r[1]] if block else []
                if diag.get("summary") == "Missing required argument" and missing and call and block:
                    args = fills.setdefault(block.number, {}).setdefault(call[0][1], set())
                    filled |= missing.group(1) not in args
                    args.add(missing.group(1))
                    continue
                name = block.name if block else members[0].readme
                at = f", README line {block.line + line - 1}" if block and line else ""
                detail = diag.get("detail", "").strip().replace(os.path.relpath(MODULES_DIR, root), "modules")
                errors.append(f"{name}{at}: {diag.get('summary')}: {detail}")
            if not filled:
                problems += errors
                break
            write_root(members, root, fills)
    return problems


# --- the tests ---------------------------------------------------------------------------------

IDS = [p.parent.name for p in MODULE_READMES]


@pytest.mark.parametrize("readme", MODULE_READMES, ids=IDS)
def test_module_readme_has_a_usage_snippet(readme: Path) -> None:
    assert readme_blocks(readme), f"{readme.relative_to(REPO_ROOT)} has no ```hcl usage snippet"


@pytest.mark.parametrize("readme", MODULE_READMES, ids=IDS)
def test_snippets_are_fmt_clean(readme: Path, tc: Toolchain) -> None:
    problems = fmt_problems(readme_blocks(readme), tc)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("readme", MODULE_READMES, ids=IDS)
def test_snippets_validate_against_the_module(readme: Path, tc: Toolchain, tmp_path: Path) -> None:
    problems = validate_problems(readme_blocks(readme), tmp_path, tc)
    assert not problems, "\n".join(problems)


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


def test_a_broken_snippet_fails_naming_readme_block_and_error(tc: Toolchain, tmp_path: Path) -> None:
    blocks = hcl_blocks("modules/broken/README.md", BROKEN_README)
    assert [b.line for b in blocks] == [4, 13, 22]

    fmt = fmt_problems(blocks, tc)
    assert len(fmt) == 1, fmt
    assert fmt[0].startswith("modules/broken/README.md block 1 (line 4) is not terraform fmt clean:")
    assert '+  encryption  = "AES256"' in fmt[0]

    # Block 1 is valid once formatted. Block 2 elides arguments with "# ...": the missing ones are
    # accepted, and the wrong type is still found (Terraform reports it only once nothing is missing).
    problems = validate_problems(blocks, tmp_path, tc)
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
    ("body", "expected"),
    [
        (
            '  alias_name  = "alias/imgclass-dev/data"\n  description = "data"\n  deletion_window = 7\n',
            'block 1 (line 2), README line 7: Unsupported argument: An argument named "deletion_window" is not '
            "expected here.",
        ),
        (
            '  alias_name = "alias/imgclass-dev/data"\n',
            'block 1 (line 2), README line 2: Missing required argument: The argument "description" is required, '
            "but no definition was found.",
        ),
    ],
    ids=["renamed-argument", "missing-argument-without-elision"],
)
def test_a_snippet_out_of_step_with_its_module_fails(body: str, expected: str, tc: Toolchain, tmp_path: Path) -> None:
    readme = f'```hcl\nmodule "key" {{\n  source = "../modules/kms-key"\n\n{body}}}\n```\n'
    blocks = hcl_blocks("modules/kms-key/README.md", readme)
    assert validate_problems(blocks, tmp_path, tc) == [f"modules/kms-key/README.md {expected}"]


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
