"""``demo --keep``: the platform stays up for a look around, and Ctrl-C tears it down.

The real demo takes minutes (RDS, the ALB); here it runs in a child process with the real emulator,
network fixture, plan checks, report and keep prompt, while Terraform is replaced by a stand-in
that "applies" one SQS queue through the emulator and records its destroy. The test then uses the
printed instructions to find the queue, sends the child SIGINT, and checks the teardown: destroy
called with the state, the queue gone while the emulator was still up, the emulator's port closed.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

import boto3
import pytest

from scripts.demo.steps import look_around_lines
from scripts.emulator import Emulator
from scripts.terraform.tf import REPO_ROOT
from tests.support.process import Streamed

CHILD = r'''
import json, sys
from pathlib import Path

import scripts.demo.steps as demo
from tests.support.planbuilder import PlanBuilder, platform_plan
from scripts.terraform.inventory import PlanInventory

record = Path(sys.argv[1])
emulator = {}


class Workspace:
    """What the demo uses of scripts.terraform.tf.Workspace, without Terraform."""

    def __init__(self, tfdir, emu):
        self.tfdir, self.emu, self.state = tfdir, emu, []

    def plan(self, _vars, plan_file, *args):
        # The real root states its region as a variable (environments/dev.tfvars); so does this plan.
        plan = platform_plan()
        plan.variables["region"] = "eu-west-1"
        inventory = PlanInventory.from_json(plan.build())
        self.planned = sorted(inventory.managed)
        return inventory

    def output(self):
        return {"queue_url": self.queue_url, "uploads_bucket": "imgclass-dev-uploads"}

    def state_resources(self):
        return list(self.state)


def prepare_platform(env, emu, dest_root, network, overrides=None):
    return demo.PreparedPlatform(env, Workspace(dest_root, emu), network)


def run_streaming(console, ws, verb, total, label, *args):
    sqs = ws.emu.client("sqs")
    if verb == "apply":
        ws.queue_url = sqs.create_queue(QueueName="imgclass-dev-jobs")["QueueUrl"]
        ws.state = list(ws.planned)
    else:
        sqs.delete_queue(QueueUrl=ws.queue_url)
        queues = sqs.list_queues().get("QueueUrls", [])
        record.write_text(json.dumps({"verb": verb, "state": ws.state, "args": list(args), "queues_after": queues}))
        ws.state = []
    return 0.0


demo.warm_plugin_cache = lambda: None
demo.prepare_platform = prepare_platform
demo.run_streaming = run_streaming
demo.replan = lambda ws: PlanInventory.from_json(PlanBuilder().build())
sys.exit(demo.run("dev", keep=True))
'''


def _port_open(url: str) -> bool:
    parsed = urlparse(url)
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex((parsed.hostname, parsed.port)) == 0


class Child(Streamed):
    """The demo in a child process; its output collected line by line on a thread."""

    def __init__(self, tmp_path: Path, sigint_ignored: bool = False) -> None:
        self.record = tmp_path / "destroy.json"
        script = tmp_path / "child.py"
        script.write_text(CHILD)
        env = {k: v for k, v in os.environ.items() if k != "PLATFORM_AWS_ENDPOINT_URL"}
        env["COLUMNS"] = "80"  # a CI log: rich would use 80 anyway on a pipe; say so
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
        proc = subprocess.Popen(
            [sys.executable, str(script), str(self.record)],
            cwd=REPO_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            # As a non-interactive shell starts a background job (`make demo KEEP=1 &`).
            preexec_fn=(lambda: signal.signal(signal.SIGINT, signal.SIG_IGN)) if sigint_ignored else None,
        )
        super().__init__(proc, "the demo")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=30)


@pytest.fixture
def child(tmp_path: Path, request: pytest.FixtureRequest):
    demo = Child(tmp_path, sigint_ignored=getattr(request, "param", False))
    yield demo
    demo.stop()


@pytest.mark.emulator
@pytest.mark.parametrize(
    ("child", "sig"),
    [(False, signal.SIGINT), (False, signal.SIGTERM), (True, signal.SIGINT)],
    ids=["ctrl-c", "sigterm", "ctrl-c-started-with-sigint-ignored"],
    indirect=["child"],
)
def test_keep_stays_up_for_a_look_around_and_tears_down_on_the_signal(child: Child, sig: signal.Signals) -> None:
    child.wait_for("Press Ctrl-C to destroy the platform and stop the emulator.")
    text = child.text
    endpoint = re.search(r"export AWS_ENDPOINT_URL=(\S+) AWS_REGION=(\S+) ", text)
    keys = re.search(r"export AWS_ACCESS_KEY_ID=(\S+) AWS_SECRET_ACCESS_KEY=(\S+)  #", text)
    assert endpoint and keys, text
    url, region = endpoint.groups()
    assert f"aws --endpoint-url {url} --region {region}" in text
    assert f'ecs = session.client("ecs", endpoint_url="{url}")' in text
    # Still up after a pause, and what the printed settings reach is the applied platform.
    time.sleep(1.5)
    assert child.proc.poll() is None
    sqs = boto3.client(
        "sqs", endpoint_url=url, region_name=region, aws_access_key_id=keys[1], aws_secret_access_key=keys[2]
    )
    queues = sqs.list_queues().get("QueueUrls", [])
    assert [q.rsplit("/", 1)[-1] for q in queues] == ["imgclass-dev-jobs"]
    assert f"  aws --endpoint-url {url} sqs get-queue-attributes --attribute-names All --queue-url {queues[0]}" in text
    assert not child.record.exists()  # nothing destroyed while kept

    child.proc.send_signal(sig)
    assert child.proc.wait(timeout=120) == 0, child.text
    child.reader.join(timeout=10)
    destroyed = json.loads(child.record.read_text())
    assert destroyed["verb"] == "destroy"
    assert "module.database.aws_db_instance.this" in destroyed["state"]
    assert destroyed["queues_after"] == []
    assert not _port_open(url), "the emulator still listens after the teardown"
    assert "tearing down what the demo applied" in child.text
    assert "terraform destroy: " in child.text and "state empty" in child.text
    assert "demo (dev) ok" in child.text


@pytest.mark.emulator
def test_the_demo_shows_the_cost_with_its_region_at_80_columns(child: Child) -> None:
    """The same run as a CI log shows it: 80 columns, nothing cut, the prices' region named."""
    child.wait_for("Press Ctrl-C")
    child.proc.send_signal(signal.SIGINT)
    child.proc.wait(timeout=120)
    child.reader.join(timeout=10)
    text = child.text
    # The plan's own region prices the estimate (tfvars region), and the caption says where a price is
    # a stand-in. Prose wraps at 80 columns like any terminal would; the words stay whole.
    assert "Monthly cost estimate (USD) at eu-west-1 prices" in text
    prose = " ".join(text.split())
    assert "Region eu-west-1 (" in prose
    assert "Stand-in (us-east-1) prices for:" in prose
    assert "the estimate is priced at" not in prose
    table = text[text.index("Monthly cost estimate") : text.index("Estimate only")]
    assert max(len(line) for line in table.splitlines()) <= 80
    assert "…" not in text
    for label in ("RDS instance", "RDS Proxy", "load balancer", "KMS key", "metric alarm"):
        assert f"│ {label} " in table, label


def test_look_around_lines_without_a_queue_or_bucket() -> None:
    emulator = Emulator(endpoint_url="http://127.0.0.1:4566", region="eu-west-1")
    lines = look_around_lines(emulator, {}, None)
    assert lines[0] == "endpoint http://127.0.0.1:4566, region eu-west-1"
    assert "  export AWS_ENDPOINT_URL=http://127.0.0.1:4566 AWS_REGION=eu-west-1 AWS_DEFAULT_REGION=eu-west-1" in lines
    assert not [line for line in lines if "s3 ls" in line or "sqs" in line or "Terraform state" in line]
