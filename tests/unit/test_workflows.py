"""The GitHub Actions workflows, parsed and held to the pipeline's security properties.

SHA-pinned actions on current (Node 24) majors with their version, minimal permissions per job, OIDC
only where a role is assumed, no static credentials, serialised applies, the protected prod
environment, Terraform flags that keep CI honest (-input=false, -lockfile=readonly, -lock-timeout,
wrapper off, no lock for read-only plans), bash with pipefail in every step, job timeouts inside the
role session, re-runnable short-lived artifacts, the per-account variables every planning job
passes, and the snippets the deploy relies on (change set, image gate), executed here.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from scripts.terraform.tf import REPO_ROOT
from tests.support.workflow_snippets import changeset, run_snippet, snippet

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


# Left to tests/unit/test_zizmor.py (its auditor persona): dangerous triggers (pull_request_target,
# workflow_run) and a checkout that persists its credentials (artipacked).


def test_reusable_workflows_are_local(workflows):
    for name, job_id, job in jobs(workflows):
        if "uses" in job:
            assert job["uses"].startswith("./.github/workflows/"), f"{name}:{job_id} calls a remote workflow"


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
            # Plans that may apply wait for the lock; read-only plans (drift) take none at all.
            assert "-input=false" in command, f"{where}: {command}"
            assert "-lock-timeout=" in command or "-lock=false" in command, f"{where}: {command}"
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


def _plan(*changes: tuple[str, list[str], dict[str, Any]], before: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "format_version": "1.2",
        "resource_changes": [
            {"address": a, "change": {"actions": act, "before": before, "after": after, "after_unknown": {}}}
            for a, act, after in changes
        ],
    }


def _changeset(tmp_path: Path, name: str, plan: dict[str, Any]) -> Path:
    plan_file = tmp_path / f"{name}.plan.json"
    plan_file.write_text(json.dumps(plan))
    return changeset(plan_file, tmp_path / f"{name}.changeset.json")


def _compare(reviewed: Path, current: Path) -> subprocess.CompletedProcess[str]:
    return run_snippet("terraform-apply.yml", "COMPARE_PY", reviewed, current)


def test_both_workflows_compute_the_change_set_identically():
    assert snippet("pull-request.yml", "CHANGESET_PY") == snippet("terraform-apply.yml", "CHANGESET_PY")


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


def test_an_attribute_the_change_leaves_alone_may_move_between_review_and_deploy(tmp_path):
    """Found by the day-one walkthrough: an RDS instance's latest_restorable_time advances every few
    minutes, so a digest of all planned values refused every reviewed update of the instance."""
    db = "aws_db_instance.this"
    reviewed = _changeset(
        tmp_path,
        "reviewed",
        _plan(
            (db, ["update"], {"tags": {"Team": "a"}, "latest_restorable_time": "T1"}),
            before={"tags": {}, "latest_restorable_time": "T1"},
        ),
    )
    later = _plan(
        (db, ["update"], {"tags": {"Team": "a"}, "latest_restorable_time": "T2"}),
        before={"tags": {}, "latest_restorable_time": "T2"},
    )
    assert _compare(reviewed, _changeset(tmp_path, "later", later)).returncode == 0
    # The changed attribute itself drifted since the review (tags now come from elsewhere): refused.
    drifted = _plan(
        (db, ["update"], {"tags": {"Team": "a"}, "latest_restorable_time": "T2"}),
        before={"tags": {"Team": "b"}, "latest_restorable_time": "T2"},
    )
    result = _compare(reviewed, _changeset(tmp_path, "drifted-tags", drifted))
    assert result.returncode == 1
    assert f"NOT REVIEWED update {db}" in result.stdout


# --- Shell, re-runs, sessions, runtimes ------------------------------------------------------------

# GitHub runs `shell: bash` as `bash --noprofile --norc -eo pipefail {0}` but a step without a shell
# as `bash -e {0}` (no pipefail). The workflows name the full command to add -u as well.
# https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax#jobsjob_idstepsshell
STRICT_BASH = "bash --noprofile --norc -euo pipefail {0}"


def test_every_run_step_uses_bash_with_pipefail(workflows):
    with_steps = [name for name, _, job in jobs(workflows) if run_scripts(job)]
    assert with_steps
    for name, wf in workflows.items():
        if name in with_steps:
            assert wf.get("defaults", {}).get("run", {}).get("shell") == STRICT_BASH, f"{name}: set defaults.run.shell"
        for _, job_id, job in jobs({name: wf}):
            assert "shell" not in job.get("defaults", {}).get("run", {}), f"{name}:{job_id} overrides the shell"
            for step in job.get("steps", []):
                assert "shell" not in step, f"{name}:{job_id}: {step.get('name')} overrides the shell"


def test_pipefail_catches_a_failure_inside_a_pipeline(tmp_path):
    """The property the verification step relies on: `terraform show -json | jq` fails the step."""
    script = tmp_path / "step.sh"
    script.write_text("false | cat\necho reached\n")
    argv = STRICT_BASH.replace("{0}", str(script)).split()
    strict = subprocess.run(argv, capture_output=True, text=True, check=False)
    assert strict.returncode != 0 and "reached" not in strict.stdout
    lax = subprocess.run(["bash", "-e", str(script)], capture_output=True, text=True, check=False)
    assert lax.returncode == 0 and "reached" in lax.stdout, "bash -e alone lets the pipeline failure pass"


def test_uploads_can_be_rerun(workflows):
    """A re-run of a failed job uploads the same artifact name again (docs/cicd.md tells people to re-run)."""
    uploads = 0
    for name, job_id, job in jobs(workflows):
        for step in steps_using(job, "actions/upload-artifact"):
            uploads += 1
            assert step["with"].get("overwrite") is True, (
                f"{name}:{job_id}: {step['with']['name']} needs overwrite: true"
            )
    assert uploads


def test_no_saved_plan_leaves_the_runner(workflows):
    """A saved plan holds prior state and planned values unredacted; the deploy re-plans instead."""
    for name, job_id, job in jobs(workflows):
        for step in steps_using(job, "actions/upload-artifact"):
            assert not str(step["with"]["path"]).endswith((".tfplan", ".tfplan.json")), f"{name}:{job_id}"


# STS refuses a DurationSeconds above the role's maximum session duration and defaults to 3600 s
# (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html); the
# deploy roles are created with 3600 s (terraform/bootstrap, max_session_duration).
DEFAULT_SESSION_SECONDS = 3600


def test_jobs_end_before_their_role_session(workflows):
    checked = 0
    for name, job_id, job in jobs(workflows):
        for step in steps_using(job, CONFIGURE_AWS):
            checked += 1
            session = int(step["with"].get("role-duration-seconds", DEFAULT_SESSION_SECONDS))
            assert session <= DEFAULT_SESSION_SECONDS, f"{name}:{job_id}: more than the roles' maximum session"
            assert job["timeout-minutes"] * 60 <= session, (
                f"{name}:{job_id}: {job['timeout-minutes']} min job on a {session} s session; "
                "credentials that expire mid-apply leave the state unwritten"
            )
    assert checked


# runs.using of each pinned release, read from its action.yml at the tag (GitHub retires Node 20).
RUNTIMES = {
    "actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1": "node24",  # v7.0.1
    "actions/setup-python@5fda3b95a4ea91299a34e894583c3862153e4b97": "node24",  # v7.0.0
    "hashicorp/setup-terraform@dfe3c3f87815947d99a8997f908cb6525fc44e9e": "node24",  # v4.0.1
    "terraform-linters/setup-tflint@6e1e0642c0289bd619021bf6b34e3c08ed1e005a": "node24",  # v6.3.0
    "aws-actions/configure-aws-credentials@e6de054238d6b7531b4efff3b6587d9aade6a06c": "node24",  # v6.2.3
    "actions/upload-artifact@bbbca2ddaa5d8feaa63e36b76fdaad77386f024f": "node24",  # v7.0.0
    "actions/download-artifact@3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c": "node24",  # v8.0.1
}


def test_actions_run_on_a_current_node_runtime():
    used = set()
    for path in WORKFLOWS:
        for line in path.read_text().splitlines():
            match = USES_LINE.match(line)
            if match and not match.group("ref").startswith("./"):
                used.add(match.group("ref"))
    unknown = used - set(RUNTIMES)
    assert not unknown, f"record the runtime of {unknown} (runs.using in its action.yml at that commit)"
    assert {ref: RUNTIMES[ref] for ref in used if RUNTIMES[ref] != "node24"} == {}


def test_tflint_plugins_are_installed_with_a_token_before_make_check(workflows):
    steps = workflows["pull-request.yml"]["jobs"]["checks"]["steps"]
    runs = [str(s.get("run", "")) for s in steps]
    init = next(i for i, r in enumerate(runs) if "tflint --init" in r)
    check = next(i for i, r in enumerate(runs) if r.strip() == "make check")
    assert init < check, "make check lints with tflint, whose plugins need the token"
    assert steps[init]["env"]["GITHUB_TOKEN"] == "${{ github.token }}"
    assert steps[check]["env"]["GITHUB_TOKEN"] == "${{ github.token }}"


def test_scratch_copies_share_the_plugin_cache(workflows):
    pr = workflows["pull-request.yml"]["jobs"]
    for job_id in ("checks", "emulator-tests"):
        assert pr[job_id]["env"]["TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE"] == "true", job_id


# --- State lock, drift ------------------------------------------------------------------------------


def test_read_only_plans_take_no_state_lock(workflows):
    """Pull-request and drift plans only read state: no lock, so the plan role needs no write access
    to the state bucket, and a plan never waits for (or blocks) an apply."""
    plan = workflows["pull-request.yml"]["jobs"]["plan"]
    # The pull-request job plans through python -m scripts plan, which never takes the lock (locally
    # too: README's first deploy plans with the read-only plan role's keys).
    # (tests/unit/test_cli_plan.py holds the command to -lock=false).
    assert any("python -m scripts plan" in str(s.get("run", "")) for s in plan["steps"])
    assert "TF_CLI_ARGS_plan" not in plan["env"], "one place says how a review plan locks: scripts plan"
    drift = workflows["drift.yml"]["jobs"]["detect"]
    assert drift["env"]["TF_CLI_ARGS_plan"] == "-lock=false"
    [command] = terraform_commands(drift, "plan")
    assert "-lock=false" in command
    [apply] = workflows["terraform-apply.yml"]["jobs"].values()
    assert "TF_CLI_ARGS_plan" not in apply["env"], "the apply's re-plan takes the lock it applies under"
    assert all("-lock-timeout=" in c for c in terraform_commands(apply, "plan") + terraform_commands(apply, "apply"))


def test_drift_compares_with_the_deployed_commit_not_main(workflows):
    detect = workflows["drift.yml"]["jobs"]["detect"]
    assert detect["permissions"].get("deployments") == "read"
    find, checkout = detect["steps"][0], detect["steps"][1]
    assert "deployments?environment=$ENVIRONMENT" in find["run"] and '"success"' in find["run"]
    assert checkout["uses"].startswith("actions/checkout@")
    assert checkout["with"]["ref"] == "${{ steps.deployed.outputs.sha }}"
    assert not steps_using({"steps": detect["steps"][:1]}, "actions/checkout"), "check out only the deployed commit"


# --- Per-account values ----------------------------------------------------------------------------


def _first(value: Any) -> str:
    # python-hcl2 returns each attribute value wrapped in a one-element list.
    return str(value[0] if isinstance(value, list) and value else value)


def per_account_variables() -> list[str]:
    """The root's per-account inputs: variables whose description starts with "Per account"."""
    import hcl2

    parsed = hcl2.loads((REPO_ROOT / "terraform" / "variables.tf").read_text())
    names = [
        name
        for block in parsed["variable"]
        for name, body in block.items()
        if _first(body.get("description", "")).startswith("Per account")
    ]
    assert {"account_id", "certificate_arn", "image_tag", "allowed_origins", "network"} <= set(names), names
    return sorted(names)


