"""Module README usage snippets cannot rot: every ```hcl block of every module README is ``terraform
fmt`` clean and passes ``terraform init -backend=false`` + ``terraform validate`` against the real
module. ``python -m scripts validate`` runs this (cached like its other roots, see validate.py);
tests/unit/test_readme_snippets.py shows broken snippets failing with README, block and line.

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

Cost: the blocks of all READMEs share as few roots as possible (one init + one validate each): a root
takes every block whose declared names (``module "db"``) no block already in it declares. Each block is
a file of its own, named after its README and number, so every diagnostic names its README and block.
"""

from __future__ import annotations

import difflib
import os
import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from scripts.terraform.tf import REPO_ROOT, TerraformError, Workspace, warmup_config
from scripts.terraform.toolchain import Toolchain

MODULES_DIR = REPO_ROOT / "modules"
FENCE_LANGUAGES = {"hcl", "terraform", "tf"}
ELISION = "# ..."
_SOURCE = re.compile(r'^(\s*source\s*=\s*)"([^"]*)"', re.MULTILINE)
_DECLARATION = re.compile(r'^(resource|data|module|variable|output)\s+"([^"]+)"(?:\s+"([^"]+)")?\s*\{', re.MULTILINE)
# References to objects a configuration declares; data first, so "data.aws_x.y.z" is not read as a
# resource. The lookbehind keeps "module.x.y" inside a longer dotted name from matching.
_REFERENCE = re.compile(
    r"(?<![\w.])(?:data\.[a-z0-9_]+\.[\w-]+\.\w+|module\.[\w-]+\.\w+|var\.\w+|local\.\w+|aws_[a-z0-9_]+\.[\w-]+\.\w+)"
)
_ON_LINE = re.compile(r"on (readme_[\w-]+_block_\d+\.tf) line \d+")


def module_readmes(modules_dir: Path = MODULES_DIR) -> list[Path]:
    return sorted(p / "README.md" for p in modules_dir.iterdir() if (p / "variables.tf").exists())


@dataclass(frozen=True)
class Block:
    readme: str  # repository-relative path, for messages
    number: int  # 1-based among the README's hcl blocks
    line: int  # README line of the block's first line of code
    text: str

    @property
    def name(self) -> str:
        return f"{self.readme} block {self.number} (line {self.line})"

    @property
    def module(self) -> str:
        return re.sub(r"\W", "_", self.readme.removesuffix("/README.md").rsplit("/", 1)[-1])

    @property
    def slug(self) -> str:
        """Unique among the blocks of all READMEs: names the block's elided-argument variables."""
        return f"{self.module}_{self.number}"

    @property
    def filename(self) -> str:
        """The block's file in its root: diagnostics name it, so they name the README and block."""
        return f"readme_{self.module}_block_{self.number}.tf"

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


def readme_blocks(path: Path, repo: Path = REPO_ROOT) -> list[Block]:
    return hcl_blocks(path.relative_to(repo).as_posix(), path.read_text(encoding="utf-8"))


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


class SnippetError(Exception):
    """A snippet cannot even be set up for validation."""


def local_source(block: Block, root: Path, modules_dir: Path = MODULES_DIR) -> str:
    """The block with each module ``source`` pointing at this repository's module of the same name."""

    def replace(match: re.Match[str]) -> str:
        module = modules_dir / match.group(2).rstrip("/").rsplit("/", 1)[-1]
        if not (module / "variables.tf").exists():
            raise SnippetError(f"{block.name}: source {match.group(2)!r} names no module of modules/")
        return f'{match.group(1)}"{os.path.relpath(module, root)}"'

    return _SOURCE.sub(replace, block.text)


def stub_name(reference: str) -> str:
    return "readme_stub_" + re.sub(r"\W", "_", reference)


# Arguments a "# ..." call leaves out, by block and the line of the call's closing brace.
Fills = dict[Block, dict[int, set[str]]]


def elided_name(block: Block, argument: str) -> str:
    return f"readme_elided_{block.slug}_{argument}"


def render(block: Block, root: Path, fills: dict[int, set[str]], modules_dir: Path = MODULES_DIR) -> str:
    """The block as validated: local source, and each elided required argument set to an unknown value
    just before its call's closing brace (so the lines above keep their numbers)."""
    lines = local_source(block, root, modules_dir).splitlines()
    for end in sorted(fills, reverse=True):
        lines[end - 1 : end - 1] = [f"  {arg} = var.{elided_name(block, arg)}" for arg in sorted(fills[end])]
    return "\n".join(lines) + "\n"


