"""``make demo``: the whole platform on the embedded AWS emulator, with no AWS account.

1. start moto on loopback (or use ``PLATFORM_AWS_ENDPOINT_URL``);
2. create the "existing" network the root looks up (VPC, private and public subnets in two AZs,
   tagged as ``terraform/environments/<env>.tfvars`` expects) and an ACM certificate;
3. init and plan the real root configuration ``terraform/`` with the environment's tfvars, in a
   scratch copy with the provider override and a local backend;
4. run the plan checks (connection budget, security, reliability, cost estimate);
5. apply, print a short report (resources, key outputs, connection budget, cost);
6. prove idempotency with a re-plan;
7. with ``--keep`` (``make demo KEEP=1``): stay up, print the endpoint and how to point the AWS CLI
   or boto3 at it, and wait for Ctrl-C;
8. destroy everything on the way out, also after a failure or Ctrl-C.

Every table fits 80 columns (CI logs, small terminals): labels wrap, long values fold, nothing is
cut (tests/unit/test_tables_80_columns.py).

Prod settings keep deletion protection on (the root refuses otherwise); for the teardown the demo
lifts it in the emulator only, through the AWS API, exactly as an operator would have to.
"""

from __future__ import annotations

import contextlib
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text

from scripts.checks import CheckOptions, run_checks
from scripts.checks.labels import labels_for
from scripts.checks.report import cost_table, findings_table
from scripts.checks.tables import environments, is_production_like
from scripts.emulator import Emulator
from scripts.emulator.network import (
    create_certificate,
    create_network,
    delete_certificate,
    delete_network,
    network_tags,
)
from scripts.errors import UsageError
from scripts.terraform.idempotency import unexpected_changes
from scripts.terraform.inventory import PlanInventory
from scripts.terraform.tf import REPO_ROOT, TerraformError, Workspace, warm_plugin_cache

ROOT = "terraform"
PARALLELISM = 20
# Auto-loaded before the harness's zz_ variables file, so test and demo overrides win.
ENV_TFVARS = "00-environment.auto.tfvars"
KEY_OUTPUTS = (
    "api_url",
    "alb_dns_name",
    "uploads_bucket",
    "results_bucket",
    "queue_url",
    "proxy_endpoint",
    "dashboard_url",
    "alarm_topic_arn",
    "repository_urls",
)


@dataclass
class PreparedPlatform:
    env: str
    workspace: Workspace
    network: Mapping[str, Any]


def env_tfvars(env: str) -> Path:
    path = REPO_ROOT / ROOT / "environments" / f"{env}.tfvars"
    known = environments()
    if env not in known or not path.is_file():
        raise UsageError(f"unknown environment {env!r}: choose one of {', '.join(known)}")
    return path


def emulator_account_values(env: str, emulator: Emulator, network: Mapping[str, Any]) -> dict[str, Any]:
    """The per-account inputs (docs/cicd.md) as the emulator's "account" has them.

    In an AWS account they come from TF_VAR_<name>; here the demo and the tests supply them: the
    emulator's own account id, the network it just created, origins and an alarm address on
    loopback names (never example.com, which the root refuses), and a certificate ARN of that
    account and region. A plan needs no issued certificate; an apply does, so the demo and the apply
    tests pass the ARN of one they created (``create_certificate``).
    """
    account = emulator.client("sts").get_caller_identity()["Account"]
    values: dict[str, Any] = {
        "account_id": account,
        "network": {"vpc_tags": dict(network["tags"])},
        "certificate_arn": f"arn:aws:acm:{emulator.region}:{account}:certificate/{uuid.uuid4()}",
        "image_tag": f"demo-{env}",
    }
    # A production-like environment refuses http:// origins and an alarm topic nobody receives.
    if is_production_like(env):
        values["allowed_origins"] = ["https://app.imgclass.localhost"]
        values["alarm_email_addresses"] = ["oncall@alerts.imgclass.localhost"]
    else:
        values["allowed_origins"] = ["http://localhost:3000"]
    return values


def prepare_platform(
    env: str,
    emulator: Emulator,
    dest_root: Path,
    network: Mapping[str, Any],
    overrides: Mapping[str, Any] | None = None,
) -> PreparedPlatform:
    """A scratch copy of the root for ``env`` on the emulator, initialised, looking up ``network``."""
    source = env_tfvars(env)
    ws = Workspace.scratch(ROOT, emulator=emulator, dest_root=dest_root, local_backend=True)
    shutil.copy(source, ws.tfdir / ENV_TFVARS)
    ws.set_vars({**emulator_account_values(env, emulator, network), **dict(overrides or {})})
    ws.init()
    return PreparedPlatform(env, ws, network)


