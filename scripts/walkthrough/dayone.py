"""Day one, literally: README's first-deploy steps, then the pipeline's own jobs, on the emulator.

- ``readme_steps``: README's block, step by step, in one shell per actor (the administrator runs the
  bootstrap steps; the plan role's keys run the rest, as README says read-only is enough), with
  ``$EDITOR`` and ``gh`` as the person and GitHub (``scripts.walkthrough.checkout``).
- ``pull_request``: ``pull-request.yml``'s plan job for one environment, as the plan role.
- ``merge``: ``deploy.yml``'s job for the environment, i.e. ``terraform-apply.yml``, as the apply role,
  comparing with the change set the pull request uploaded.
Every ``run:`` step executes as written; the steps only GitHub can run are replaced as
``PR_STAND_INS`` and ``DEPLOY_STAND_INS`` say, and a step missing from them fails the run.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scripts.errors import PlatformError
from scripts.terraform.toolchain import toolchain
from scripts.walkthrough.actions import Job, StepHandler, WorkflowError, load, render_map
from scripts.walkthrough.checkout import Checkout
from scripts.walkthrough.readme import Step, first_deploy_steps

GITHUB_REPOSITORY = "example-org/imgclass-platform"
# What a person's commands leave in their checkout and a job's fresh checkout does not have.
_UNTRACKED = shutil.ignore_patterns(
    ".terraform", "*.tfstate", "*.tfstate.*", "*.tfplan", "*.account.env", "bootstrap.tfvars", ".walkthrough", "build"
)
MARKER = "@@walkthrough-step "


class WalkthroughError(PlatformError):
    """A README step or a workflow step failed: the message names it."""


# Credentials are what a stand-in for configure-aws-credentials sets: a callable of the environment.
Credentials = Callable[[], dict[str, str]]


@dataclass
class DayOne:
    checkout: Checkout
    emulator_env: dict[str, str]  # endpoint, region: where "AWS" is
    edits: dict[str, dict[str, str]] = field(default_factory=dict)  # file name -> values the person sets
    artifacts: Path | None = None
    log: list[str] = field(default_factory=list)
    last_runner_temp: Path | None = None  # of the last pull-request job: its saved plan
    last_pull_request: Path | None = None  # and its checkout
    _jobs: int = 0

    def __post_init__(self) -> None:
        self.artifacts = self.artifacts or self.checkout.root / ".walkthrough" / "artifacts"
        self.artifacts.mkdir(parents=True, exist_ok=True)

    # --- environment of every process ------------------------------------------------------------
    def base_env(self, credentials: Mapping[str, str]) -> dict[str, str]:
        import json

        env = {k: v for k, v in toolchain().env().items() if not k.startswith(("TF_VAR_", "AWS_"))}
        env.update(self.emulator_env)
        env.update(credentials)
        env["PATH"] = self.checkout.path_env()
        env["EDITOR"] = str(self.checkout.bin / "editor")
        env["WALKTHROUGH_EDITS"] = json.dumps(self.edits)
        return env

    # --- README ----------------------------------------------------------------------------------
    def readme_steps(self, numbers: list[int], credentials: Mapping[str, str], env: str = "dev") -> None:
        """Run README's steps ``numbers`` (for ``env``) in one shell, as one person types them."""
        steps = {s.number: s for s in first_deploy_steps(self.checkout.root / "README.md")}
        chosen: list[Step] = [steps[n].for_environment(env) if env != "dev" else steps[n] for n in numbers]
        # Each step's marker carries bash's clock, so the log says how long every step took.
        script = "".join(f'echo "{MARKER}{s.number} ${{EPOCHREALTIME:-}}" >&2\n{s.script}\n' for s in chosen)
        proc = subprocess.run(
            ["bash", "--noprofile", "--norc", "-euo", "pipefail", "-c", script],
            cwd=self.checkout.root,
            env=self.base_env(credentials),
            capture_output=True,
            text=True,
            timeout=1800,
            check=False,
        )
        ended = time.time()
        # bash < 5 has no EPOCHREALTIME: then the steps are named without their durations.
        reached = re.findall(rf"{re.escape(MARKER)}(\d+) ?([0-9.]*)", proc.stderr)
        timed = [
            f"{n} {float(end) - float(start):.1f} s" if start and end else n
            for (n, start), (_, end) in zip(reached, [*reached[1:], ("", str(ended))], strict=True)
        ]
        summary = f"README steps {numbers} ({env}): exit {proc.returncode} ({', '.join(timed)})"
        self.log.append(summary)
        # The whole output and that line beside the jobs' logs (readme/<env>-steps-3-4-5.log), after a
        # failure too.
        out_dir = self.checkout.root.parent / "readme"
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / f"{env}-steps-{'-'.join(map(str, numbers))}.log").write_text(
            f"{proc.stdout}{proc.stderr}{summary}\n"
        )
        if proc.returncode != 0:
            step = steps[int(reached[-1][0])] if reached else chosen[0]
            tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-25:])
            raise WalkthroughError(f"README first deploy, step {step.number} ({step.title}) failed ({env}):\n{tail}")

    def account_values(self, env: str) -> dict[str, str]:
        """The per-account values README step 3 wrote into terraform/<env>.account.env (raw strings)."""
        values = {}
        for line in (self.checkout.root / "terraform" / f"{env}.account.env").read_text().splitlines():
            match = re.match(r"^([A-Z][A-Za-z0-9_]*)='(.*)'$", line.strip())
            if match:
                values[match.group(1)] = match.group(2)
        return values

    # --- pipeline ------------------------------------------------------------------------------------
    def _contexts(self, extra: Mapping[str, Any]) -> dict[str, Any]:
        variables = self.checkout.github_variables()
        return {
            "vars": dict(variables["repository"]),
            "github": {"repository": GITHUB_REPOSITORY, "run_id": "1", "token": "", "event": {}},
            "secrets": {},
            **extra,
        }

    def job_checkout(self, name: str) -> Path:
        """A fresh checkout for one job, as GitHub gives every job: the person's committed files
        (their edits to tracked files included), none of what their commands left behind."""
        self._jobs += 1
        dest = self.checkout.root.parent / "jobs" / f"{self._jobs:02d}-{name}"
        shutil.copytree(self.checkout.root, dest, symlinks=True, ignore=_UNTRACKED)
        return dest

    def pull_request(self, env: str, credentials: Credentials) -> dict[str, dict[str, str]]:
        """pull-request.yml's plan job for ``env``; its change set goes to the artifact store."""
        root = self.last_pull_request = self.job_checkout(f"plan-{env}")
        workflow = root / ".github" / "workflows" / "pull-request.yml"
        contexts = self._contexts({})
        matrix = _matrix_entry(workflow, "plan", {"environment": env}, contexts)
        job = self._job(root, workflow, "plan", {**contexts, "matrix": matrix}, PR_STAND_INS, credentials)
        try:
            outputs = job.run()
        finally:
            self._keep_log(root, job)
        self.last_runner_temp = job.runner_temp
        return outputs

    def merge(self, env: str, credentials: Credentials) -> Path:
        """deploy.yml's job for ``env`` (terraform-apply.yml with deploy.yml's inputs); returns its
        checkout, where Terraform is initialised with the environment's backend."""
        root = self.job_checkout(f"deploy-{env}")
        wf_dir = root / ".github" / "workflows"
        contexts = self._contexts({})
        deploy = load(wf_dir / "deploy.yml")["jobs"][env]
        inputs = render_map(deploy.get("with"), contexts)
        variables = {**contexts["vars"], **self.checkout.github_variables()["environments"].get(env, {})}
        job_contexts = {**contexts, "vars": variables, "inputs": inputs}
        job = self._job(root, wf_dir / "terraform-apply.yml", "apply", job_contexts, DEPLOY_STAND_INS, credentials)
        try:
            job.run()
        finally:
            self._keep_log(root, job)
        return root

    def _keep_log(self, root: Path, job: Job) -> None:
        """The job's step log, also beside its checkout (``jobs/NN-name.steps.log``), as GitHub keeps a
        job's log: what each step did and how long it took, after a failure too."""
        self.log += job.log
        (root.parent / f"{root.name}.steps.log").write_text("\n".join(job.log) + "\n")

    def _job(
        self,
        root: Path,
        workflow: Path,
        job_id: str,
        contexts: dict[str, Any],
        stand_ins: Mapping[str, Callable[[DayOne], StepHandler] | str],
        credentials: Credentials,
    ) -> Job:
        instead = {name: (s(self) if callable(s) else s) for name, s in stand_ins.items()}
        # Each step's output beside the job's checkout (jobs/NN-name.steps/), and RUNNER_TEMP there too,
        # not in the system's temporary directory: both go with the run's directory.
        return Job(
            workflow,
            job_id,
            root,
            contexts,
            self.base_env({}),
            instead,
            credentials,
            output_dir=root.parent / f"{root.name}.steps",
            temp_parent=root.parent,
        )