def planning_jobs(workflows) -> list[tuple[str, dict[str, Any], str]]:
    pr = workflows["pull-request.yml"]["jobs"]["plan"]
    [apply] = workflows["terraform-apply.yml"]["jobs"].values()
    drift = workflows["drift.yml"]["jobs"]["detect"]
    return [("pull-request plan", pr, "matrix"), ("terraform-apply", apply, "inputs"), ("drift", drift, "matrix")]


def test_every_planning_job_passes_every_per_account_variable(workflows):
    """Each planning job sets TF_VAR_<name> for every per-account variable, from the repository
    variable <ENV>_<NAME> of its environment, spelled out (a computed vars[...] index hides which
    variable is read: zizmor's obfuscation audit)."""
    names = per_account_variables()
    for where, job, source in planning_jobs(workflows):
        env = job["env"]
        for name in names:
            value = env.get(f"TF_VAR_{name}", "")
            assert value.startswith(f"${{{{ {source}.{name}"), f"{where}: TF_VAR_{name} = {value!r}"
        extra = {k for k in env if k.startswith("TF_VAR_")} - {f"TF_VAR_{n}" for n in names}
        assert not extra, f"{where}: {extra} are not per-account variables of terraform/"
    sources = {
        "pull-request plan": workflows["pull-request.yml"]["jobs"]["plan"]["strategy"]["matrix"]["include"],
        "drift": workflows["drift.yml"]["jobs"]["detect"]["strategy"]["matrix"]["include"],
        "deploy": [
            {"environment": j["with"]["environment"], **j["with"]} for j in workflows["deploy.yml"]["jobs"].values()
        ],
    }
    for where, entries in sources.items():
        assert {e["environment"]: e["vars_prefix"] for e in entries} == {"dev": "DEV", "prod": "PROD"}, where
        for entry in entries:
            for name in names:
                expected = f"${{{{ vars.{entry['vars_prefix']}_{name.upper()} }}}}"
                assert entry.get(name) == expected, f"{where} ({entry['environment']}): {name} must be {expected}"
    inputs = workflows["terraform-apply.yml"]["on"]["workflow_call"]["inputs"]
    assert set(names) <= set(inputs)


