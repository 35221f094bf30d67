"""An apply interrupted by a cancelled CI job (SIGINT) or a lost runner (SIGKILL) is recovered, by the
documented procedure (docs/runbooks/orphaned-resources.md): the lock is released (by Terraform, or with
``terraform force-unlock <ID>``), what the kill left outside the state is found by the orphan finder and
imported, the re-apply completes, and nothing is left in the emulator that the state does not know.
A second run during an apply is refused with the lock holder shown, or waits for ``-lock-timeout``.

The root (tests/faults/interrupt_root) keeps its state in an S3 bucket on the emulator with
``use_lockfile = true``: the lock is the object ``<key>.tflock``, written with a conditional PUT.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from scripts.emulator.override import write_override
from scripts.orphans import StateIndex, find_orphans
from scripts.terraform.tf import TerraformError, Workspace, unique_name
from tests.support.cli import run_cli
from tests.support.process import Streamed

pytestmark = [pytest.mark.emulator, pytest.mark.slow]

ROOT = Path(__file__).parent / "interrupt_root"
KEY = "interrupt/terraform.tfstate"
ENV = "dev"
ALL = {
    "aws_cloudwatch_log_group.worker",
    "aws_iam_role.worker",
    "aws_iam_role_policy.worker",
    "aws_sqs_queue.jobs",
    "aws_ssm_parameter.queue_url",
}
_LOCK_ID = re.compile(r"^\s*ID:\s+(\S+)", re.MULTILINE)


@dataclass
class Root:
    ws: Workspace
    bucket: str
    service: str
    s3: object

    def lock(self) -> dict | None:
        try:
            body = self.s3.get_object(Bucket=self.bucket, Key=f"{KEY}.tflock")["Body"].read()
        except ClientError:
            return None
        return json.loads(body)

    def state(self) -> StateIndex:
        return StateIndex.from_state(json.loads(self.ws.run("state", "pull").out), "pulled state")


class Running(Streamed):
    """``terraform apply`` in its own process group, its output collected line by line."""

    @classmethod
    def apply(cls, ws: Workspace) -> Running:
        # Its own process group: a lost runner takes the provider plugin down with Terraform.
        return cls(ws.start("apply", "-input=false", "-auto-approve", "-no-color", "-lock-timeout=0s"), "apply")

    def signal(self, sig: int) -> None:
        os.killpg(self.proc.pid, sig)

    def finish(self, timeout: float = 180) -> int:
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
            pytest.fail(f"apply did not stop within {timeout}s:\n{self.text[-3000:]}")


@pytest.fixture
def root(emulator, tc, tmp_path):
    service = unique_name("intr", 14)
    bucket = unique_name("tfstate-intr")
    s3 = emulator.client("s3")
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": emulator.region})
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    tfdir = tmp_path / "root"
    shutil.copytree(ROOT, tfdir)
    write_override(tfdir, emulator.endpoint_url or "", emulator.region)
    endpoint = emulator.endpoint_url
    (tfdir / "emulator.s3.tfbackend").write_text(
        f'bucket = "{bucket}"\nkey = "{KEY}"\nregion = "{emulator.region}"\nencrypt = true\nuse_lockfile = true\n'
        "use_path_style = true\nskip_credentials_validation = true\nskip_metadata_api_check = true\n"
        f'endpoints = {{ s3 = "{endpoint}", sts = "{endpoint}", iam = "{endpoint}" }}\n'
    )
    ws = Workspace(tfdir, extra_env=emulator.env())
    ws.set_vars({"service": service, "environment": ENV})
    ws.init(backend_config=str(tfdir / "emulator.s3.tfbackend"))
    it = Root(ws, bucket, service, s3)
    yield it
    lock = it.lock()
    if lock:
        ws.run("force-unlock", "-force", lock["ID"])
    try:
        ws.destroy()
    except TerraformError:
        ws.destroy("-refresh=false")
    left = ws.state_resources()
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
        for item in [*page.get("Versions", []), *page.get("DeleteMarkers", [])]:
            s3.delete_object(Bucket=bucket, Key=item["Key"], VersionId=item["VersionId"])
    s3.delete_bucket(Bucket=bucket)
    assert not left, f"destroy left resources in state: {left}"


def orphans_cli(root: Root, emulator, tmp_path: Path, plan_json: Path | None = None) -> subprocess.CompletedProcess:
    state = tmp_path / "pulled.tfstate"
    state.write_text(root.ws.run("state", "pull").out)
    argv = ["--env", ENV, "--service", root.service, "--state", str(state)]
    if plan_json is not None:
        argv += ["--plan", str(plan_json)]
    return run_cli("orphans", *argv, unset_prefixes=("AWS_",), env=emulator.env())


def test_sigint_releases_the_lock_and_a_concurrent_run_is_refused_with_the_holder(root, emulator):
    """A cancelled CI job: Terraform finishes what is in flight, writes state and releases the lock."""
    run = Running.apply(root.ws)
    run.wait_for("aws_sqs_queue.jobs: Creating...")
    holder = root.lock()
    assert holder and holder["Operation"] == "OperationTypeApply", holder

    # A second run on the same state while the apply holds the lock: refused at once, holder shown.
    with pytest.raises(TerraformError) as refused:
        root.ws.run("plan", "-input=false", "-lock-timeout=0s")
    output = refused.value.output
    assert "Error acquiring the state lock" in output
    assert _LOCK_ID.search(output) and _LOCK_ID.search(output).group(1) == holder["ID"]
    assert "Operation: OperationTypeApply" in output and f"Who:       {holder['Who']}" in output
    # With -lock-timeout it waits for the lock before giving up (the pipeline waits 10 minutes).
    start = time.monotonic()
    with pytest.raises(TerraformError, match="Error acquiring the state lock"):
        root.ws.run("plan", "-input=false", "-lock-timeout=4s")
    assert time.monotonic() - start >= 4

    run.signal(signal.SIGINT)
    code = run.finish()
    assert code != 0, run.text[-2000:]
    assert "Interrupt received" in run.text
    assert root.lock() is None, "SIGINT must leave no lock behind"

    root.ws.apply()
    assert set(root.ws.state_resources()) == ALL
    assert find_orphans(emulator.client, root.state(), root.service, ENV) == []


def test_sigkill_leaves_a_lock_and_orphans_that_the_runbook_recovers(root, emulator, tmp_path):
    """A lost runner: the lock stays, resources created since the last state write are orphans."""
    run = Running.apply(root.ws)
    run.wait_for("aws_sqs_queue.jobs: Still creating...")  # CreateQueue answered; the provider polls
    run.signal(signal.SIGKILL)
    assert run.finish() == -signal.SIGKILL

    holder = root.lock()
    assert holder is not None, "a killed apply leaves <key>.tflock behind"
    # Runbook step 1: the next run is refused and shows the lock ID ...
    with pytest.raises(TerraformError) as refused:
        root.ws.run("apply", "-input=false", "-auto-approve", "-lock-timeout=0s")
    found = _LOCK_ID.search(refused.value.output)
    assert found and found.group(1) == holder["ID"], refused.value.output[-2000:]
    # ... which `terraform force-unlock` releases once nobody runs (the runner is gone).
    root.ws.run("force-unlock", "-force", found.group(1))
    assert root.lock() is None

    # Step 2: the orphan finder, given a plan, names each orphan's address and import ID.
    plan_file = root.ws.tfdir / "recover.tfplan"
    root.ws.run("plan", "-input=false", f"-out={plan_file}")
    plan_json = tmp_path / "plan.json"
    plan_json.write_text(json.dumps(root.ws.show_json(plan_file)))
    listed = orphans_cli(root, emulator, tmp_path, plan_json)
    assert listed.returncode == 1, listed.stdout + listed.stderr
    imports = [shlex.split(ln.strip()) for ln in listed.stdout.splitlines() if " import " in ln]
    addresses = {argv[3] for argv in imports}
    assert "aws_sqs_queue.jobs" in addresses, listed.stdout
    assert "<ADDRESS>" not in addresses, listed.stdout
    # Step 3: run the import lines, then re-apply.
    for argv in imports:
        assert argv[:3] == ["terraform", "-chdir=terraform", "import"], argv
        root.ws.run("import", "-input=false", argv[3], argv[4])
    root.ws.apply()
    assert set(root.ws.state_resources()) == ALL
    # Nothing in the emulator that the state does not know; one queue, not a duplicate.
    assert find_orphans(emulator.client, root.state(), root.service, ENV) == []
    clean = orphans_cli(root, emulator, tmp_path)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    queues = emulator.client("sqs").list_queues(QueueNamePrefix=f"{root.service}-{ENV}-").get("QueueUrls", [])
    assert len(queues) == 1, queues
