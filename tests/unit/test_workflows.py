"""The GitHub Actions workflows, parsed and held to the pipeline's security properties.

SHA-pinned actions with their version, minimal permissions per job, OIDC only where a role is
assumed, no static credentials, serialised applies, the protected prod environment, Terraform flags
that keep CI honest (-input=false, -lockfile=readonly, -lock-timeout, wrapper off), short-lived
artifacts, and the reviewed-change-set logic the deploy relies on (executed here on sample plans).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from scripts.tf import REPO_ROOT

WORKFLOW_DIR = REPO_ROOT / ".github" / "workflows"
WORKFLOWS = sorted(WORKFLOW_DIR.glob("*.yml"))
CONFIGURE_AWS = "aws-actions/configure-aws-credentials"
SHA_PIN = re.compile(r"^(?P<action>[\w.-]+/[\w./-]+)@(?P<sha>[0-9a-f]{40})$")
USES_LINE = re.compile(r"^\s*(?:-\s+)?uses:\s*(?P<ref>\S+)\s*(?:#\s*(?P<comment>.*))?$")
VERSION_COMMENT = re.compile(r"^v\d+\.\d+\.\d+\b")
# Scopes a job may write, and why: OIDC tokens, the one plan comment, the drift issue.
WRITABLE_SCOPES = {"id-token", "pull-requests", "issues"}


def load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text())
    # YAML 1.1 reads the bare key `on` as a boolean.
    if True in data:
        data["on"] = data.pop(True)
    return data


@pytest.fixture(scope="module")
def workflows() -> dict[str, dict[str, Any]]:
    assert WORKFLOWS, "no workflows in .github/workflows"
    return {p.name: load(p) for p in WORKFLOWS}


def jobs(workflows: dict[str, dict[str, Any]]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(name, job_id, job) for name, wf in workflows.items() for job_id, job in wf["jobs"].items()]


def steps_using(job: dict[str, Any], action: str) -> list[dict[str, Any]]:
    return [s for s in job.get("steps", []) if str(s.get("uses", "")).startswith(f"{action}@")]


def called_workflow(job: dict[str, Any]) -> dict[str, Any] | None:
    uses = job.get("uses")
    if isinstance(uses, str) and uses.startswith("./.github/workflows/"):
        return load(REPO_ROOT / uses.removeprefix("./"))
    return None


def assumes_role(job: dict[str, Any]) -> bool:
    """The job (or the reusable workflow it calls) runs configure-aws-credentials."""
    called = called_workflow(job)
    if called is not None:
        return any(assumes_role(j) for j in called["jobs"].values())
    return bool(steps_using(job, CONFIGURE_AWS))


def run_scripts(job: dict[str, Any]) -> list[str]:
    """Every `run:` of the job, with backslash-continued lines joined."""
    return [re.sub(r"\\\n\s*", " ", s["run"]) for s in job.get("steps", []) if "run" in s]


def terraform_commands(job: dict[str, Any], subcommand: str) -> list[str]:
    # A command starts a line or follows "(" / a space; "::error::terraform plan failed" is prose.
    pattern = re.compile(rf"(?:^|(?<=[\s(]))terraform(?: -chdir=\S+)? {subcommand}\b[^\n|;]*", re.MULTILINE)
    return [m.group(0) for script in run_scripts(job) for m in pattern.finditer(script)]


def test_every_action_is_pinned_to_a_full_commit_sha_with_its_version():
    pins: dict[str, set[str]] = {}
    for path in WORKFLOWS:
        for number, line in enumerate(path.read_text().splitlines(), 1):
            match = USES_LINE.match(line)
            if not match or match.group("ref").startswith("./"):
                continue
            where = f"{path.name}:{number}"
            pin = SHA_PIN.match(match.group("ref"))
            assert pin, f"{where}: {match.group('ref')} is not pinned to a 40-character commit SHA"
            comment = (match.group("comment") or "").strip()
            assert VERSION_COMMENT.match(comment), f"{where}: the pin needs its release as a comment (# vX.Y.Z)"
            pins.setdefault(pin.group("action"), set()).add(f"{pin.group('sha')} {comment.split()[0]}")
    assert pins, "no actions found"
    inconsistent = {action: shas for action, shas in pins.items() if len(shas) > 1}
    assert not inconsistent, f"one action, several pins: {inconsistent}"


def test_reusable_workflows_are_local(workflows):
    for name, job_id, job in jobs(workflows):
        if "uses" in job:
            assert job["uses"].startswith("./.github/workflows/"), f"{name}:{job_id} calls a remote workflow"


def test_no_dangerous_triggers(workflows):
    for name, wf in workflows.items():
        triggers = set(wf["on"]) if isinstance(wf["on"], dict) else {wf["on"]}
        assert not triggers & {"pull_request_target", "workflow_run"}, name


def test_workflows_grant_nothing_by_default(workflows):
    for name, wf in workflows.items():
        assert wf.get("permissions") == {}, f"{name}: set `permissions: {{}}` at the top and grant per job"


def test_every_job_declares_minimal_permissions(workflows):
    for name, job_id, job in jobs(workflows):
        where = f"{name}:{job_id}"
        permissions = job.get("permissions")
        assert isinstance(permissions, dict) and permissions, f"{where}: declare the job's permissions"
        assert set(permissions.values()) <= {"read", "write"}, where
        writes = {scope for scope, level in permissions.items() if level == "write"}
        assert writes <= WRITABLE_SCOPES, f"{where} writes {writes - WRITABLE_SCOPES}"
        assert len(writes) <= 1, f"{where}: one writable scope per job at most ({writes})"
        assert permissions.get("contents", "read") == "read", where


def test_id_token_only_where_a_role_is_assumed(workflows):
    assumed = []
    for name, job_id, job in jobs(workflows):
        has_token = job["permissions"].get("id-token") == "write"
        assert has_token == assumes_role(job), f"{name}:{job_id}: id-token: write iff an AWS role is assumed"
        if has_token:
            assumed.append(f"{name}:{job_id}")
            called = called_workflow(job)
            for inner in called["jobs"].values() if called else [job]:
                assert inner["permissions"].get("id-token") == "write"
    assert assumed, "no job assumes a role"


def test_roles_come_from_oidc_never_static_keys(workflows):
    for path in WORKFLOWS:
        text = path.read_text()
        for forbidden in ("aws-access-key-id", "aws-secret-access-key", "aws-session-token", "AWS_SECRET_ACCESS_KEY"):
            assert forbidden not in text, f"{path.name} mentions {forbidden}"
        assert "secrets." not in text, f"{path.name} reads a secret: the pipeline needs none"
    for name, job_id, job in jobs(workflows):
        for step in steps_using(job, CONFIGURE_AWS):
            inputs = step["with"]
            assert set(inputs) <= {
                "role-to-assume",
                "role-session-name",
                "aws-region",
                "role-duration-seconds",
                "mask-aws-account-id",
            }, f"{name}:{job_id}"
            assert inputs["role-to-assume"].startswith("${{ "), "role ARNs come from configuration variables"


def test_checkout_never_persists_credentials(workflows):
    checkouts = 0
    for name, job_id, job in jobs(workflows):
        for step in steps_using(job, "actions/checkout"):
            checkouts += 1
            assert step.get("with", {}).get("persist-credentials") is False, f"{name}:{job_id}"
    assert checkouts


def test_setup_terraform_pins_the_version_and_disables_the_wrapper(workflows):
    found = 0
    for name, job_id, job in jobs(workflows):
        for step in steps_using(job, "hashicorp/setup-terraform"):
            found += 1
            assert step["with"]["terraform_wrapper"] is False, f"{name}:{job_id}: the wrapper hides exit codes"
            assert step["with"]["terraform_version"] == "${{ env.TF_VERSION }}", f"{name}:{job_id}"
    assert found
    for name, wf in workflows.items():
        if "TF_VERSION" in wf.get("env", {}):
            assert re.fullmatch(r"\d+\.\d+\.\d+", wf["env"]["TF_VERSION"]), name


def test_terraform_never_prompts_and_uses_the_locked_providers(workflows):
    inits = plans = applies = 0
    for name, job_id, job in jobs(workflows):
        where = f"{name}:{job_id}"
        # The provider-range job resolves the range on purpose (no lock file, -upgrade).
        range_job = "AWS_CONSTRAINT" in " ".join(run_scripts(job))
        for command in terraform_commands(job, "init"):
            inits += 1
            assert "-input=false" in command, f"{where}: {command}"
            if not range_job:
                assert "-lockfile=readonly" in command, f"{where}: {command}"
        for command in terraform_commands(job, "plan"):
            plans += 1
            assert "-input=false" in command and "-lock-timeout=" in command, f"{where}: {command}"
        for command in terraform_commands(job, "apply"):
            applies += 1
            assert "-input=false" in command and "-lock-timeout=" in command, f"{where}: {command}"
            assert "-auto-approve" not in command, f"{where}: apply the saved plan, never a fresh one"
            assert re.search(r"\.tfplan\"?$", command.strip()), f"{where}: apply a saved plan file"
    assert inits and plans and applies


def _apply_jobs(workflows):
    for name, job_id, job in jobs(workflows):
        if terraform_commands(job, "apply"):
            yield name, job_id, job


def test_applies_are_serialised_per_environment(workflows):
    found = list(_apply_jobs(workflows))
    assert found
    for name, job_id, job in found:
        concurrency = job.get("concurrency")
        assert isinstance(concurrency, dict), f"{name}:{job_id}: an apply job needs a concurrency group"
        assert concurrency["cancel-in-progress"] is False, f"{name}:{job_id}: never cancel an apply"
        assert "inputs.environment" in concurrency["group"], f"{name}:{job_id}: one group per environment"


def test_jobs_holding_the_state_lock_are_never_cancelled(workflows):
    for name, job_id, job in jobs(workflows):
        if assumes_role(job) and "uses" not in job:
            concurrency = job.get("concurrency") or wf_concurrency(workflows[name])
            assert concurrency and concurrency["cancel-in-progress"] is False, f"{name}:{job_id}"


def wf_concurrency(wf: dict[str, Any]) -> dict[str, Any] | None:
    return wf.get("concurrency") if isinstance(wf.get("concurrency"), dict) else None


def test_prod_applies_in_its_protected_environment_after_dev(workflows):
    deploy = workflows["deploy.yml"]
    assert set(deploy["on"]) == {"push"} and deploy["on"]["push"]["branches"] == ["main"]
    dev, prod = deploy["jobs"]["dev"], deploy["jobs"]["prod"]
    assert dev["with"]["environment"] == "dev" and prod["with"]["environment"] == "prod"
    assert prod["needs"] == "dev", "prod deploys only after dev succeeded"
    called = called_workflow(prod)
    assert called is not None
    [apply] = called["jobs"].values()
    # The job runs inside the GitHub environment: its required reviewers gate prod, and only this job
    # gets the sub claim repo:<owner>/<repo>:environment:prod that the prod apply role trusts.
    assert apply["environment"] == "${{ inputs.environment }}"
    [credentials] = steps_using(apply, CONFIGURE_AWS)
    assert credentials["with"]["role-to-assume"] == "${{ vars.APPLY_ROLE_ARN }}"
    waits = [s for s in run_scripts(apply) if "aws ecs wait services-stable" in s]
    assert waits and "rolloutState" in waits[0] and 'exit "$failed"' in waits[0]


def test_pull_request_plans_use_the_plan_role_and_skip_forks(workflows):
    pr = workflows["pull-request.yml"]
    plan = pr["jobs"]["plan"]
    assert "head.repo.full_name == github.repository" in plan["if"]
    assert plan.get("environment") is None, "an environment would give the plan job the apply role's subject"
    assert {i["environment"] for i in plan["strategy"]["matrix"]["include"]} == {"dev", "prod"}
    scripts = " ".join(run_scripts(plan))
    assert "python -m scripts plan --env" in scripts and "--format markdown" in scripts
    assert "GITHUB_STEP_SUMMARY" in scripts
    writers = [job_id for _, job_id, job in jobs({"pr": pr}) if job["permissions"].get("pull-requests") == "write"]
    assert writers == ["comment"], "one job writes the single pull-request comment"
    comment = " ".join(run_scripts(pr["jobs"]["comment"]))
    assert "--method PATCH" in comment and "--method POST" in comment


def test_artifacts_are_short_lived(workflows):
    uploads = 0
    for name, job_id, job in jobs(workflows):
        for step in steps_using(job, "actions/upload-artifact"):
            uploads += 1
            days = step["with"]["retention-days"]
            limit = 7 if not step["with"]["name"].startswith("changeset-") else 30
            assert isinstance(days, int) and days <= limit, f"{name}:{job_id}: {step['with']['name']} keeps {days} days"
    assert uploads


def test_every_job_has_a_timeout(workflows):
    for name, job_id, job in jobs(workflows):
        if "uses" not in job:
            assert 0 < job.get("timeout-minutes", 0) <= 120, f"{name}:{job_id}"


def test_provider_matrix_covers_the_minimum_and_the_newest_major(workflows):
    include = workflows["pull-request.yml"]["jobs"]["providers"]["strategy"]["matrix"]["include"]
    assert {i["constraint"] for i in include} == {"= 5.100.0", "~> 6.0"}


def test_drift_detection_plans_with_detailed_exit_codes(workflows):
    drift = workflows["drift.yml"]
    assert "schedule" in drift["on"]
    [command] = terraform_commands(drift["jobs"]["detect"], "plan")
    assert "-detailed-exitcode" in command
    assert drift["jobs"]["report"]["permissions"] == {"issues": "write"}


# --- The reviewed change set: the snippets the workflows run, executed on sample plans ------------------


def _snippet(workflow: str, name: str) -> str:
    return load(WORKFLOW_DIR / workflow)["env"][name]


def _plan(*changes: tuple[str, list[str], dict[str, Any]]) -> dict[str, Any]:
    return {
        "format_version": "1.2",
        "resource_changes": [
            {"address": a, "change": {"actions": act, "after": after, "after_unknown": {}}} for a, act, after in changes
        ],
    }


def _changeset(tmp_path: Path, name: str, plan: dict[str, Any]) -> Path:
    plan_file = tmp_path / f"{name}.plan.json"
    plan_file.write_text(json.dumps(plan))
    out = subprocess.run(
        [sys.executable, "-c", _snippet("pull-request.yml", "CHANGESET_PY"), str(plan_file)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    path = tmp_path / f"{name}.changeset.json"
    path.write_text(out)
    return path


def _compare(reviewed: Path, current: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _snippet("terraform-apply.yml", "COMPARE_PY"), str(reviewed), str(current)],
        capture_output=True,
        text=True,
        check=False,
    )


def test_both_workflows_compute_the_change_set_identically():
    assert _snippet("pull-request.yml", "CHANGESET_PY") == _snippet("terraform-apply.yml", "CHANGESET_PY")


def test_change_set_holds_digests_not_values(tmp_path):
    plan = _plan(
        ("aws_sqs_queue.jobs", ["create"], {"name": "imgclass-dev-jobs"}),
        ("aws_ssm_parameter.model", ["update"], {"value": "s3cr3t-value"}),
        ("data.aws_caller_identity.current", ["read"], {}),
        ("aws_s3_bucket.uploads", ["no-op"], {}),
    )
    text = _changeset(tmp_path, "sample", plan).read_text()
    changes = json.loads(text)
    assert [c["address"] for c in changes] == ["aws_sqs_queue.jobs", "aws_ssm_parameter.model"]
    assert all(re.fullmatch(r"[0-9a-f]{64}", c["digest"]) for c in changes)
    assert "s3cr3t" not in text


def test_deploy_applies_only_reviewed_changes(tmp_path):
    queue = ("aws_sqs_queue.jobs", ["create"], {"name": "imgclass-dev-jobs"})
    alarm = ("aws_cloudwatch_metric_alarm.db", ["update"], {"threshold": 80})
    reviewed = _changeset(tmp_path, "reviewed", _plan(queue, alarm))

    same = _compare(reviewed, _changeset(tmp_path, "same", _plan(queue, alarm)))
    assert same.returncode == 0, same.stdout
    # A change the review had is already applied (an earlier deploy): what remains is still reviewed.
    subset = _compare(reviewed, _changeset(tmp_path, "subset", _plan(alarm)))
    assert subset.returncode == 0, subset.stdout

    drifted = _compare(
        reviewed,
        _changeset(
            tmp_path, "drifted", _plan(queue, ("aws_cloudwatch_metric_alarm.db", ["update"], {"threshold": 95}))
        ),
    )
    assert drifted.returncode == 1
    assert "NOT REVIEWED update aws_cloudwatch_metric_alarm.db" in drifted.stdout
    assert "refusing to apply" in drifted.stdout

    extra = _compare(
        reviewed, _changeset(tmp_path, "extra", _plan(queue, alarm, ("aws_db_instance.main", ["delete"], {})))
    )
    assert extra.returncode == 1
    assert "NOT REVIEWED delete aws_db_instance.main" in extra.stdout