# The state backend's per-account settings: environment variable -> matrix entry / deploy input.
STATE_VARIABLES = {"STATE_BUCKET": "state_bucket", "STATE_KMS_KEY_ARN": "state_kms_key_arn"}
BACKEND_CLI = re.compile(r'\.venv/bin/python -m scripts (?P<command>init|plan) --env "\$ENVIRONMENT"')


def _step_index(job: dict[str, Any], predicate: Any) -> int | None:
    return next((i for i, step in enumerate(job.get("steps", [])) if predicate(step)), None)


def test_every_backend_init_goes_through_python_m_scripts_init(workflows):
    """No workflow initialises a backend with a raw `terraform init`: the planning jobs init through
    `python -m scripts init` (or `plan`, which calls the same scripts/terraform/backend.py) after `make tools`, with
    STATE_BUCKET and STATE_KMS_KEY_ARN from the repository variables <ENV>_STATE_* (matrix entries, or
    the inputs deploy.yml passes), before any raw terraform command that needs the backend."""
    for name, job_id, job in jobs(workflows):
        for command in terraform_commands(job, "init"):
            assert "-backend=false" in command, f"{name}:{job_id}: `{command}` must be python -m scripts init"
    for where, job, source in planning_jobs(workflows):
        env = job["env"]
        for var, key in STATE_VARIABLES.items():
            assert env.get(var) == f"${{{{ {source}.{key} }}}}", f"{where}: {var} = {env.get(var)!r}"
        cli = _step_index(job, lambda step: bool(BACKEND_CLI.search(str(step.get("run", "")))))
        tools = _step_index(job, lambda step: str(step.get("run", "")).strip() == "make tools")
        assert cli is not None, f'{where}: no step runs python -m scripts init/plan --env "$ENVIRONMENT"'
        assert tools is not None and tools < cli, f"{where}: `make tools` must come before the .venv is used"
        needs_backend = _step_index(
            job, lambda step: re.search(r"terraform -chdir=terraform (plan|state|apply)\b", str(step.get("run", "")))
        )
        if needs_backend is not None:
            assert cli < needs_backend, f"{where}: the backend is initialised after a command that needs it"
    sources = {
        "pull-request plan": workflows["pull-request.yml"]["jobs"]["plan"]["strategy"]["matrix"]["include"],
        "drift": workflows["drift.yml"]["jobs"]["detect"]["strategy"]["matrix"]["include"],
        "deploy": [j["with"] for j in workflows["deploy.yml"]["jobs"].values()],
    }
    for where, entries in sources.items():
        for entry in entries:
            for var, key in STATE_VARIABLES.items():
                expected = f"${{{{ vars.{entry['vars_prefix']}_{var} }}}}"
                assert entry.get(key) == expected, f"{where} ({entry['environment']}): {key} must be {expected}"
    inputs = workflows["terraform-apply.yml"]["on"]["workflow_call"]["inputs"]
    assert set(STATE_VARIABLES.values()) <= set(inputs)


