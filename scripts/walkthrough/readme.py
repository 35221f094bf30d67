"""The first-deploy commands of README.md, as numbered steps of one shell script.

README's section "First deploy in an AWS account" holds one ``sh`` block whose steps start with a
comment ``# <n>. <title>``. The walkthrough runs each step as written; a step that fails names its
number and title. Nothing here interprets the commands: what README says is what runs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from scripts.errors import PlatformError
from scripts.terraform.backend import github_prefix

SECTION = "## First deploy in an AWS account"
_STEP = re.compile(r"^# (?P<number>\d+)\. (?P<title>[^\n]*)$", re.MULTILINE)


class ReadmeError(PlatformError):
    """README's first-deploy section is not the runnable block the walkthrough expects."""


@dataclass(frozen=True)
class Step:
    number: int
    title: str
    script: str

    def for_environment(self, env: str) -> Step:
        """The step for another environment, as README says: "prod is the same with prod/PROD"."""
        script = re.sub(r"\bdev\b", env, self.script)
        script = re.sub(r"\bDEV_", f"{github_prefix(env)}_", script)
        return Step(self.number, self.title, script)


def first_deploy_block(readme: str) -> str:
    """The ``sh`` block of the first-deploy section."""
    start = readme.find(SECTION)
    if start < 0:
        raise ReadmeError(f"README.md has no section {SECTION!r}")
    end = readme.find("\n## ", start + len(SECTION))
    section = readme[start : end if end >= 0 else len(readme)]
    match = re.search(r"^```sh\n(?P<body>.*?)^```", section, re.MULTILINE | re.DOTALL)
    if match is None:
        raise ReadmeError(f"README.md's {SECTION!r} has no ```sh block")
    return match.group("body")


def first_deploy_steps(readme_path: Path) -> list[Step]:
    """The numbered steps of README's first-deploy block, in order."""
    block = first_deploy_block(readme_path.read_text())
    heads = list(_STEP.finditer(block))
    if not heads:
        raise ReadmeError("README.md's first-deploy block has no '# <n>. <title>' step comments")
    steps = []
    for i, head in enumerate(heads):
        end = heads[i + 1].start() if i + 1 < len(heads) else len(block)
        steps.append(Step(int(head.group("number")), head.group("title").strip(), block[head.start() : end]))
    numbers = [s.number for s in steps]
    if numbers != list(range(1, len(steps) + 1)):
        raise ReadmeError(f"README.md's first-deploy steps are numbered {numbers}, not 1..{len(steps)}")
    return steps