# --- progress --------------------------------------------------------------------------------


@contextmanager
def step(console: Console, text: str) -> Iterator[None]:
    start = time.monotonic()
    with console.status(f"[bold]{text}[/]"):
        yield
    console.print(f"[green]✓[/] {text} [dim]({time.monotonic() - start:.0f} s)[/]")


_DONE_MARKERS = {"apply": ": Creation complete after", "destroy": ": Destruction complete after"}


def run_streaming(console: Console, ws: Workspace, verb: str, total: int, label: str, *args: str) -> float:
    """Run ``terraform apply|destroy`` with a progress bar counting finished resources.

    Terraform runs in its own session so a Ctrl-C reaches it only through us: we forward SIGINT,
    wait for Terraform to stop cleanly (state saved), then re-raise so the caller can destroy.
    """
    # Most of an apply or destroy is the provider's fixed waits (RDS, ALB, S3 lifecycle, SQS), which
    # only overlap if enough operations run at once: more than the default 10 pays off.
    flags = ["-no-color", "-input=false", "-auto-approve", f"-parallelism={PARALLELISM}", *args]
    marker = _DONE_MARKERS[verb]
    started = time.monotonic()
    tail: list[str] = []
    columns = (
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("[dim]{task.fields[last]}"),
    )
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task(label, total=max(total, 1), last="")
        proc = ws.start(verb, *flags)
        log = (ws.tfdir / f"terraform-{verb}.log").open("a")
        try:
            assert proc.stdout is not None
            for line in proc.stdout:
                log.write(line)
                tail = [*tail[-60:], line.rstrip()]
                if marker in line:
                    address = line.split(":", 1)[0].strip()
                    progress.update(task, advance=1, last=address[-60:])
            code = proc.wait()
        except KeyboardInterrupt:
            console.print(f"[yellow]interrupted: letting terraform {verb} stop cleanly...[/]")
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=300)
            except subprocess.TimeoutExpired:
                proc.kill()
            raise
        finally:
            log.close()
    if code != 0:
        raise TerraformError(verb, "\n".join(tail))
    return time.monotonic() - started


# --- report ------------------------------------------------------------------------------------


def resources_table(inventory: PlanInventory, limit: int = 14) -> Table:
    counts = Counter(r.type for r in inventory.managed.values() if "create" in r.actions)
    table = Table(title=f"Resources created: {sum(counts.values())}", title_justify="left")
    # Labels rather than type names: aws_s3_bucket_server_side_encryption_configuration alone is 50
    # columns, and cut to fit, different types printed alike.
    table.add_column("resource", overflow="fold")
    table.add_column("count", justify="right")
    ranked = counts.most_common()
    names = labels_for(rtype for rtype, _ in ranked[:limit])
    for rtype, n in ranked[:limit]:
        table.add_row(Text(names[rtype]), str(n))
    rest = ranked[limit:]
    if rest:
        table.add_row(f"[dim]{len(rest)} more types[/]", f"[dim]{sum(n for _, n in rest)}[/]")
    return table


def outputs_table(outputs: Mapping[str, Any]) -> Table:
    table = Table(title="Key outputs", title_justify="left")
    table.add_column("output", overflow="fold")
    table.add_column("value", overflow="fold")
    for key in KEY_OUTPUTS:
        if key in outputs:
            value = outputs[key]
            if isinstance(value, dict):
                value = "\n".join(f"{k}: {v}" for k, v in sorted(value.items()))
            table.add_row(key, Text(str(value)))
    return table


def budget_table(budget: Mapping[str, Any]) -> Table:
    """The connection budget as the root computes it (output ``connection_budget``)."""
    table = Table(
        title="Database connection budget",
        title_justify="left",
        caption=(
            f"proxy cap {budget['proxy_cap']} of max_connections {budget['max_connections']}; "
            f"headroom {budget['headroom']} ({budget['headroom_percent']} %)"
        ),
        show_footer=True,
    )
    table.add_column("service", footer="total", overflow="fold")
    table.add_column("max tasks", justify="right")
    table.add_column("pool", justify="right")
    table.add_column("connections", justify="right", footer=f"{budget['total']} / {budget['proxy_cap']}")
    table.add_column("during deploy", justify="right")
    for name, row in sorted(budget["services"].items()):
        table.add_row(
            name,
            str(row["max_tasks"]),
            str(row["pool_size"]),
            str(row["connections"]),
            str(row["peak_connection"]),
        )
    table.add_row("reserved (migrations, on-call)", "", "", str(budget["reserved_connections"]), "")
    return table