def test_committed_environment_files_hold_no_per_account_value():
    import hcl2

    for path in sorted((REPO_ROOT / "terraform" / "environments").glob("*.tfvars")):
        keys = set(hcl2.loads(path.read_text()))
        assert not keys & set(per_account_variables()), f"{path.name} sets {keys & set(per_account_variables())}"
    root = REPO_ROOT / "terraform"
    assert not list(root.glob("terraform.tfvars*")) and not list(root.glob("*.auto.tfvars*"))


def test_every_document_names_every_per_account_variable():
    """terraform.tfvars.example, README and docs/cicd.md name the same per-account variables, and the
    state backend's STATE_BUCKET / STATE_KMS_KEY_ARN with their repository variables."""
    docs = {
        "terraform.tfvars.example": (REPO_ROOT / "terraform.tfvars.example").read_text(),
        "docs/cicd.md": (REPO_ROOT / "docs" / "cicd.md").read_text(),
        "README.md": (REPO_ROOT / "README.md").read_text(),
    }
    for name in per_account_variables():
        for doc, text in docs.items():
            assert f"TF_VAR_{name}" in text, f"{doc} does not name TF_VAR_{name}"
        for prefix in ("DEV", "PROD"):
            assert f"{prefix}_{name.upper()}" in docs["docs/cicd.md"], f"docs/cicd.md lacks {prefix}_{name.upper()}"
    for doc, text in docs.items():
        assert ".account.env" in text, f"{doc} does not name the local file terraform/<env>.account.env"
    # The state backend's per-account settings (scripts/terraform/backend.py), the same way.
    for var in STATE_VARIABLES:
        for doc, text in docs.items():
            assert re.search(rf"(?<![A-Z_]){var}\b", text), f"{doc} does not name {var}"
        for prefix in ("DEV", "PROD"):
            assert f"{prefix}_{var}" in docs["docs/cicd.md"], f"docs/cicd.md lacks {prefix}_{var}"
        # The first deploy sets the repository variables it needs (README's loop of `gh variable set`).
        assert f"DEV_{var}" in docs["README.md"], f"README.md does not set DEV_{var}"
    for doc, text in docs.items():
        assert "python -m scripts init" in text, f"{doc} does not say how the backend is initialised"