def _matrix_entry(workflow: Path, job_id: str, match: Mapping[str, str], contexts: Mapping[str, Any]) -> dict[str, str]:
    entries = load(workflow)["jobs"][job_id]["strategy"]["matrix"]["include"]
    for entry in entries:
        if all(entry.get(k) == v for k, v in match.items()):
            return render_map(entry, contexts)
    raise WorkflowError(f"{workflow.name} job {job_id} has no matrix entry {dict(match)}")


# --- stand-ins for what only GitHub runs -------------------------------------------------------------


def _assume(_day: DayOne) -> StepHandler:
    def handler(job: Job, _contexts: dict[str, Any], _env: dict[str, str]) -> None:
        job.base_env.update(job.credentials())

    return handler


def _upload_changeset(day: DayOne) -> StepHandler:
    def handler(_job: Job, contexts: dict[str, Any], env: dict[str, str]) -> None:
        src = Path(contexts["runner"]["temp"]) / "changeset" / f"{env['ENVIRONMENT']}.json"
        assert day.artifacts is not None
        shutil.copy2(src, day.artifacts / f"changeset-{env['ENVIRONMENT']}.json")

    return handler


def _fetch_changeset(day: DayOne) -> StepHandler:
    def handler(_job: Job, contexts: dict[str, Any], env: dict[str, str]) -> None:
        assert day.artifacts is not None
        src = day.artifacts / f"changeset-{env['ENVIRONMENT']}.json"
        if not src.exists():
            raise WalkthroughError(f"no pull request uploaded a change set for {env['ENVIRONMENT']}: nothing reviewed")
        dest = Path(contexts["runner"]["temp"]) / "reviewed"
        dest.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dest / src.name.removeprefix("changeset-"))

    return handler


_SETUP = {
    "Check out": "the walkthrough's checkout is the repository at this commit",
    "Set up Python": "the project's virtualenv (make tools) is linked into the checkout",
    "Set up Terraform": "terraform of the machine image, the version make tools checks",
}
PR_STAND_INS: dict[str, Callable[[DayOne], StepHandler] | str] = {
    **_SETUP,
    "Assume the read-only plan role": _assume,
    "Upload the reviewed change set (digests only, read by the deploy workflow)": _upload_changeset,
    "Upload the report for the pull-request comment": "the report is GitHub's pull-request comment",
}
DEPLOY_STAND_INS: dict[str, Callable[[DayOne], StepHandler] | str] = {
    **_SETUP,
    "Fetch the change set reviewed on the pull request": _fetch_changeset,
    "Assume the dev apply role": _assume,
    "Assume the prod apply role": _assume,
    # The emulator starts no containers, so ECS never reports a running task or a completed rollout;
    # the platform test reads the services' desired counts and task definitions back instead.
    "Wait for the ECS services and verify their deployments": "the emulator runs no containers",
}
