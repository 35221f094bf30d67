"""Run a GitHub Actions job's own ``run:`` steps locally, as the runner would.

What the runner does for a ``run:`` step is small and documented: it evaluates the ``${{ }}``
expressions in ``env`` and ``run`` against the contexts, writes the script to a file, runs it with the
workflow's shell from the repository checkout, and collects what the step writes to ``GITHUB_OUTPUT``
(https://docs.github.com/en/actions/writing-workflows/workflow-syntax-for-github-actions and
.../contexts, .../expressions). Steps that use an action (checkout, setup, credentials, artifacts)
and the steps that talk to GitHub's API cannot run here: the caller names each of them with what it
does instead, and any step it does not name fails the run, so a step added to a workflow is never
skipped silently.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from scripts.errors import PlatformError

DEFAULT_SHELL = "bash -e {0}"  # GitHub's default for a run step on Linux without `shell:`


class WorkflowError(PlatformError):
    """A workflow step failed or cannot be run locally."""


# --- expressions ---------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<num>-?\d+(?:\.\d+)?)|(?P<op>==|!=|&&|\|\||!|\(|\)|,)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z_*][A-Za-z0-9_-]*)*))"
)


def _tokens(expr: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    while pos < len(expr):
        if expr[pos:].strip() == "":
            break
        match = _TOKEN.match(expr, pos)
        if match is None:
            raise WorkflowError(f"expression {expr!r}: cannot read {expr[pos:]!r}")
        kind = match.lastgroup or ""
        out.append((kind, match.group(kind)))
        pos = match.end()
    return out


# The binary operators by precedence, the loosest first, each with what it makes of its two operands.
_BINARY: tuple[dict[str, Callable[[Any, Any], Any]], ...] = (
    {"||": lambda left, right: left if _truthy(left) else right},
    {"&&": lambda left, right: right if _truthy(left) else left},
    {"==": lambda left, right: _loose(left) == _loose(right), "!=": lambda left, right: _loose(left) != _loose(right)},
)


class _Parser:
    """GitHub's expression grammar, the part workflows here use: literals, context paths, ``!``,
    ``==``/``!=``, ``&&``/``||`` (which return an operand, as in GitHub) and status functions."""

    def __init__(self, expr: str, contexts: Mapping[str, Any], status: str) -> None:
        self.expr, self.contexts, self.status = expr, contexts, status
        self.tokens, self.i = _tokens(expr), 0

    def parse(self) -> Any:
        value = self._binary()
        if self.i != len(self.tokens):
            raise WorkflowError(f"expression {self.expr!r}: unexpected {self.tokens[self.i][1]!r}")
        return value

    def _peek(self) -> str | None:
        return self.tokens[self.i][1] if self.i < len(self.tokens) else None

    def _binary(self, level: int = 0) -> Any:
        """An operation of ``_BINARY[level]`` or a tighter-binding one, its operators read left to right."""
        if level == len(_BINARY):
            return self._unary()
        operators = _BINARY[level]
        left = self._binary(level + 1)
        while (op := self._peek()) in operators:
            self.i += 1
            left = operators[op](left, self._binary(level + 1))
        return left

    def _unary(self) -> Any:
        if self._peek() == "!":
            self.i += 1
            return not _truthy(self._unary())
        return self._atom()

    def _atom(self) -> Any:
        if self.i >= len(self.tokens):
            raise WorkflowError(f"expression {self.expr!r} ends early")
        kind, text = self.tokens[self.i]
        self.i += 1
        if text == "(":
            value = self._binary()
            self._expect(")")
            return value
        if kind == "str":
            return text[1:-1].replace("''", "'")
        if kind == "num":
            return float(text) if "." in text else int(text)
        if kind != "name":
            raise WorkflowError(f"expression {self.expr!r}: unexpected {text!r}")
        if text in ("true", "false"):
            return text == "true"
        if text == "null":
            return None
        if self._peek() == "(":
            return self._call(text)
        value: Any = self.contexts
        for part in text.split("."):
            value = value.get(part) if isinstance(value, Mapping) else None
        return value

    def _call(self, name: str) -> Any:
        self._expect("(")
        self._expect(")")
        statuses = {"always": True, "success": self.status == "success", "failure": self.status == "failure"}
        if name not in statuses:
            raise WorkflowError(f"expression {self.expr!r}: function {name}() is not supported here")
        return statuses[name]

    def _expect(self, token: str) -> None:
        if self._peek() != token:
            raise WorkflowError(f"expression {self.expr!r}: expected {token!r}")
        self.i += 1


def _truthy(value: Any) -> bool:
    return value not in (None, False, 0, "")


def _loose(value: Any) -> Any:
    # GitHub compares strings case-insensitively and coerces mixed types to numbers; workflows here
    # compare strings with strings, so case folding is the part that matters.
    return value.lower() if isinstance(value, str) else value


def evaluate(expr: str, contexts: Mapping[str, Any], status: str = "success") -> Any:
    return _Parser(expr, contexts, status).parse()


def _expressions(text: str) -> list[tuple[int, int, str]]:
    """(start, end, expression) of each ``${{ }}``; a ``}}`` inside a quoted literal does not end one."""
    found, pos = [], 0
    while (start := text.find("${{", pos)) >= 0:
        i, quoted = start + 3, False
        while i < len(text):
            if text[i] == "'":
                quoted = not quoted  # '' inside a literal toggles twice: still inside
            elif not quoted and text.startswith("}}", i):
                break
            i += 1
        else:
            raise WorkflowError(f"unterminated expression in {text[start : start + 60]!r}")
        found.append((start, i + 2, text[start + 3 : i]))
        pos = i + 2
    return found


def render(text: Any, contexts: Mapping[str, Any]) -> str:
    """A workflow value with every ``${{ }}`` replaced by its value (null and false as GitHub prints)."""
    out, last, raw = [], 0, str(text)
    for start, end, expr in _expressions(raw):
        result = evaluate(expr, contexts)
        if result is None:
            shown = ""
        elif isinstance(result, bool):
            shown = "true" if result else "false"
        else:
            shown = str(result)
        out += [raw[last:start], shown]
        last = end
    return "".join([*out, raw[last:]])


# --- jobs ----------------------------------------------------------------------------------------


def load(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text())


def render_map(values: Mapping[str, Any] | None, contexts: Mapping[str, Any]) -> dict[str, str]:
    return {k: render(v, contexts) for k, v in (values or {}).items()}


StepHandler = Callable[["Job", dict[str, Any], dict[str, str]], None]


@dataclass
class Job:
    """One job of a workflow, run step by step from a checkout of the repository."""

    workflow: Path
    job_id: str
    checkout: Path
    contexts: dict[str, Any]
    base_env: dict[str, str]
    # Steps that cannot run here, by name: what to do instead (a callable) or why nothing is needed.
    instead: Mapping[str, StepHandler | str] = field(default_factory=dict)
    # What the credentials step's stand-in adds to the environment (an assumed role's keys).
    credentials: Callable[[], dict[str, str]] = dict
    log: list[str] = field(default_factory=list)
    runner_temp: Path | None = None
    # Where each step's whole output is kept (``NN-<name>.log``), as GitHub keeps a step's log: the
    # apply's per-resource lines say which resource an apply waits on. None keeps none.
    output_dir: Path | None = None
    # The parent of the job's RUNNER_TEMP (the system's temporary directory when None).
    temp_parent: Path | None = None

    def run(self, timeout: float = 1800) -> dict[str, dict[str, str]]:
        """Run every step; returns each step id's outputs. Raises WorkflowError naming the failed step."""
        data = load(self.workflow)
        job = data["jobs"][self.job_id]
        shell = ((job.get("defaults") or data.get("defaults") or {}).get("run") or {}).get("shell", DEFAULT_SHELL)
        runner_temp = self.runner_temp = Path(tempfile.mkdtemp(prefix="runner-temp-", dir=self.temp_parent))
        contexts: dict[str, Any] = {**self.contexts, "steps": {}, "runner": {"temp": str(runner_temp)}}
        contexts["env"] = {**render_map(data.get("env"), contexts)}
        contexts["env"].update(render_map(job.get("env"), contexts))
        status = "success"
        names = [render(s.get("name") or s.get("run", "").splitlines()[0], contexts) for s in job["steps"]]
        unknown = [n for n, s in zip(names, job["steps"], strict=True) if "uses" in s and n not in self.instead]
        if unknown:
            raise WorkflowError(f"{self.workflow.name} job {self.job_id}: no local stand-in for steps {unknown}")
        for number, (name, step) in enumerate(zip(names, job["steps"], strict=True), start=1):
            step_env = {**contexts["env"], **render_map(step.get("env"), contexts)}
            condition = str(step.get("if", "success()")).strip()
            condition = condition[3:-2] if condition.startswith("${{") else condition
            if not _truthy(evaluate(condition, contexts, status)):
                self.log.append(f"skip (if: {condition}): {name}")
                continue
            outputs: dict[str, str] = {}
            started = time.monotonic()
            if name in self.instead:
                stand_in = self.instead[name]
                if callable(stand_in):
                    stand_in(self, contexts, step_env)
                    self.log.append(f"stand-in: {name} ({time.monotonic() - started:.1f} s)")
                else:
                    self.log.append(f"not needed here ({stand_in}): {name}")
            elif "run" in step:
                script = render(step["run"], contexts)
                outputs = self._run_script(number, name, script, step_env, shell, runner_temp, timeout)
            if step.get("id"):
                contexts["steps"][step["id"]] = {"outputs": outputs, "outcome": "success"}
        return {k: v["outputs"] for k, v in contexts["steps"].items()}

    def _run_script(
        self,
        number: int,
        name: str,
        script: str,
        step_env: dict[str, str],
        shell: str,
        runner_temp: Path,
        timeout: float,
    ) -> dict[str, str]:
        out_file = runner_temp / "github_output"
        out_file.write_text("")
        env = {
            **self.base_env,
            **step_env,
            "GITHUB_OUTPUT": str(out_file),
            "GITHUB_STEP_SUMMARY": str(runner_temp / "step_summary.md"),
            "GITHUB_WORKSPACE": str(self.checkout),
            "RUNNER_TEMP": str(runner_temp),
            "CI": "true",
        }
        script_file = runner_temp / "step.sh"
        script_file.write_text(script)
        argv = [part.replace("{0}", str(script_file)) for part in shell.split()]
        started = time.monotonic()
        proc = subprocess.run(
            argv, cwd=self.checkout, env=env, capture_output=True, text=True, timeout=timeout, check=False
        )
        # Each step's duration, so a slow job shows which step spends its time.
        self.log.append(f"run: {name} (exit {proc.returncode}, {time.monotonic() - started:.1f} s)")
        if self.output_dir is not None:
            self.output_dir.mkdir(parents=True, exist_ok=True)
            slug = re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").lower()[:60]
            (self.output_dir / f"{number:02d}-{slug}.log").write_text(proc.stdout + proc.stderr)
        if proc.returncode != 0:
            tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-25:])
            raise WorkflowError(f"{self.workflow.name} step {name!r} failed (exit {proc.returncode}):\n{tail}")
        outputs = {}
        for line in out_file.read_text().splitlines():
            key, _, value = line.partition("=")
            if key:
                outputs[key] = value
        return outputs
