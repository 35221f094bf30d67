"""The IAM proof end to end on the emulator: day one as README and the pipeline run it.

1. An administrator runs README's first-deploy steps 1-2 (tools, bootstrap: state bucket, OIDC
   provider, deploy roles), editing bootstrap.tfvars where README says to.
2. Steps 3-5 per environment, with the plan role's keys (read-only is enough, README says): the
   per-account values into terraform/<env>.account.env, the plan, the GitHub variables.
3. The pipeline's own jobs (``scripts.walkthrough.dayone``): pull-request.yml's plan job as the plan
   role, then deploy.yml / terraform-apply.yml as the apply role assumed with the environment's
   token: the parked first deploy, the image deploy after ``gh variable set <ENV>_IMAGE_TAG``, and a
   pull request that changes dev.tfvars. The test or command then re-plans and destroys.
4. Every call of every role, recorded by the emulator, is judged against the roles' real policies.

``Proof`` is a context manager so that the platform tests can read the applied platform back with
boto3 between the apply and the destroy; ``python -m scripts iam-check`` runs the same steps.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scripts.emulator import Emulator
from scripts.emulator.network import create_certificate, create_network, delete_certificate, delete_network
from scripts.emulator.recorder import CallBus
from scripts.iam.pipeline import Session, assume
from scripts.iam.proof import CallLog, Verdict, judge
from scripts.terraform.backend import github_prefix
from scripts.terraform.tf import REPO_ROOT, TerraformError, Workspace, unique_name
from scripts.terraform.toolchain import toolchain
from scripts.walkthrough.checkout import Checkout
from scripts.walkthrough.dayone import DayOne

# The boundary docs/cicd.md recommends, as an example an organisation adapts (and the proof uses).
BOUNDARY_EXAMPLE = REPO_ROOT / "docs" / "examples" / "workload-permissions-boundary.json"
GITHUB = {"github_owner": "example-org", "github_repository": "imgclass-platform"}
REPO_SUB = "repo:example-org/imgclass-platform"
# What a pull request changes in place: a tag on everything and the log retention (dev.tfvars).
UPDATE = {"tags": {"Team": "imaging"}, "log_retention_days": 30}


def hcl_text(value: Any) -> str:
    """A value as a TF_VAR_ environment variable carries it: strings raw, the rest as HCL (JSON is HCL)."""
    return value if isinstance(value, str) else json.dumps(value)


def hcl_value(text: str) -> Any:
    return json.loads(text) if text.startswith(("[", "{")) and _is_json(text) else _hcl_parse(text)


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def _hcl_parse(text: str) -> Any:
    if not text.startswith(("[", "{")):
        return text
    import hcl2

    return hcl2.loads(f"v = {text}\n")["v"]


@dataclass
class Proof:
    emulator: Emulator
    bus: CallBus
    workdir: Path
    env: str = "dev"
    boundary_arn: str | None = None
    log: CallLog = field(default_factory=CallLog)
    checkout: Checkout | None = None
    day: DayOne | None = None
    bootstrap: Workspace | None = None
    bootstrap_out: dict[str, Any] = field(default_factory=dict)
    networks: dict[str, dict[str, Any]] = field(default_factory=dict)
    certificates: dict[str, str] = field(default_factory=dict)
    apply_session: Session | None = None
    platform: Workspace | None = None
    outputs: dict[str, Any] = field(default_factory=dict)
    plan_roles: set[str] = field(default_factory=set)
    image_tag: str = ""
    parked: dict[str, int] = field(default_factory=dict)  # desired counts after the first deploy
    _bucket_policy: str | None = None

    # --- README ------------------------------------------------------------------------------------
    def bootstrap_account(self, rebootstrap: dict[str, Any] | None = None) -> None:
        """README steps 1-2 as an administrator; ``rebootstrap`` edits bootstrap.tfvars (None removes
        a setting) and applies it again, as the administrator would."""
        if self.bootstrap is not None:
            self._edit_bootstrap_tfvars(rebootstrap or {})
            self.bootstrap.run("apply", "-input=false", "-auto-approve", "-var-file=bootstrap.tfvars")
            return
        toolchain()  # terraform first: it names what is missing, before anything is copied
        self.checkout = Checkout.create(self.workdir / "repo", self.emulator.endpoint_url or "", self.emulator.region)
        edits: dict[str, dict[str, str]] = {"bootstrap.tfvars": dict(GITHUB)}
        if self.boundary_arn:
            self._ensure_boundary_policy()
            edits["bootstrap.tfvars"]["permissions_boundary_arn"] = self.boundary_arn
        endpoint = {
            k: v for k, v in self.emulator.env().items() if not k.startswith("AWS_SECRET") and k != "AWS_ACCESS_KEY_ID"
        }
        self.day = DayOne(self.checkout, endpoint, edits)
        admin = self._admin()
        self.day.readme_steps([1, 2], admin)
        self.bootstrap = Workspace(
            self.checkout.root / "terraform" / "bootstrap",
            extra_env={**self.day.base_env(admin), "TF_CLI_ARGS_destroy": "-var-file=bootstrap.tfvars"},
        )
        self.bootstrap_out = self.bootstrap.output()
        # The state bucket only admits TLS; the emulator speaks plain HTTP. The policy is lifted in the
        # emulator for the run, and the recorder judges every call against it as AWS would.
        s3 = self.emulator.client("s3")
        bucket = self.bootstrap_out["state_bucket"]
        self._bucket_policy = s3.get_bucket_policy(Bucket=bucket)["Policy"]
        self.log.view.bucket_policies[bucket] = json.loads(self._bucket_policy)
        s3.delete_bucket_policy(Bucket=bucket)
        self.bus.subscribe(self.log)

    def _admin(self) -> dict[str, str]:
        env = self.emulator.env()
        return {"AWS_ACCESS_KEY_ID": env["AWS_ACCESS_KEY_ID"], "AWS_SECRET_ACCESS_KEY": env["AWS_SECRET_ACCESS_KEY"]}

    def _edit_bootstrap_tfvars(self, changes: dict[str, Any]) -> None:
        assert self.checkout is not None
        path = self.checkout.root / "terraform" / "bootstrap" / "bootstrap.tfvars"
        text = path.read_text()
        for name, value in changes.items():
            line = f"# {name} removed" if value is None else f"{name} = {json.dumps(value)}"
            text = re.sub(rf"^{re.escape(name)}\s*=.*$", line, text, flags=re.MULTILINE)
        path.write_text(text)

    def _ensure_boundary_policy(self) -> None:
        """The organisation's boundary exists before the bootstrap: the example one where it does not."""
        assert self.boundary_arn is not None
        iam = self.emulator.client("iam")
        try:
            iam.get_policy(PolicyArn=self.boundary_arn)
        except iam.exceptions.NoSuchEntityException:
            iam.create_policy(
                PolicyName=self.boundary_arn.rsplit("/", 1)[-1],
                PolicyDocument=BOUNDARY_EXAMPLE.read_text(),
                Description="Boundary of every role the platform creates (docs/cicd.md)",
            )

    def plan_session(self, env: str) -> Session:
        """The plan role of ``env``, assumed with a pull request's token."""
        session = assume(self.emulator, self.bootstrap_out["plan_role_arns"][env], f"{REPO_SUB}:pull_request")
        self.plan_roles.add(session.role_arn)
        return session

    def account_setup(self, env: str) -> None:
        """README steps 3-5 for ``env`` (once): the person replaces the example values with the
        account's (this emulated account's network, certificate, id) where README says to."""
        assert self.day is not None
        if env in self.networks:
            return
        self.networks[env] = create_network(
            self.emulator, self.emulator.region, {"Network": unique_name(f"proof-{env}")}
        )
        self.certificates[env] = create_certificate(
            self.emulator, self.emulator.region, f"api.{env}.imgclass.localhost"
        )
        from scripts.demo.steps import emulator_account_values

        values = emulator_account_values(env, self.emulator, self.networks[env])
        values["certificate_arn"] = self.certificates[env]
        values.pop("image_tag")  # empty until the image build has pushed (docs/adr/0015)
        if self.boundary_arn:
            values["permissions_boundary_arn"] = self.boundary_arn
        self.day.edits[f"{env}.account.env"] = {f"TF_VAR_{k}": hcl_text(v) for k, v in values.items()}
        self.log.phase = f"readme {env}"
        self.day.readme_steps([3, 4, 5], self.plan_session(env).env(self.emulator), env)

    def environment_inputs(self, env: str) -> dict[str, Any]:
        """The per-account inputs of ``env`` as the pipeline passes them (GitHub variables <ENV>_<NAME>)."""
        assert self.checkout is not None and self.day is not None
        self.account_setup(env)
        variables = self.checkout.github_variables()["repository"]
        prefix = github_prefix(env)
        names = [k.removeprefix("TF_VAR_") for k in self.day.account_values(env) if k.startswith("TF_VAR_")]
        return {n: hcl_value(variables.get(f"{prefix}_{n.upper()}", "")) for n in names}

    # --- the pipeline --------------------------------------------------------------------------------
    def _pull_request(self, env: str) -> None:
        assert self.day is not None
        session = self.plan_session(env)
        self.day.pull_request(env, lambda: session.env(self.emulator))

    def _merge(self) -> None:
        assert self.day is not None and self.checkout is not None
        self.apply_session = self.apply_session or assume(
            self.emulator, self.bootstrap_out["apply_role_arns"][self.env], f"{REPO_SUB}:environment:{self.env}"
        )
        session = self.apply_session
        deployed = self.day.merge(self.env, lambda: session.env(self.emulator))
        # The deploy's checkout, as an engineer with the apply role would re-plan or destroy it.
        tf_vars = {f"TF_VAR_{k}": hcl_text(v) for k, v in self.environment_inputs(self.env).items()}
        var_file = f"-var-file=environments/{self.env}.tfvars"
        self.platform = Workspace(
            deployed / "terraform",
            extra_env={
                **self.day.base_env(session.env(self.emulator)),
                **tf_vars,
                "TF_CLI_ARGS_plan": var_file,
                "TF_CLI_ARGS_destroy": var_file,
            },
        )
        self.outputs = self.platform.output()

    def apply_platform(self) -> dict[str, Any]:
        """The first pull request and its merge: the platform with its services parked."""
        self.account_setup(self.env)
        self.log.phase = "pull request"
        self._pull_request(self.env)
        self.log.phase = "apply"
        self._merge()
        return self.outputs

    def push_images(self, tag: str) -> None:
        """What the image build does between the first and the second deploy: push api and worker."""
        ecr = self.emulator.client("ecr")
        manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json"})
        for url in self.outputs["repository_urls"].values():
            ecr.put_image(repositoryName=url.split("/", 1)[1], imageManifest=manifest, imageTag=tag)

    def deploy_image(self, tag: str) -> dict[str, Any]:
        """README: `gh variable set DEV_IMAGE_TAG --body <tag>`, the next pull request, its merge."""
        assert self.checkout is not None
        self.image_tag = tag
        self.checkout.set_github_variable(f"{github_prefix(self.env)}_IMAGE_TAG", tag)
        self.log.phase = "image pull request"
        self._pull_request(self.env)
        self.log.phase = "image deploy"
        self._merge()
        return self.outputs

    def update_in_place(self) -> None:
        """A pull request that changes the environment file (tags, log retention), and its merge."""
        assert self.checkout is not None
        path = self.checkout.root / "terraform" / "environments" / f"{self.env}.tfvars"
        text = path.read_text()
        for name, value in UPDATE.items():
            rendered = f"{name} = {json.dumps(value).replace(':', ' =')}"
            text, found = re.subn(rf"^{name}\s*=.*$", rendered, text, flags=re.MULTILINE)
            text = text if found else text.rstrip("\n") + "\n" + rendered + "\n"
        path.write_text(text)
        self.log.phase = "update pull request"
        self._pull_request(self.env)
        self.log.phase = "update"
        self._merge()

    def plan_as_pull_request(self, env: str) -> Any:
        """pull-request.yml's plan job for ``env``; the inventory of the plan it saved."""
        assert self.day is not None and self.checkout is not None
        self.account_setup(env)
        self.log.phase = f"plan {env}"
        session = self.plan_session(env)
        self.day.pull_request(env, lambda: session.env(self.emulator))
        assert self.day.last_pull_request is not None and self.day.last_runner_temp is not None
        ws = Workspace(
            self.day.last_pull_request / "terraform", extra_env=self.day.base_env(session.env(self.emulator))
        )
        from scripts.terraform.inventory import PlanInventory

        return PlanInventory.from_json(ws.show_json(self.day.last_runner_temp / "plan" / f"{env}.tfplan"))

    def destroy_platform(self) -> None:
        if self.platform is None:
            return
        self.log.phase = "destroy"
        try:
            self.platform.destroy()
        except TerraformError:
            self.platform.destroy("-refresh=false")

    # --- verdicts ----------------------------------------------------------------------------------
    def verdict(self, role_arn: str, phases: set[str] | None = None) -> Verdict:
        policies, boundary = self.log.view.role_policies(role_arn)
        return judge(self.log.of_role(role_arn, phases), policies, boundary)

    def verdicts(self) -> list[Verdict]:
        roles = [self.apply_session.role_arn] if self.apply_session else []
        return [self.verdict(r) for r in [*roles, *sorted(self.plan_roles)]]

    # --- teardown -----------------------------------------------------------------------------------
    def close(self) -> None:
        self.bus.unsubscribe(self.log)
        with contextlib.suppress(Exception):
            self.destroy_platform()
        if self.bootstrap is not None:
            if self._bucket_policy:
                with contextlib.suppress(Exception):
                    self.emulator.client("s3").put_bucket_policy(
                        Bucket=self.bootstrap_out["state_bucket"], Policy=self._bucket_policy
                    )
            with contextlib.suppress(TerraformError):
                self._empty_state_bucket()
                self.bootstrap.destroy()
        for env, net in self.networks.items():
            delete_certificate(self.emulator, self.emulator.region, self.certificates[env])
            delete_network(self.emulator, net)

    def _empty_state_bucket(self) -> None:
        """State versions stay behind after a destroy; the bucket (force_destroy off) needs them gone."""
        s3 = self.emulator.client("s3")
        bucket = self.bootstrap_out.get("state_bucket")
        if not bucket:
            return
        s3.delete_bucket_policy(Bucket=bucket)
        for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
            for item in [*page.get("Versions", []), *page.get("DeleteMarkers", [])]:
                s3.delete_object(Bucket=bucket, Key=item["Key"], VersionId=item["VersionId"])


@contextlib.contextmanager
def proof(emulator: Emulator, bus: CallBus, workdir: Path, **settings: Any) -> Iterator[Proof]:
    run = Proof(emulator, bus, workdir, **settings)
    try:
        yield run
    finally:
        run.close()