def test_the_local_per_account_file_is_git_ignored():
    for env in ("dev", "prod"):
        proc = subprocess.run(["git", "check-ignore", "-q", f"terraform/{env}.account.env"], cwd=REPO_ROOT, check=False)
        assert proc.returncode == 0, f"terraform/{env}.account.env would be committed: add it to .gitignore"


# --- The image gate: the snippet both workflows run before planning, against moto -------------------------


def test_both_workflows_gate_on_the_samesnippet():
    assert snippet("pull-request.yml", "IMAGE_GATE_PY") == snippet("terraform-apply.yml", "IMAGE_GATE_PY")
    pr = load(WORKFLOW_DIR / "pull-request.yml")["jobs"]["plan"]["steps"]
    [apply] = load(WORKFLOW_DIR / "terraform-apply.yml")["jobs"].values()
    for steps in (pr, apply["steps"]):
        runs = [str(s.get("run", "")) for s in steps]
        gate = next(i for i, r in enumerate(runs) if "$IMAGE_GATE_PY" in r)
        plan = next(i for i, r in enumerate(runs) if "scripts plan" in r or "terraform -chdir=terraform plan" in r)
        assert gate < plan, "the image is checked before anything is planned"


def _gate(monkeypatch, capsys, tag: str) -> tuple[int, str]:
    monkeypatch.setenv("ENVIRONMENT", "dev")
    monkeypatch.setenv("VARS_PREFIX", "DEV")
    monkeypatch.setenv("TF_VAR_image_tag", tag)
    monkeypatch.delenv("TF_VAR_service_name", raising=False)
    try:
        # The workflow runs this very text with `python -c`; here it runs in-process under moto.
        exec(compile(snippet("pull-request.yml", "IMAGE_GATE_PY"), "IMAGE_GATE_PY", "exec"), {})  # noqa: S102
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, capsys.readouterr().out