def run_plan_checks(console: Console, inventory: PlanInventory, region: str | None = None) -> bool:
    """The project's plan checks; returns False when they find an error.

    The cost table's title names the region whose prices it uses; when the platform deploys to
    another ``region``, a line says so rather than letting the figure pass for that region's."""
    report = run_checks(inventory, CheckOptions.build())
    if report.errors:
        console.print(findings_table(report))
    else:
        for finding in report.warnings:
            console.print(f"  [yellow]warning[/] {finding.check_id} {finding.address}", highlight=False)
    console.print(
        f"  plan checks: [{'green' if report.safe else 'red'}]{len(report.errors)} errors[/], "
        f"{len(report.warnings)} warnings"
    )
    console.print(cost_table(report.cost))
    priced = report.cost.meta.get("region")
    if region and priced and priced != region:
        console.print(f"  [yellow]note[/] the platform deploys to {region}; the estimate is priced at {priced}")
    return report.safe


# --- teardown ------------------------------------------------------------------------------------


def lift_deletion_protection(emulator: Emulator, outputs: Mapping[str, Any]) -> None:
    """Prod keeps deletion protection on; the emulator copy is torn down the way an operator would:
    protection off on the database and load balancer, buckets emptied (every object version; the log
    bucket receives the emulator's S3 access logs)."""
    s3 = emulator.client("s3")
    for key in ("uploads_bucket", "results_bucket", "logs_bucket"):
        bucket = outputs.get(key)
        if not bucket:
            continue
        with contextlib.suppress(Exception):
            for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
                doomed = [
                    {"Key": v["Key"], "VersionId": v["VersionId"]}
                    for v in [*page.get("Versions", []), *page.get("DeleteMarkers", [])]
                ]
                if doomed:
                    s3.delete_objects(Bucket=bucket, Delete={"Objects": doomed, "Quiet": True})
    rds = emulator.client("rds")
    with contextlib.suppress(Exception):
        rds.modify_db_instance(
            DBInstanceIdentifier=outputs["database_identifier"],
            DeletionProtection=False,
            ApplyImmediately=True,
        )
    elbv2 = emulator.client("elbv2")
    with contextlib.suppress(Exception):
        for lb in elbv2.describe_load_balancers()["LoadBalancers"]:
            if lb["DNSName"] == outputs.get("alb_dns_name"):
                elbv2.modify_load_balancer_attributes(
                    LoadBalancerArn=lb["LoadBalancerArn"],
                    Attributes=[{"Key": "deletion_protection.enabled", "Value": "false"}],
                )


# --- the demo ----------------------------------------------------------------------------------


