"""The IAM proof end to end on the emulator, as the pipeline would run it in a new account.

1. An administrator applies ``terraform/bootstrap`` (state bucket, OIDC provider, deploy roles).
2. The apply role of the environment, assumed with the GitHub token of its environment, applies the
   whole platform into the S3 backend; the test or command then re-plans it, updates it in place and
   destroys it as the same role.
3. The plan role, assumed with a pull request's token, plans every environment.
4. Every call of both roles, recorded by the emulator, is judged against the roles' real policies.

``Proof`` is a context manager so that the platform tests can read the applied platform back with
boto3 between the apply and the destroy; ``python -m scripts iam-check`` runs the same steps.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scripts.emulator import Emulator
from scripts.emulator.recorder import CallBus
from scripts.fixtures.network import create_certificate, create_network, delete_certificate, delete_network
from scripts.iam.pipeline import Session, assume, role_workspace
from scripts.iam.proof import CallLog, Verdict, judge
from scripts.tf import REPO_ROOT, TerraformError, Workspace, unique_name

# The boundary docs/cicd.md recommends, as an example an organisation adapts (and the proof uses).
BOUNDARY_EXAMPLE = REPO_ROOT / "docs" / "examples" / "workload-permissions-boundary.json"
GITHUB = {"github_owner": "example-org", "github_repository": "imgclass-platform"}
REPO_SUB = "repo:example-org/imgclass-platform"
# What a pull request changes in place: a tag on everything and the log retention.
UPDATE = {"tags": {"Team": "imaging"}, "log_retention_days": 30}


@dataclass
class Proof:
    emulator: Emulator
    bus: CallBus
    workdir: Path
    env: str = "dev"
    boundary_arn: str | None = None
    log: CallLog = field(default_factory=CallLog)
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

    # --- steps -----------------------------------------------------------------------------------
    def bootstrap_account(self, rebootstrap: dict[str, Any] | None = None) -> None:
        """Apply terraform/bootstrap as an administrator; ``rebootstrap`` re-applies it with changed inputs."""
        tf_vars: dict[str, Any] = {**GITHUB}
        if self.boundary_arn:
            tf_vars["permissions_boundary_arn"] = self.boundary_arn
        if self.bootstrap is not None:
            self.bootstrap.apply({**tf_vars, **(rebootstrap or {})})
            return
        if self.boundary_arn:
            self._ensure_boundary_policy()
        ws = Workspace.scratch("terraform/bootstrap", emulator=self.emulator, dest_root=self.workdir / "bootstrap")
        ws.init()
        self.bootstrap = ws
        ws.apply(tf_vars)
        self.bootstrap_out = ws.output()
        # The state bucket only admits TLS; the emulator speaks plain HTTP. The policy is lifted in the
        # emulator for the run, and the recorder judges every call against it as AWS would.
        s3 = self.emulator.client("s3")
        bucket = self.bootstrap_out["state_bucket"]
        self._bucket_policy = s3.get_bucket_policy(Bucket=bucket)["Policy"]
        self.log.view.bucket_policies[bucket] = json.loads(self._bucket_policy)
        s3.delete_bucket_policy(Bucket=bucket)
        self.bus.subscribe(self.log)

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

    def environment_inputs(self, env: str) -> dict[str, Any]:
        """The per-account inputs of ``env`` in this emulated account: its network and certificate."""
        if env not in self.networks:
            self.networks[env] = create_network(
                self.emulator, self.emulator.region, {"Network": unique_name(f"proof-{env}")}
            )
            self.certificates[env] = create_certificate(self.emulator, self.emulator.region, f"api.{env}.example.com")
        from scripts.demo import emulator_account_values

        # Day one starts with no image pushed (docs/adr/0015-first-deploy-before-any-image.md).
        inputs: dict[str, Any] = {
            **emulator_account_values(env, self.emulator, self.networks[env]),
            "certificate_arn": self.certificates[env],
            "image_tag": self.image_tag if env == self.env else "",
        }
        if self.boundary_arn:
            inputs["permissions_boundary_arn"] = self.boundary_arn
        return inputs

    def apply_platform(self) -> dict[str, Any]:
        self.apply_session = assume(
            self.emulator, self.bootstrap_out["apply_role_arns"][self.env], f"{REPO_SUB}:environment:{self.env}"
        )
        self.platform = role_workspace(
            "terraform",
            self.emulator,
            self.apply_session,
            self.workdir / "platform",
            self.env,
            self.environment_inputs(self.env),
        )
        self.log.phase = "apply"
        self.platform.apply()
        self.outputs = self.platform.output()
        return self.outputs

    def push_images(self, tag: str) -> None:
        """What the image build does between the first and the second deploy: push api and worker."""
        ecr = self.emulator.client("ecr")
        manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json"})
        for url in self.outputs["repository_urls"].values():
            ecr.put_image(repositoryName=url.split("/", 1)[1], imageManifest=manifest, imageTag=tag)

    def deploy_image(self, tag: str) -> dict[str, Any]:
        """The second deploy of day one: the pushed tag, the services scale to their min_capacity."""
        assert self.platform is not None
        self.image_tag = tag
        self.log.phase = "image deploy"
        self.platform.apply(self.environment_inputs(self.env))
        self.outputs = self.platform.output()
        return self.outputs

    def update_in_place(self) -> str:
        assert self.platform is not None
        self.log.phase = "update"
        return self.platform.apply({**self.environment_inputs(self.env), **UPDATE})

    def plan_as_pull_request(self, env: str) -> Any:
        """The plan role of ``env``, assumed with a pull request's token, plans ``env``."""
        session = assume(self.emulator, self.bootstrap_out["plan_role_arns"][env], f"{REPO_SUB}:pull_request")
        self.plan_roles.add(session.role_arn)
        ws = role_workspace(
            "terraform", self.emulator, session, self.workdir / f"plan-{env}", env, self.environment_inputs(env)
        )
        self.log.phase = f"plan {env}"
        # As .github/workflows/pull-request.yml plans: read-only, without the state lock.
        return ws.plan(None, None, "-lock=false")

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