def declared_references(blocks: list[Block]) -> set[str]:
    """How the blocks' own declarations are referenced: ``module.db``, ``aws_x.y``, ``var.z``."""
    refs = set()
    for kind, *names in set().union(*(b.declarations() for b in blocks)):
        if kind == "resource":
            refs.add(f"{names[0]}.{names[1]}")
        elif kind in ("data", "module"):
            refs.add(f"{kind}.{'.'.join(names)}")
        elif kind == "variable":
            refs.add(f"var.{names[0]}")
    return refs


def write_root(blocks: list[Block], root: Path, fills: Fills | None = None, modules_dir: Path = MODULES_DIR) -> None:
    """Each block in a file of its own; references to what the block's README does not declare become
    variables of unknown value (a root may hold the blocks of several READMEs: cloudwatch-alarms's
    ``module.proxy`` must not resolve to rds-proxy's README's ``module "proxy"``)."""
    fills = fills or {}
    own = {r: declared_references([b for b in blocks if b.readme == r]) for r in {b.readme for b in blocks}}
    stubs: set[str] = set()

    def replacer(declared_refs: set[str]) -> Callable[[re.Match[str]], str]:
        def replace(match: re.Match[str]) -> str:
            ref = match.group(0)
            owner = ref if ref.startswith("var.") else ref.rsplit(".", 1)[0]
            if owner in declared_refs or ref.startswith("var.readme_elided_"):
                return ref
            stubs.add(stub_name(ref))
            return f"var.{stub_name(ref)}"

        return replace

    root.mkdir(parents=True, exist_ok=True)
    for block in blocks:
        block_fills = fills.get(block, {})
        text = _REFERENCE.sub(replacer(own[block.readme]), render(block, root, block_fills, modules_dir))
        (root / block.filename).write_text(text)
        stubs |= {elided_name(block, arg) for args in block_fills.values() for arg in args}
    (root / "zz_readme_versions.tf").write_text(warmup_config())
    (root / "zz_readme_stubs.tf").write_text("".join(f'variable "{s}" {{}}\n' for s in sorted(stubs)))


_REQUIRED = re.compile(r'The argument "([^"]+)" is required')


def validate_problems(blocks: list[Block], scratch: Path, tc: Toolchain, modules_dir: Path = MODULES_DIR) -> list[str]:
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
            local_source(block, scratch, modules_dir)
        except SnippetError as exc:
            problems.append(str(exc))
        else:
            usable.append(block)
    for index, members in enumerate(roots_of(usable)):
        root = scratch / f"root{index}"
        by_file = {b.filename: b for b in members}
        fills: Fills = {}
        write_root(members, root, modules_dir=modules_dir)
        ws = Workspace(root, tc)
        try:
            ws.init(backend=False)
        except TerraformError as exc:
            where = {by_file[m.group(1)].name for m in _ON_LINE.finditer(exc.output) if m.group(1) in by_file}
            readmes = sorted({b.readme for b in members})
            problems.append(f"{', '.join(sorted(where)) or ', '.join(readmes)}: terraform init failed: {exc.messages}")
            continue
        while True:
            errors, filled = [], False
            for diag in ws.validate().get("diagnostics", []):
                if diag.get("severity") != "error":
                    continue
                where = diag.get("range", {})
                block = by_file.get(where.get("filename", ""))
                line = where.get("start", {}).get("line", 0)
                missing = _REQUIRED.search(diag.get("detail", ""))
                call = [r for r in block.elided_lines() if r[0] <= line <= r[1]] if block else []
                if diag.get("summary") == "Missing required argument" and missing and call and block:
                    args = fills.setdefault(block, {}).setdefault(call[0][1], set())
                    filled |= missing.group(1) not in args
                    args.add(missing.group(1))
                    continue
                name = block.name if block else ", ".join(sorted({b.readme for b in members}))
                at = f", README line {block.line + line - 1}" if block and line else ""
                detail = diag.get("detail", "").strip().replace(os.path.relpath(modules_dir, root), "modules")
                errors.append(f"{name}{at}: {diag.get('summary')}: {detail}")
            if not filled:
                problems += errors
                break
            write_root(members, root, fills, modules_dir)
    return problems


def snippet_problems(
    blocks: list[Block], scratch: Path, tc: Toolchain, modules_dir: Path = MODULES_DIR
) -> dict[str, list[str]]:
    """fmt, then init + validate, of the blocks of any number of READMEs: the problems by README."""
    by_readme: dict[str, list[str]] = {b.readme: [] for b in blocks}
    for problem in fmt_problems(blocks, tc) + validate_problems(blocks, scratch, tc, modules_dir):
        readme = next((r for r in by_readme if problem.startswith(f"{r} ") or problem.startswith(f"{r}:")), None)
        by_readme.setdefault(readme or "(README snippets)", []).append(problem)
    return by_readme