def run(env: str = "dev", console: Console | None = None, keep: bool = False) -> int:
    console = console or Console()
    env_tfvars(env)  # unknown environment: a usage error before anything starts
    started = time.monotonic()
    console.rule(f"[bold]imgclass platform demo: {env}[/]")
    with step(console, "toolchain and plugin cache"):
        warm_plugin_cache()
    emulator = Emulator.from_env()
    with step(console, "AWS emulator on loopback"):
        emulator.start()
    console.print(f"  endpoint {emulator.endpoint_url}")
    scratch = Path(tempfile.mkdtemp(prefix=f"imgclass-demo-{env}-"))
    network: dict[str, Any] | None = None
    cert_arn: str | None = None
    platform: PreparedPlatform | None = None
    inventory: PlanInventory | None = None
    outputs: dict[str, Any] = {}
    applied = False
    code = 1
    try:
        with step(console, f"existing network (VPC, 2 AZs, tags {network_tags(env)}) and certificate"):
            network = create_network(emulator, emulator.region, network_tags(env))
            cert_arn = create_certificate(emulator, emulator.region, f"api.{env}.imgclass.localhost")
        console.print(
            f"  {network['vpc_id']}: private {', '.join(network['private_subnet_ids'])}; "
            f"public {', '.join(network['public_subnet_ids'])}"
        )
        with step(console, f"terraform init ({ROOT}/, environments/{env}.tfvars, local state)"):
            platform = prepare_platform(env, emulator, scratch, network, {"certificate_arn": cert_arn})
        ws = platform.workspace
        plan_file = ws.tfdir / "demo.tfplan"
        with step(console, "terraform plan"):
            inventory = ws.plan(None, plan_file, f"-parallelism={PARALLELISM}")
        creates = sum(1 for r in inventory.managed.values() if "create" in r.actions)
        console.print(f"  {creates} resources to create")
        checks_ok = run_plan_checks(console, inventory, emulator.region)

        applied = True
        # Apply the saved plan the checks just read: no second planning pass, nothing unchecked.
        seconds = run_streaming(
            console, ws, "apply", creates, "terraform apply (RDS ~80 s, ALB ~60 s, S3 lifecycle ~55 s)", str(plan_file)
        )
        console.print(f"[green]✓[/] terraform apply: {creates} resources [dim]({seconds:.0f} s)[/]")
        outputs = ws.output()
        console.print(resources_table(inventory))
        console.print(outputs_table(outputs))
        if "connection_budget" in outputs:
            console.print(budget_table(outputs["connection_budget"]))

        with step(console, "idempotency re-plan"):
            problems = unexpected_changes(replan(ws))
        if problems:
            console.print("[red]re-plan is not clean:[/]\n" + "\n".join(problems))
        else:
            console.print("  re-plan clean: no changes (known emulator artifacts tolerated)")
        code = 0 if not problems and checks_ok else 1
        if keep:
            keep_up(console, emulator, platform, outputs)
    except TerraformError as exc:
        console.print(f"[red]{exc}[/]")
        console.print(exc.output[-4000:], markup=False, highlight=False)
        code = 1
    except KeyboardInterrupt:
        console.print("[yellow]interrupted: cleaning up[/]")
        code = 130
    finally:
        try:
            if platform is not None and applied:
                code = teardown(console, emulator, platform, env, outputs, code)
        finally:
            if cert_arn:
                delete_certificate(emulator, emulator.region, cert_arn)
            if network is not None:
                delete_network(emulator, network)
            emulator.stop()
            if code in (0, 130):
                shutil.rmtree(scratch, ignore_errors=True)
            else:
                console.print(f"  scratch copy and terraform logs kept in {scratch}")
            elapsed = time.monotonic() - started
            verdict = {0: "[green]ok[/]", 130: "[yellow]interrupted[/]"}.get(code, "[red]failed[/]")
            console.print(f"demo ({env}) {verdict} in {elapsed:.0f} s ({elapsed / 60:.1f} min)")
    return code


# --- keep: look around before the teardown -----------------------------------------------------