def test_image_gate(monkeypatch, capsys):
    import boto3
    from moto import mock_aws

    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        code, out = _gate(monkeypatch, capsys, "")
        assert code == 0 and "DEV_IMAGE_TAG is empty: the dev services are created without tasks" in out

        code, out = _gate(monkeypatch, capsys, "3f2a9c1")
        assert code == 1
        assert "DEV_IMAGE_TAG is 3f2a9c1, but imgclass-dev/api and imgclass-dev/worker does not exist yet" in out
        assert "leave DEV_IMAGE_TAG empty for the first deploy" in out

        ecr = boto3.client("ecr")
        for repo in ("imgclass-dev/api", "imgclass-dev/worker"):
            ecr.create_repository(repositoryName=repo)
        manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json"})
        ecr.put_image(repositoryName="imgclass-dev/api", imageManifest=manifest, imageTag="3f2a9c1")
        code, out = _gate(monkeypatch, capsys, "3f2a9c1")
        assert code == 1 and "imgclass-dev/worker:3f2a9c1 is not in ECR" in out and "imgclass-dev/api:" not in out

        ecr.put_image(repositoryName="imgclass-dev/worker", imageManifest=manifest, imageTag="3f2a9c1")
        code, out = _gate(monkeypatch, capsys, "3f2a9c1")
        assert code == 0 and "are in ECR" in out


# --- terraform-docs: the CI hook and `make docs` must render the same tables ------------------------


def test_terraform_docs_escaping_matches_the_offline_renderer():
    """terraform-docs with escape: false escapes nothing but pipes in names and descriptions
    (template/sanitizer.go: SanitizeName and EscapeCharacters only act when escape is true)."""
    config = yaml.safe_load((REPO_ROOT / ".terraform-docs.yml").read_text())
    assert config["settings"]["escape"] is False
    import scripts.docs.readme_tables as docs

    assert docs._esc("bucket_name") == "bucket_name"
