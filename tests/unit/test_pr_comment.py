"""The pull-request plan comment (scripts/checks/comment.py, ``python -m scripts pr-comment``).

Every environment's checks come first and are never cut; plan texts, then change lists, are shortened
to GitHub's limit, in characters, saying where and linking the run. The workflow's own steps (the plan
job's split of the report into parts, the job summary, the comment job with ``gh`` stood in) run here
as the runner would run them.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from scripts.checks.comment import (
    BODY_LIMIT,
    CommentTooLarge,
    EnvironmentReport,
    fill,
    render_comment,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = REPO_ROOT / ".github" / "workflows" / "pull-request.yml"
RUN_URL = "https://github.com/example-org/imgclass-platform/actions/runs/4242"
MARKER = "<!-- terraform-plan-comment -->"
TITLE = "Terraform plan for 3f2a9c1: failure"


def checks_md(env: str, findings: int, safe: bool = False) -> str:
    """A check report shaped as ``render_markdown`` writes it; findings last, each row unique."""
    verdict = "✅ safe to apply" if safe else "❌ unsafe: policy violations"
    rows = [
        f"| ❌ error | `SEC_{env.upper()}_{i:04d}` | `module.{env}.aws_security_group.sg[{i}]` "
        f"| ingress from 0.0.0.0/0 on port {i} ({env}, Größe {i}) | restrict the CIDR (⚠️ {env}-{i}) |"
        for i in range(findings)
    ]
    return "\n".join(
        [
            f"## Plan checks: {verdict}",
            "",
            f"`{env}.tfplan.json` — 3 to create; prod-like; {findings} errors, 0 warnings.",
            "",
            "### Cost estimate (USD / month)",
            "",
            "| resource type | count | baseline / month | at max scale | notes |",
            "|---|---:|---:|---:|---|",
            f"| `aws_db_instance` | 1 | 1,234.56 | 1,234.56 | {env} |",
            "| **total** | | **1,234.56** | **1,234.56** | |",
            "",
            "### Findings",
            "",
            "| severity | check | resource | problem | fix |",
            "|---|---|---|---|---|",
            *rows,
            "",
        ]
    )


def finding_rows(markdown: str) -> list[str]:
    return [line for line in markdown.splitlines() if line.startswith("| ❌ error |")]


def changes_md(env: str, count: int) -> str:
    return "".join(f"- `create` module.{env}.aws_sqs_queue.q[{i}]\n" for i in range(count))


def plan_txt(env: str, chars: int) -> str:
    block = f'  # module.{env}.aws_s3_bucket.b will be created\n  + resource "aws_s3_bucket" "b" {{ tags = "ü✓" }}\n'
    return (block * (chars // len(block) + 1))[:chars]


def large_reports() -> list[EnvironmentReport]:
    return [
        EnvironmentReport("dev", checks_md("dev", 120), changes_md("dev", 300), plan_txt("dev", 400_000)),
        EnvironmentReport("prod", checks_md("prod", 40), changes_md("prod", 20), plan_txt("prod", 8_000)),
    ]


def render(reports: list[EnvironmentReport], **kwargs) -> str:
    return render_comment(reports, marker=MARKER, title=TITLE, run_url=RUN_URL, **kwargs)


def notice(body: str, what: str) -> re.Match[str]:
    match = re.search(rf"_✂️ {what} shortened: ([\d,]+) of ([\d,]+) (characters|changes) shown; (.*)_$", body, re.M)
    assert match, f"no notice for {what}"
    return match


def number(text: str) -> int:
    return int(text.replace(",", ""))


def test_a_large_report_keeps_every_finding_of_every_environment_and_fits():
    reports = large_reports()
    body = render(reports)
    assert len(body) <= BODY_LIMIT
    for report in reports:
        rows = finding_rows(report.checks)
        assert rows and all(row in body for row in rows), f"a finding of {report.name} was cut"
        assert "1,234.56" in body and f"| `aws_db_instance` | 1 | 1,234.56 | 1,234.56 | {report.name} |" in body
    # Checks of every environment before any change list, change lists before any plan text.
    last_finding = max(body.index(row) for report in reports for row in finding_rows(report.checks))
    assert last_finding < body.index("### Changes") < body.index("### Plan text")
    assert body.index("### dev") < body.index("### prod") < body.index("### Changes")
    # The huge dev plan is cut; prod's short one fits whole beside it.
    dev = notice(body, "plan text for dev")
    assert number(dev.group(2)) == len(reports[0].plan or "") == 400_000
    assert 0 < number(dev.group(1)) < 400_000
    assert RUN_URL in dev.group(4) and "`plan-report-dev`" in dev.group(4)
    assert (reports[1].plan or "").rstrip("\n") in body
    assert "plan text for prod shortened" not in body
    # What is shown of the dev plan is its beginning, unaltered, inside the collapsed section.
    shown = (reports[0].plan or "")[: number(dev.group(1))]
    assert shown.rstrip("\n") in body
    details = body[body.index("<details><summary>terraform show (dev) — shortened</summary>") :]
    assert details.index(shown[:200]) < details.index("plan text for dev shortened") < details.index("</details>")
    # Change lists are whole: the plan texts made room.
    assert all(line in body for r in reports for line in (r.changes or "").splitlines())
    assert "change list for" not in body
    assert "Shortened to fit GitHub's comment limit: plan text for dev (marked where cut)" in body
    assert body.startswith(MARKER + "\n## " + TITLE + "\n")


def test_huge_change_lists_are_cut_after_the_plan_texts_and_say_so():
    reports = [
        EnvironmentReport("dev", checks_md("dev", 60), changes_md("dev", 4000), plan_txt("dev", 50_000)),
        EnvironmentReport("prod", checks_md("prod", 60), changes_md("prod", 30), plan_txt("prod", 50_000)),
    ]
    body = render(reports)
    assert len(body) <= BODY_LIMIT
    assert all(row in body for r in reports for row in finding_rows(r.checks))
    for env in ("dev", "prod"):
        plan = notice(body, f"plan text for {env}")
        assert plan.group(1) == "0" and number(plan.group(2)) == 50_000
    dev = notice(body, "change list for dev")
    assert dev.group(3) == "changes" and number(dev.group(2)) == 4000 and 0 < number(dev.group(1)) < 4000
    assert RUN_URL in dev.group(4)
    # Cut at a line end: the shown changes are the first N lines, whole.
    shown = (reports[0].changes or "").splitlines()[: number(dev.group(1))]
    assert "\n".join(shown) + "\n\n_✂️ change list for dev shortened" in body
    assert "change list for prod shortened" not in body and (reports[1].changes or "").strip() in body


def test_a_small_report_is_emitted_whole_without_notice():
    reports = [
        EnvironmentReport("dev", checks_md("dev", 2, safe=True), changes_md("dev", 3), plan_txt("dev", 2000)),
        EnvironmentReport("prod", "**prod: could not plan** (exit 2); the job log has the error.\n"),
    ]
    body = render(reports)
    assert "shortened" not in body.lower() and "✂️" not in body and "[!NOTE]" not in body
    assert (reports[0].plan or "").rstrip("\n") in body
    assert (reports[0].changes or "").rstrip("\n") in body
    assert "**prod: could not plan** (exit 2)" in body
    # The check report's headings sit under the environment's heading; nothing else in it changes.
    assert "#### Plan checks: ✅ safe to apply" in body and "##### Findings" in body
    assert all(row in body for row in finding_rows(reports[0].checks))
    assert "#### prod" not in body.split("### Changes")[1], "no change list for an environment that did not plan"
    assert "terraform show (prod)" not in body


def test_the_limit_counts_characters_not_bytes():
    # Three-byte characters: a byte count would cut this to a third of what GitHub accepts.
    wide = "✓" * 200_000
    reports = [EnvironmentReport("dev", checks_md("dev", 5), changes_md("dev", 2), wide)]
    body = render(reports)
    assert len(body) <= BODY_LIMIT < len(body.encode())
    shown = number(notice(body, "plan text for dev").group(1))
    assert shown > BODY_LIMIT - 3000 and body.count("✓") == shown


def test_plan_text_with_backticks_cannot_close_its_fence():
    plan = "user_data = <<EOT\n```\n</details>\n````\nEOT\n"
    body = render([EnvironmentReport("dev", checks_md("dev", 1), "", plan)])
    assert "\n`````\n" + plan.rstrip("\n") + "\n`````\n" in body


def test_fill_keeps_short_parts_whole_and_shares_the_rest():
    assert fill([10, 1000, 50], 10_000) == [10, 1000, 50]
    assert fill([10, 1000, 50], 300) == [10, 240, 50]
    assert fill([10, 1000], 0) == [0, 0]


def test_checks_too_large_raise():
    reports = [EnvironmentReport("dev", checks_md("dev", 400)), EnvironmentReport("prod", checks_md("prod", 400))]
    with pytest.raises(CommentTooLarge, match="check reports are never cut"):
        render(reports)


# --- the command ---------------------------------------------------------------------------------


def write_parts(root: Path, report: EnvironmentReport) -> Path:
    path = root / f"plan-report-{report.name}"
    path.mkdir(parents=True)
    (path / "checks.md").write_text(report.checks, encoding="utf-8")
    if report.changes is not None:
        (path / "changes.md").write_text(report.changes, encoding="utf-8")
    if report.plan is not None:
        (path / "plan.txt").write_text(report.plan, encoding="utf-8")
    return path


def cli(*argv: str | Path, module: str = "scripts", bare: bool = False) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, *(["-S"] if bare else []), "-m", module]
    if module == "scripts":
        command.append("pr-comment")
    args = ["--marker", MARKER, "--title", TITLE, "--run-url", RUN_URL, *map(str, argv)]
    return subprocess.run(command + args, cwd=REPO_ROOT, capture_output=True, text=True, timeout=120, check=False)


def test_cli_writes_the_body(tmp_path):
    reports = large_reports()
    dirs = [write_parts(tmp_path / "reports", r) for r in reports]
    out = tmp_path / "comment.md"
    proc = cli("--output", out, *dirs)
    assert proc.returncode == 0, proc.stderr
    assert out.read_text(encoding="utf-8") == render(reports)
    assert f"of at most {BODY_LIMIT:,} characters written" in proc.stdout


def test_cli_checks_too_large_exit_2_with_one_line_and_no_body(tmp_path):
    reports = [EnvironmentReport("dev", checks_md("dev", 400)), EnvironmentReport("prod", checks_md("prod", 400))]
    dirs = [write_parts(tmp_path / "reports", r) for r in reports]
    out = tmp_path / "comment.md"
    proc = cli("--output", out, *dirs)
    assert proc.returncode == 2
    assert proc.stdout == ""
    [line] = proc.stderr.splitlines()
    assert line.startswith("error: the plan comment is ") and "check reports are never cut" in line
    assert RUN_URL in line and "Traceback" not in proc.stderr
    assert not out.exists()


def test_cli_two_reports_of_one_environment_exit_2(tmp_path):
    report = EnvironmentReport("dev", checks_md("dev", 1))
    dirs = [write_parts(tmp_path / "a", report), write_parts(tmp_path / "b", report)]
    proc = cli(*dirs)
    assert proc.returncode == 2
    assert proc.stderr.strip() == "error: two reports for the same environment among dev, dev"


def test_cli_report_dir_without_checks_exit_2(tmp_path):
    empty = tmp_path / "plan-report-dev"
    empty.mkdir()
    proc = cli(empty)
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"error: {empty} has no checks.md: the plan job did not write its check report"


def test_the_comment_job_can_run_it_without_the_projects_packages(tmp_path):
    """The comment job has a bare Python: the command imports the standard library only (-S: no
    site-packages, where rich, boto3 and the rest live)."""
    reports = large_reports()
    dirs = [write_parts(tmp_path / "reports", r) for r in reports]
    proc = cli(*dirs, module="scripts.commands.pr_comment", bare=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == render(reports)
    bad = cli("--limit", "0", *dirs, module="scripts.commands.pr_comment", bare=True)
    assert bad.returncode == 2 and len(bad.stderr.splitlines()) == 1 and "--limit" in bad.stderr


# --- the workflow's steps, run as the runner runs them -----------------------------------------------


def workflow_step(job: str, name: str) -> dict:
    steps = yaml.safe_load(WORKFLOW.read_text())["jobs"][job]["steps"]
    [step] = [s for s in steps if s.get("name") == name]
    assert "${{" not in step["run"], "expressions are passed through env, so the script runs as written"
    return step


def run_step(step: dict, tmp_path: Path, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    shell = yaml.safe_load(WORKFLOW.read_text())["defaults"]["run"]["shell"]
    script = tmp_path / "step.sh"
    script.write_text(step["run"])
    argv = [part.replace("{0}", str(script)) for part in shlex.split(shell)]
    full_env = {"PATH": f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}", "HOME": str(tmp_path), **env}
    return subprocess.run(argv, cwd=cwd, env=full_env, capture_output=True, text=True, timeout=120, check=False)


def stub(tmp_path: Path, name: str, body: str) -> None:
    path = tmp_path / "bin" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text("#!/bin/bash\n" + body)
    path.chmod(0o755)


SPLIT = "Split the report into its parts (checks, change list, plan text)"


@pytest.mark.parametrize("show_fails", [False, True])
def test_plan_job_splits_the_report_into_parts(tmp_path, show_fails):
    temp = tmp_path / "runner"
    for sub in ("report", "plan", "changeset"):
        (temp / sub).mkdir(parents=True)
    checks = checks_md("prod", 3)
    (temp / "report" / "prod.md").write_text(checks, encoding="utf-8")
    (temp / "changeset" / "prod.json").write_text(
        '[{"address": "aws_s3_bucket.b", "actions": ["delete", "create"], "digest": "x"}]'
    )
    plan = plan_txt("prod", 70_000)
    (tmp_path / "plan.txt").write_text(plan, encoding="utf-8")
    # terraform show, as the step calls it: the saved plan of this environment, to standard output.
    expected = f"-chdir=terraform show -no-color {temp}/plan/prod.tfplan"
    stub(
        tmp_path,
        "terraform",
        "exit 1\n" if show_fails else f'[ "$*" = "{expected}" ] || exit 9\ncat "{tmp_path}/plan.txt"\n',
    )
    env = {"RUNNER_TEMP": str(temp), "ENVIRONMENT": "prod", "PLANNED": "true"}
    proc = run_step(workflow_step("plan", SPLIT), tmp_path, env, tmp_path)
    assert proc.returncode == 0, proc.stderr
    parts = temp / "report" / "prod"
    assert sorted(p.name for p in parts.iterdir()) == ["changes.md", "checks.md", "plan.txt"]
    assert (parts / "checks.md").read_text(encoding="utf-8") == checks
    assert (parts / "changes.md").read_text() == "- `delete,create` aws_s3_bucket.b\n"
    shown = (parts / "plan.txt").read_text(encoding="utf-8")
    assert shown == ("(terraform show failed; the plan step's log has the plan)\n" if show_fails else plan)
    # The job summary: the checks and the change list, not the plan text.
    summary = tmp_path / "summary.md"
    proc = run_step(
        workflow_step("plan", "Job summary"), tmp_path, {**env, "GITHUB_STEP_SUMMARY": str(summary)}, tmp_path
    )
    assert proc.returncode == 0, proc.stderr
    assert (
        summary.read_text(encoding="utf-8") == checks + "\n### Changes in prod\n\n- `delete,create` aws_s3_bucket.b\n"
    )


def test_plan_job_without_a_plan_uploads_the_checks_alone(tmp_path):
    temp = tmp_path / "runner"
    (temp / "report").mkdir(parents=True)
    (temp / "report" / "dev.md").write_text("**dev: could not plan** (exit 2); the job log has the error.\n")
    env = {"RUNNER_TEMP": str(temp), "ENVIRONMENT": "dev", "PLANNED": ""}
    proc = run_step(workflow_step("plan", SPLIT), tmp_path, env, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert [p.name for p in (temp / "report" / "dev").iterdir()] == ["checks.md"]
    summary = tmp_path / "summary.md"
    proc = run_step(
        workflow_step("plan", "Job summary"), tmp_path, {**env, "GITHUB_STEP_SUMMARY": str(summary)}, tmp_path
    )
    assert proc.returncode == 0, proc.stderr
    assert summary.read_text() == "**dev: could not plan** (exit 2); the job log has the error.\n"


def comment_job(tmp_path: Path, reports: list[EnvironmentReport]) -> tuple[subprocess.CompletedProcess[str], Path]:
    """The comment job's last step, with `gh` recording what would be posted and `python` a bare one."""
    temp = tmp_path / "runner"
    for report in reports:
        write_parts(temp / "reports", report)
    posted = tmp_path / "posted.md"
    stub(
        tmp_path,
        "gh",
        # No comment yet (the listing finds none), so the step creates one: POST ... -F body=@FILE.
        f'case "$*" in\n  *--paginate*) exit 0 ;;\n'
        f'  *"--method POST"*) f="${{@: -1}}"; cp "${{f#body=@}}" "{posted}" ;;\n  *) exit 7 ;;\nesac\n',
    )
    stub(tmp_path, "python", f'exec "{sys.executable}" -S "$@"\n')
    env = {
        "RUNNER_TEMP": str(temp),
        "GH_TOKEN": "t",
        "GITHUB_REPOSITORY": "example-org/imgclass-platform",
        "PR_NUMBER": "7",
        "HEAD_SHA": "3f2a9c1deadbeef",
        "RUN_URL": RUN_URL,
        "PLAN_RESULT": "failure",
    }
    step = workflow_step("comment", "Create or update the single plan comment")
    return run_step(step, tmp_path, env, REPO_ROOT), posted


def test_comment_job_posts_the_rendered_body(tmp_path):
    reports = large_reports()
    proc, posted = comment_job(tmp_path, reports)
    assert proc.returncode == 0, proc.stderr
    assert posted.read_text(encoding="utf-8") == render(reports)


def test_comment_job_posts_no_partial_report_and_fails(tmp_path):
    reports = [EnvironmentReport("dev", checks_md("dev", 400)), EnvironmentReport("prod", checks_md("prod", 400))]
    proc, posted = comment_job(tmp_path, reports)
    assert proc.returncode == 2
    assert "error: the plan comment is " in proc.stderr
    body = posted.read_text(encoding="utf-8")
    assert body.startswith(f"{MARKER}\n## {TITLE}\n") and RUN_URL in body
    assert "No plan comment could be rendered" in body and "SEC_" not in body