def look_around_lines(emulator: Emulator, outputs: Mapping[str, Any], state_file: Path | None = None) -> list[str]:
    """How to point the AWS CLI and boto3 at the emulator: its endpoint, region and placeholder keys.

    AWS_ENDPOINT_URL sends every service's requests to one endpoint, and ``--endpoint-url`` does it
    for one command (https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-endpoints.html;
    for the SDKs, https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html).
    """
    env = emulator.env()
    url, region = env["AWS_ENDPOINT_URL"], env["AWS_REGION"]
    keys = f"AWS_ACCESS_KEY_ID={env['AWS_ACCESS_KEY_ID']} AWS_SECRET_ACCESS_KEY={env['AWS_SECRET_ACCESS_KEY']}"
    lines = [
        f"endpoint {url}, region {region}",
        "",
        "AWS CLI, in another terminal:",
        f"  export AWS_ENDPOINT_URL={url} AWS_REGION={region} AWS_DEFAULT_REGION={region}",
        f"  export {keys}  # placeholders: the emulator takes any",
        "  aws ecs list-clusters",
        "  aws rds describe-db-instances --query 'DBInstances[].[DBInstanceIdentifier,DBInstanceClass]'",
        "  aws elbv2 describe-load-balancers --query 'LoadBalancers[].DNSName'",
    ]
    if outputs.get("uploads_bucket"):
        lines.append(f"  aws s3 ls s3://{outputs['uploads_bucket']}")
    if outputs.get("queue_url"):
        # AWS CLI v1 (1.45 tried) sends SQS to its AWS endpoint despite AWS_ENDPOINT_URL; the option works.
        lines.append(
            f"  aws --endpoint-url {url} sqs get-queue-attributes --attribute-names All "
            f"--queue-url {outputs['queue_url']}"
        )
    lines += [
        f"  (or per command: aws --endpoint-url {url} --region {region} ...)",
        "",
        "boto3:",
        "  import boto3",
        f'  session = boto3.Session(region_name="{region}", aws_access_key_id="{env["AWS_ACCESS_KEY_ID"]}",',
        f'                          aws_secret_access_key="{env["AWS_SECRET_ACCESS_KEY"]}")',
        f'  ecs = session.client("ecs", endpoint_url="{url}")',
        "  print(ecs.list_clusters())",
    ]
    if state_file is not None:
        lines += ["", f"Terraform state: {state_file}"]
    return lines


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def keep_up(console: Console, emulator: Emulator, platform: PreparedPlatform, outputs: Mapping[str, Any]) -> None:
    """Leave the applied platform and the emulator up until Ctrl-C (or SIGTERM), then return so the
    caller tears down as always. The prompt goes out unwrapped: commands copy and paste whole."""
    console.rule("[bold]the platform stays up[/]")
    state_file = platform.workspace.tfdir / "terraform.tfstate"
    for line in look_around_lines(emulator, outputs, state_file):
        console.print(line, markup=False, highlight=False, soft_wrap=True)
    stops = "stop the emulator" if not emulator.external else "leave the external endpoint running"
    console.print(f"\n[bold]Press Ctrl-C to destroy the platform and {stops}.[/]")
    # A `kill` (CI timeout, a supervisor) tears down the same way as Ctrl-C. SIGINT gets a handler
    # of its own too: a shell that starts the demo in the background starts it with SIGINT ignored,
    # and then `kill -INT` would leave the platform up for ever.
    previous = {sig: signal.signal(sig, _interrupt) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        console.print("[yellow]tearing down what the demo applied[/]")
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def teardown(
    console: Console, emulator: Emulator, platform: PreparedPlatform, env: str, outputs: dict[str, Any], code: int
) -> int:
    """Destroy what the demo applied; returns the exit code (1 when something is left)."""
    started = time.monotonic()
    try:
        # A production-like environment must run with deletion protection (terraform/variables.tf).
        protected = is_production_like(env)
        if protected:
            outputs = outputs or _safe_outputs(platform.workspace)
            lift_deletion_protection(emulator, outputs)
            console.print(f"  {env} teardown: deletion protection lifted and buckets emptied, in the emulator only")
        total = len(managed(platform.workspace.state_resources()))
        try:
            # The re-plan has just refreshed every resource; a second refresh would only cost time.
            run_streaming(console, platform.workspace, "destroy", total, "terraform destroy", "-refresh=false")
        except TerraformError:
            if protected:
                # S3 delivers the emulator's access logs for requests made during the destroy into the
                # log bucket; with the logging configurations gone, emptying it once more is final.
                lift_deletion_protection(emulator, outputs)
            run_streaming(console, platform.workspace, "destroy", total, "terraform destroy (retry)")
        seconds = time.monotonic() - started
        left = managed(platform.workspace.state_resources())
        state = "[green]state empty[/]" if not left else f"[red]{len(left)} left in state[/]"
        if left and code == 0:
            code = 1
        console.print(f"[green]✓[/] terraform destroy: {total} resources, {state} [dim]({seconds:.0f} s)[/]")
    except TerraformError as exc:
        console.print(f"[red]destroy failed: {exc}[/]")
        return 1
    return code


def replan(ws: Workspace) -> PlanInventory:
    """The idempotency re-plan (a full refresh of every resource), with the demo's parallelism."""
    plan_file = ws.tfdir / "replan.tfplan"
    ws.run(
        "plan",
        "-input=false",
        "-detailed-exitcode",
        f"-parallelism={PARALLELISM}",
        f"-out={plan_file}",
        ok_codes=(0, 2),
    )
    return PlanInventory.from_json(ws.show_json(plan_file))


def managed(addresses: list[str]) -> list[str]:
    """State addresses of managed resources (data sources stay in state until the end)."""
    return [a for a in addresses if not (a.startswith("data.") or ".data." in a)]


def _safe_outputs(ws: Workspace) -> dict[str, Any]:
    try:
        return ws.output()
    except TerraformError:
        return {}
