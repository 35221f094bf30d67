"""The pull-request plan comment: every environment's checks first, then change lists, then plan texts.

A reviewer reads the comment top-down and GitHub refuses a body above its limit, so the parts are
ordered by importance and shortened from the least important end: plan texts first (the long ones
first, the short ones are kept whole), then change lists. The check reports (verdict, findings, cost)
are never shortened; if they alone do not fit, rendering fails rather than posting a partial comment.
Whatever is shortened says so where it was cut, with the link to the run holding the full reports.

Standard library only: the comment job runs this with a bare Python, without the project's tools.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from scripts.errors import PlatformError, UsageError

# GitHub refuses a longer issue or pull-request comment: 422 "Body is too long (maximum is 65536
# characters)", documentation_url https://docs.github.com/rest/issues/comments#create-an-issue-comment
# (the API's answer, quoted in https://github.com/reg-viz/reg-actions/issues/123 and
# https://github.com/jmikedupont2/ai-ticket/issues/51). Characters, not bytes: GitHub validates the
# length of the string, so "é" or "✅" counts once, as Python's len() counts code points.
GITHUB_COMMENT_MAX = 65_536
# Some report the refusal at exactly 65,536 (https://github.com/googleapis/release-please/issues/1034,
# https://github.com/runatlantis/atlantis/issues/55 says 65,535): one character below is safe either way.
BODY_LIMIT = GITHUB_COMMENT_MAX - 1

CHECKS_FILE, CHANGES_FILE, PLAN_FILE = "checks.md", "changes.md", "plan.txt"
ARTIFACT_PREFIX = "plan-report-"
INTRO = "Plans made with the read-only plan roles ({run}). The deploy workflow applies only changes identical to these."
_HEADING = re.compile(r"^(#{1,6})(?=\s)", re.MULTILINE)


class CommentTooLarge(PlatformError):
    """The parts that are never shortened (headers, check reports) exceed GitHub's comment limit."""


@dataclass(frozen=True)
class EnvironmentReport:
    """One environment's parts as the plan job uploads them (artifact ``plan-report-<env>``).

    ``changes`` and ``plan`` are None when the environment did not plan (the checks report says why).
    """

    name: str
    checks: str
    changes: str | None = None
    plan: str | None = None
    artifact: str = ""

    @classmethod
    def from_dir(cls, path: Path, prefix: str = ARTIFACT_PREFIX) -> EnvironmentReport:
        """Read a downloaded artifact directory ``<prefix><env>/`` holding checks.md[, changes.md, plan.txt]."""
        if not path.is_dir():
            raise UsageError(f"{path} is not a directory of report parts")
        checks = path / CHECKS_FILE
        if not checks.is_file():
            raise UsageError(f"{path} has no {CHECKS_FILE}: the plan job did not write its check report")

        def optional(name: str) -> str | None:
            part = path / name
            return _read(part) if part.is_file() else None

        return cls(
            name=path.name.removeprefix(prefix) or path.name,
            checks=_read(checks),
            changes=optional(CHANGES_FILE),
            plan=optional(PLAN_FILE),
            artifact=path.name,
        )


def _read(path: Path) -> str:
    try:
        # errors="replace": a stray byte in Terraform's output must not lose the whole comment.
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from exc


# --- shortening ---------------------------------------------------------------------------------


