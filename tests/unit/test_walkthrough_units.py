"""The day-one walkthrough's two readers: README's first-deploy steps and GitHub's expressions."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from scripts.terraform.tf import REPO_ROOT
from scripts.walkthrough.actions import Job, WorkflowError, evaluate, render
from scripts.walkthrough.readme import ReadmeError, first_deploy_steps

CONTEXTS = {
    "vars": {"DEV_NETWORK": '{vpc_tags={Network="a"}}', "EMPTY": ""},
    "matrix": {"environment": "dev", "network": ""},
    "steps": {"plan": {"outputs": {"exitcode": "2", "planned": "true"}}},
}


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("matrix.environment", "dev"),
        ("matrix.network || '{vpc_tags={}}'", "{vpc_tags={}}"),
        ("vars.DEV_NETWORK || '[]'", '{vpc_tags={Network="a"}}'),
        ("vars.MISSING", None),
        ("steps.plan.outputs.exitcode == '2'", True),
        ("steps.plan.outputs.planned != 'true'", False),
        ("always() && steps.plan.outputs.exitcode != ''", True),
        ("!(vars.EMPTY)", True),
        ("'it''s'", "it's"),
    ],
)
def test_expressions_evaluate_as_github_does(expr, expected):
    assert evaluate(expr, CONTEXTS) == expected


def test_render_replaces_every_expression_and_prints_null_empty():
    assert render("plan-${{ matrix.environment }}-${{ vars.MISSING }}!", CONTEXTS) == "plan-dev-!"


def test_a_closing_brace_pair_inside_a_literal_does_not_end_the_expression():
    assert render("${{ matrix.network || '{vpc_tags={}}' }}", CONTEXTS) == "{vpc_tags={}}"


def test_unsupported_function_is_refused_by_name():
    with pytest.raises(WorkflowError, match=r"function hashFiles\(\) is not supported"):
        evaluate("hashFiles()", CONTEXTS)


def test_readme_first_deploy_is_numbered_steps():
    steps = first_deploy_steps(REPO_ROOT / "README.md")
    assert [s.number for s in steps] == list(range(1, len(steps) + 1))
    assert len(steps) >= 5
    assert any("python -m scripts plan --env dev" in s.script for s in steps)
    prod = [s.for_environment("prod") for s in steps]
    assert all("--env dev" not in s.script and "DEV_" not in s.script for s in prod)


def test_readme_without_the_block_is_refused(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("# x\n\n## First deploy in an AWS account\n\nno block here\n\n## Next\n")
    with pytest.raises(ReadmeError, match="has no ```sh block"):
        first_deploy_steps(readme)


def _workflow(tmp_path: Path, steps: str) -> Path:
    path = tmp_path / "wf.yml"
    path.write_text(
        textwrap.dedent(
            """\
            name: t
            on: push
            defaults:
              run:
                shell: bash --noprofile --norc -euo pipefail {0}
            env:
              GREETING: hello
            jobs:
              j:
                runs-on: ubuntu-24.04
                env:
                  WHO: ${{ matrix.environment }}
                steps:
            """
        )
        + textwrap.indent(textwrap.dedent(steps), "      ")
    )
    return path


def test_job_runs_steps_with_outputs_conditions_and_the_workflow_shell(tmp_path):
    wf = _workflow(
        tmp_path,
        """\
        - name: Check out
          uses: actions/checkout@v4
        - name: first
          id: first
          run: echo "said=$GREETING $WHO" >> "$GITHUB_OUTPUT"
        - name: only when said
          if: steps.first.outputs.said == 'hello dev'
          run: echo "${{ steps.first.outputs.said }}" > out.txt
        - name: never
          if: steps.first.outputs.said == 'nope'
          run: exit 3
        """,
    )
    job = Job(wf, "j", tmp_path, {"matrix": {"environment": "dev"}}, {"PATH": "/usr/bin:/bin"}, {"Check out": "n/a"})
    outputs = job.run()
    assert outputs["first"] == {"said": "hello dev"}
    assert (tmp_path / "out.txt").read_text() == "hello dev\n"
    assert "skip (if: steps.first.outputs.said == 'nope'): never" in job.log
    # Every step that ran says how long it took.
    timed = [line for line in job.log if re.fullmatch(r"run: (first|only when said) \(exit 0, \d+\.\d s\)", line)]
    assert len(timed) == 2, job.log


def test_each_step_keeps_its_output_and_runner_temp_is_where_asked(tmp_path):
    """A slow apply is read from its own output (which resource it waits on), after a failure too."""
    wf = _workflow(
        tmp_path,
        """\
        - name: Say hello
          run: echo "hello $WHO"; echo "to stderr" >&2
        - name: Fail (loudly)
          run: echo "it broke"; exit 4
        """,
    )
    logs, temp = tmp_path / "job.steps", tmp_path / "temp"
    temp.mkdir()
    job = Job(
        wf,
        "j",
        tmp_path,
        {"matrix": {"environment": "dev"}},
        {"PATH": "/usr/bin:/bin"},
        output_dir=logs,
        temp_parent=temp,
    )
    with pytest.raises(WorkflowError, match=r"step 'Fail \(loudly\)' failed \(exit 4\)"):
        job.run()
    assert (logs / "01-say-hello.log").read_text() == "hello dev\nto stderr\n"
    assert (logs / "02-fail-loudly.log").read_text() == "it broke\n"
    assert job.runner_temp is not None and job.runner_temp.parent == temp


def test_failed_step_is_named_and_pipefail_applies(tmp_path):
    wf = _workflow(tmp_path, "- name: piped\n  run: false | cat\n")
    with pytest.raises(WorkflowError, match=r"step 'piped' failed \(exit 1\)"):
        Job(wf, "j", tmp_path, {}, {"PATH": "/usr/bin:/bin"}).run()


def test_action_step_without_a_stand_in_is_refused(tmp_path):
    wf = _workflow(tmp_path, "- name: Upload\n  uses: actions/upload-artifact@v4\n")
    with pytest.raises(WorkflowError, match=r"no local stand-in for steps \['Upload'\]"):
        Job(wf, "j", tmp_path, {}, {"PATH": "/usr/bin:/bin"}).run()


def _stub(tmp_path: Path, name: str, body: str) -> Path:
    (tmp_path / "bin").mkdir(exist_ok=True)
    path = tmp_path / "bin" / name
    path.write_text(body)
    path.chmod(0o755)
    return path


def test_gh_stand_in_keeps_repository_and_environment_variables_and_refuses_the_rest(tmp_path):
    import json
    import subprocess

    from scripts.walkthrough.checkout import _GH

    gh = _stub(tmp_path, "gh", _GH)
    subprocess.run([gh, "variable", "set", "DEV_IMAGE_TAG", "--body", "3f2a9c1"], check=True)
    subprocess.run([gh, "variable", "set", "APPLY_ROLE_ARN", "--env", "dev", "--body", "arn:r"], check=True)
    stored = json.loads((tmp_path / "github-variables.json").read_text())
    assert stored == {"repository": {"DEV_IMAGE_TAG": "3f2a9c1"}, "environments": {"dev": {"APPLY_ROLE_ARN": "arn:r"}}}
    refused = subprocess.run([gh, "pr", "create"], capture_output=True, text=True)
    assert refused.returncode == 1
    assert "only `gh variable set` is available here, not 'pr create'" in refused.stderr


def test_editor_stand_in_sets_only_the_given_values(tmp_path):
    import json
    import subprocess

    from scripts.walkthrough.checkout import _EDITOR

    editor = _stub(tmp_path, "editor", _EDITOR)
    env_file = tmp_path / "dev.account.env"
    env_file.write_text("TF_VAR_account_id='111122223333'\nTF_VAR_image_tag=''\n")
    tfvars = tmp_path / "bootstrap.tfvars"
    tfvars.write_text('github_owner = "example-org"\n# permissions_boundary_arn = "arn:x"\n')
    edits = {
        "dev.account.env": {"TF_VAR_account_id": "123456789012", "TF_VAR_permissions_boundary_arn": "arn:b"},
        "bootstrap.tfvars": {"permissions_boundary_arn": "arn:b"},
    }
    for path in (env_file, tfvars):
        subprocess.run(
            [editor, path], check=True, env={"WALKTHROUGH_EDITS": json.dumps(edits), "PATH": "/usr/bin:/bin"}
        )
    assert env_file.read_text() == (
        "TF_VAR_account_id='123456789012'\nTF_VAR_image_tag=''\nTF_VAR_permissions_boundary_arn='arn:b'\n"
    )
    assert tfvars.read_text() == 'github_owner = "example-org"\npermissions_boundary_arn = "arn:b"\n'


def test_a_copy_outside_a_git_checkout_is_one_readable_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """iam-check copies the repository with git ls-files; outside a checkout that is a PlatformError
    (exit 2, one line from the CLI), not a CalledProcessError traceback."""
    import scripts.walkthrough.checkout as checkout
    from scripts.errors import PlatformError

    outside = tmp_path / "not-a-checkout"
    outside.mkdir()
    monkeypatch.setattr(checkout, "REPO_ROOT", outside)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    with pytest.raises(PlatformError, match=r"^git ls-files failed in .*not-a-checkout .*not a git repository"):
        checkout.Checkout.create(tmp_path / "copy", "http://127.0.0.1:1", "eu-west-1")


def test_readme_steps_are_timed_logged_and_a_failure_names_its_step(tmp_path):
    """Each README step's duration is in the day's log and the whole output beside the jobs' logs; a
    failing step is named by its number and title."""
    from scripts.walkthrough.checkout import Checkout
    from scripts.walkthrough.dayone import DayOne, WalkthroughError

    root = tmp_path / "repo"
    (root / ".walkthrough" / "bin").mkdir(parents=True)
    block = "# 1. Say hello\necho hello\n# 2. Wait a little\nsleep 0.3\n# 3. Break\necho broken >&2\nexit 7\n"
    (root / "README.md").write_text(f"# x\n\n## First deploy in an AWS account\n\n```sh\n{block}```\n\n## Next\n")
    day = DayOne(Checkout(root), {"AWS_REGION": "eu-west-1"})
    day.readme_steps([1, 2], {})
    line = day.log[-1]
    match = re.fullmatch(r"README steps \[1, 2\] \(dev\): exit 0 \(1 (\d+\.\d) s, 2 (\d+\.\d) s\)", line)
    assert match, line
    assert float(match.group(2)) >= 0.3
    kept = (tmp_path / "readme" / "dev-steps-1-2.log").read_text()
    assert kept.startswith("hello\n") and kept.endswith(f"\n{line}\n")
    with pytest.raises(WalkthroughError, match=r"step 3 \(Break\) failed \(dev\):\n(.|\n)*broken"):
        day.readme_steps([1, 3], {})
    assert "broken" in (tmp_path / "readme" / "dev-steps-1-3.log").read_text()