def fill(lengths: Sequence[int], budget: int) -> list[int]:
    """How much of each part fits in ``budget``: short parts whole, the long ones an equal share of
    the rest (so a huge dev plan cannot crowd out a small prod plan)."""
    if budget >= sum(lengths):
        return list(lengths)
    shown = [0] * len(lengths)
    left, remaining = max(budget, 0), len(lengths)
    for i in sorted(range(len(lengths)), key=lambda i: lengths[i]):
        shown[i] = min(lengths[i], left // remaining)
        left -= shown[i]
        remaining -= 1
    return shown


def _head(text: str, limit: int) -> str:
    """At most ``limit`` characters of ``text``, ending at a line end when one is in reach."""
    if limit >= len(text):
        return text
    cut = text.rfind("\n", 0, limit) + 1
    return text[: cut or limit]


def _lines(text: str) -> int:
    return len(text.splitlines())


def _fence(text: str) -> str:
    """A code fence longer than any run of backticks in the text, so the text cannot close it."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def _demote(markdown: str, levels: int) -> str:
    """The check report's headings, nested under the environment's heading."""
    return _HEADING.sub(lambda m: "#" * min(6, len(m.group(1)) + levels), markdown)


@dataclass(frozen=True)
class _Cut:
    shown: str
    full: str

    @property
    def shortened(self) -> bool:
        return len(self.shown) < len(self.full)


# --- rendering ----------------------------------------------------------------------------------


def render_comment(
    reports: Sequence[EnvironmentReport],
    *,
    marker: str,
    title: str,
    run_url: str,
    limit: int = BODY_LIMIT,
) -> str:
    """The comment body, at most ``limit`` characters; raises CommentTooLarge when the check reports
    alone do not fit."""
    names = [r.name for r in reports]
    if len(set(names)) != len(names):
        raise UsageError(f"two reports for the same environment among {', '.join(names)}")
    plans = [r for r in reports if r.plan is not None]
    changes = [r for r in reports if r.changes is not None]
    plan_lengths = [len(r.plan or "") for r in plans]
    change_lengths = [len(r.changes or "") for r in changes]
    plan_budget, change_budget = sum(plan_lengths), sum(change_lengths)
    while True:
        plan_cuts = {
            r.name: _Cut(_head(r.plan or "", n), r.plan or "")
            for r, n in zip(plans, fill(plan_lengths, plan_budget), strict=True)
        }
        change_cuts = {
            r.name: _Cut(_head(r.changes or "", n), r.changes or "")
            for r, n in zip(changes, fill(change_lengths, change_budget), strict=True)
        }
        body = _compose(reports, plan_cuts, change_cuts, marker=marker, title=title, run_url=run_url)
        over = len(body) - limit
        if over <= 0:
            return body
        # Shorten from the least important end; every round shows at least `over` characters fewer
        # (notices added on the way are paid for in the next round), so this ends.
        if plan_budget > 0:
            plan_budget = max(0, sum(len(c.shown) for c in plan_cuts.values()) - over)
        elif change_budget > 0:
            change_budget = max(0, sum(len(c.shown) for c in change_cuts.values()) - over)
        else:
            raise CommentTooLarge(
                f"the plan comment is {len(body):,} characters with every plan text and change list cut "
                f"(check reports are never cut), above the limit of {limit:,}: no comment rendered; "
                f"the full reports are in the run's artifacts ({run_url})"
            )


def _compose(
    reports: Sequence[EnvironmentReport],
    plan_cuts: dict[str, _Cut],
    change_cuts: dict[str, _Cut],
    *,
    marker: str,
    title: str,
    run_url: str,
) -> str:
    run = f"[run]({run_url})"
    out = [marker, f"## {title}", "", INTRO.format(run=run), ""]
    shortened = [f"change list for {n}" for n, c in change_cuts.items() if c.shortened]
    shortened += [f"plan text for {n}" for n, c in plan_cuts.items() if c.shortened]
    if shortened:
        out += [
            f"> [!NOTE]\n> Shortened to fit GitHub's comment limit: {', '.join(shortened)} (marked where cut). "
            f"Every check report is complete; the full change lists and plan texts are in the artifacts "
            f"`{ARTIFACT_PREFIX}<environment>` of the {run}.",
            "",
        ]
    if not reports:
        out += ["No report was produced: see the " + run + ".", ""]
    # 1. What decides the review, for every environment before anything long.
    for r in reports:
        out += [f"### {r.name}", "", _demote(r.checks.strip("\n"), 2), ""]
    # 2. What each plan changes.
    if change_cuts:
        out += ["### Changes", ""]
        for r, cut in _in_report_order(reports, change_cuts):
            out += [f"#### {r.name}", ""]
            if cut.shown.strip():
                out += [cut.shown.rstrip("\n"), ""]
            if cut.shortened:
                out += [
                    f"_✂️ change list for {r.name} shortened: {_lines(cut.shown):,} of {_lines(cut.full):,} "
                    f"changes shown; the full list is in the artifact `{_artifact(r)}` of the {run}._",
                    "",
                ]
    # 3. The plan texts, collapsed.
    if plan_cuts:
        out += ["### Plan text", ""]
        for r, cut in _in_report_order(reports, plan_cuts):
            label = f"terraform show ({r.name})" + (" — shortened" if cut.shortened else "")
            out += [f"<details><summary>{label}</summary>", ""]
            if cut.shown:
                fence = _fence(cut.shown)
                out += [fence, cut.shown.rstrip("\n"), fence, ""]
            if cut.shortened:
                out += [
                    f"_✂️ plan text for {r.name} shortened: {len(cut.shown):,} of {len(cut.full):,} characters "
                    f"shown; the full text is in the artifact `{_artifact(r)}` of the {run}._",
                    "",
                ]
            out += ["</details>", ""]
    return "\n".join(out)


def _in_report_order(
    reports: Sequence[EnvironmentReport], cuts: dict[str, _Cut]
) -> list[tuple[EnvironmentReport, _Cut]]:
    """Each report that has a cut, with it, in the reports' order."""
    return [(r, cuts[r.name]) for r in reports if r.name in cuts]


def _artifact(report: EnvironmentReport) -> str:
    return report.artifact or f"{ARTIFACT_PREFIX}{report.name}"
