"""Every table the tools print stays readable at 80 columns (CI logs, small terminals).

Each table is rendered as a CI log would show it, at 80 columns: no line is wider, no cell is cut
with an ellipsis, and distinct resource types keep distinct, whole labels. Once the cost table cut
aws_cloudwatch_metric_alarm, aws_cloudwatch_composite_alarm and aws_cloudwatch_dashboard all to
`aws_cloudwatch_…`.
"""

from __future__ import annotations

import io
import re

import pytest
from rich.console import Console
from rich.table import Table

import scripts.bench.timing as bench
import scripts.demo.steps as demo
from scripts.checks import CheckOptions, run_checks
from scripts.checks.labels import label, labels, labels_for
from scripts.checks.report import budget_table, cost_changes_table, cost_table, findings_table, render
from scripts.checks.tables import prices
from scripts.terraform.inventory import PlanInventory
from scripts.terraform.validate import StepResult, summary_table
from tests.support.planbuilder import PlanBuilder, platform_plan

WIDTH = 80
ELLIPSIS = "…"


def rendered(table: Table, width: int = WIDTH) -> str:
    console = Console(width=width, record=True, file=io.StringIO(), color_system=None)
    console.print(table)
    return console.export_text()


def assert_fits(text: str, width: int = WIDTH) -> None:
    too_wide = [line for line in text.splitlines() if len(line) > width]
    assert not too_wide, too_wide
    assert ELLIPSIS not in text, text


def first_column(text: str) -> list[str]:
    """The first column's cells, one per physical line (the text between the first two bars)."""
    return [m.group(1).strip() for m in re.finditer(r"^│ ([^│]*?) +│", text, re.MULTILINE)]


def assert_whole_in_column(text: str, wanted: list[str]) -> None:
    """Each label is in the first column: whole on one line, or wrapped at spaces over consecutive lines."""
    cells = first_column(text)
    for want in wanted:
        joined = [" ".join(cells[i : i + n]) for n in (1, 2, 3) for i in range(len(cells) - n + 1)]
        assert want in joined, (want, cells)


# --- the plan checks' report ---------------------------------------------------------------------


def costly_plan() -> PlanBuilder:
    """Every resource type the estimate prices, the three CloudWatch kinds among them."""
    b = platform_plan(services=2, max_capacity=20)
    b.variables["region"] = "eu-west-1"
    b.add("aws_cloudwatch_composite_alarm.paging", {"alarm_name": "paging"})
    b.add("aws_cloudwatch_dashboard.main", {"dashboard_name": "main"})
    b.add("aws_wafv2_web_acl.api", {"rule": [{"name": "a"}, {"name": "b"}]})
    b.add("aws_nat_gateway.a", {})
    b.add("aws_vpc_endpoint.ecr", {"vpc_endpoint_type": "Interface", "subnet_ids": ["a", "b"]})
    b.add("aws_secretsmanager_secret.db", {"name": "db"})
    b.add("module.queue.aws_sqs_queue.this", {"name": "jobs"})
    b.add("module.uploads.aws_s3_bucket.this", {"bucket": "uploads"})
    b.add("aws_cloudwatch_log_group.api", {"name": "/ecs/api"})
    return b


@pytest.fixture(scope="module")
def report():
    inventory = PlanInventory.from_json(costly_plan().build())
    return run_checks(inventory, CheckOptions.build(env_budget_usd=10), source="dev (build/plans/dev/dev.tfplan.json)")


def test_cost_table_keeps_the_cloudwatch_types_apart(report) -> None:
    text = rendered(cost_table(report.cost))
    assert_fits(text)
    types = [line.resource_type for line in report.cost.lines]
    assert {"aws_cloudwatch_metric_alarm", "aws_cloudwatch_composite_alarm", "aws_cloudwatch_dashboard"} <= set(types)
    names = [label(t) for t in types]
    assert len(set(names)) == len(types)
    assert_whole_in_column(text, names)
    assert "aws_cloudwatch" not in text


def test_cost_table_names_its_prices_region(report) -> None:
    """The plan's own region (its root variable), in the title and, with its source, the caption."""
    text = rendered(cost_table(report.cost))
    assert text.startswith("Monthly cost estimate (USD) at eu-west-1 prices")
    assert "Region eu-west-1 (plan variable region)." in " ".join(text.split())
    assert "### Monthly cost estimate (USD) at eu-west-1 prices" in render(report, "markdown")


def test_cost_change_table_keeps_addresses_and_signed_amounts(report) -> None:
    """A long address folds, every character kept; the change keeps its sign."""
    b = costly_plan()
    long = 'module.database.module.instance["primary-with-a-long-key"].aws_db_instance.this'
    db = {"identifier": "x", "allocated_storage": 20, "storage_type": "gp3"}
    b.add(
        long,
        {**db, "instance_class": "db.t4g.micro"},
        actions=["update"],
        before={**db, "instance_class": "db.r6g.2xlarge"},
    )
    b.add("aws_nat_gateway.old", {}, actions=["delete"])
    est = run_checks(PlanInventory.from_json(b.build()), CheckOptions()).cost
    text = rendered(cost_changes_table(est))
    assert_fits(text)
    assert long in "".join(cell.strip() for cell in re.findall(r"^│ ([^│]*)│", text, re.MULTILINE))
    assert re.search(r"│ update +│ +658\.57 +│ +13\.98 +│ +-644\.59 │", text), text  # (0.899 - 0.016) x 730
    assert re.search(r"│ delete +│ +35\.04 +│ +0\.00 +│ +-35\.04 │", text), text
    assert_fits(rendered(cost_table(est)))


def test_findings_keep_check_ids_and_addresses_whole(report) -> None:
    text = rendered(findings_table(report))
    assert_fits(text)
    assert report.findings
    for finding in report.findings:
        assert re.search(rf"^│ {re.escape(finding.check_id)} +│", text, re.MULTILINE), finding.check_id
        assert f" {finding.address} " in text, finding.address


def test_findings_with_the_longest_check_id_and_a_long_address() -> None:
    b = platform_plan()
    address = 'module.database.module.instance["primary-with-a-long-key"].aws_db_instance.this'
    b.add(address, {"identifier": "db", "instance_class": "db.t4g.small", "deletion_protection": False})
    inventory = PlanInventory.from_json(b.build())
    found = run_checks(inventory, CheckOptions.build(prod_like=True))
    ids = {f.check_id for f in found.findings}
    assert "reliability.deletion-protection" in ids  # 31 characters: the longest check id
    text = rendered(findings_table(found))
    assert_fits(text)
    assert re.search(r"^│ reliability\.deletion-protection +│", text, re.MULTILINE)
    # Longer than the column: folded, every character kept.
    assert address in "".join(cell.strip() for cell in re.findall(r"│ [^│]*│ ([^│]*)│", text))


def test_budget_table(report) -> None:
    text = rendered(budget_table(report.budgets[0]))
    assert_fits(text)
    assert_whole_in_column(text, ["module.svc0.aws_ecs_service.this", "module.svc1.aws_ecs_service.this"])


def test_whole_check_plan_report_at_80_columns(report) -> None:
    text = render(report, "table", width=WIDTH)
    assert_fits(text)
    assert f"UNSAFE: {len(report.errors)} errors" in text


# --- labels: one place, distinct -----------------------------------------------------------------


def test_labels_are_distinct_short_and_cover_every_priced_type() -> None:
    table = labels()
    assert len(set(table.values())) == len(table), "two types share a label"
    assert all(len(word) <= 16 for text in table.values() for word in text.split()), "a label word too long to wrap"
    priced = {
        "aws_ecs_service",
        "aws_db_instance",
        "aws_db_proxy",
        "aws_lb",
        "aws_alb",
        "aws_nat_gateway",
        "aws_vpc_endpoint",
        "aws_cloudwatch_metric_alarm",
        "aws_cloudwatch_composite_alarm",
        "aws_cloudwatch_dashboard",
        "aws_kms_key",
        "aws_wafv2_web_acl",
        "aws_secretsmanager_secret",
        *prices()["usage_based"]["types"],
    }
    assert priced <= set(table), sorted(priced - set(table))


def test_an_unlisted_type_reads_as_words_and_a_shared_label_falls_back_to_the_types() -> None:
    assert label("aws_lambda_function_url") == "lambda function url"
    # An unlisted type whose words happen to equal a listed label: neither row may print alike.
    assert label("aws_dashboard") == label("aws_cloudwatch_dashboard") == "dashboard"
    assert labels_for(["aws_cloudwatch_dashboard", "aws_dashboard", "aws_kms_key"]) == {
        "aws_cloudwatch_dashboard": "aws_cloudwatch_dashboard",
        "aws_dashboard": "aws_dashboard",
        "aws_kms_key": "KMS key",
    }


# --- the demo ----------------------------------------------------------------------------------


def test_demo_resources_table_with_the_longest_type_names() -> None:
    b = PlanBuilder()
    types = [*sorted(labels(), key=len, reverse=True)[:13], "aws_some_future_resource_type_with_a_very_long_name"]
    for i, rtype in enumerate(types):
        for n in range(len(types) - i):  # distinct counts: a stable order
            b.add(f"{rtype}.r{n}", {})
    inventory = PlanInventory.from_json(b.build())
    text = rendered(demo.resources_table(inventory))
    assert_fits(text)
    assert_whole_in_column(text, [labels().get(t, label(t)) for t in types])
    assert "aws_s3_bucket_server_side_encryption_configuration" in types and "S3 encryption" in text


def test_demo_outputs_and_budget_tables() -> None:
    outputs = {
        "api_url": "https://imgclass-dev-alb-1234567890.eu-west-1.elb.amazonaws.com/v1/classifications",
        "queue_url": "https://sqs.eu-west-1.amazonaws.com/123456789012/imgclass-dev-classification-jobs",
        "repository_urls": {
            "api": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/imgclass-dev-api-with-a-long-name",
            "worker": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/imgclass-dev-worker",
        },
    }
    text = rendered(demo.outputs_table(outputs))
    assert_fits(text)
    flat = "".join(cell.strip() for cell in re.findall(r"│ [^│]*│ ([^│]*)│", text))
    assert outputs["api_url"] in flat and outputs["queue_url"] in flat
    budget = {
        "proxy_cap": 303,
        "max_connections": 405,
        "headroom": 83,
        "headroom_percent": 27,
        "total": 220,
        "reserved_connections": 20,
        "services": {
            "api-with-a-rather-long-service-name-for-the-table": {
                "max_tasks": 10,
                "pool_size": 10,
                "connections": 100,
                "peak_connection": 120,
            },
            "worker": {"max_tasks": 10, "pool_size": 10, "connections": 100, "peak_connection": 120},
        },
    }
    text = rendered(demo.budget_table(budget))
    assert_fits(text)
    assert "api-with-a-rather-long-service-name-for-the-table" in "".join(first_column(text))


# --- bench and validate --------------------------------------------------------------------------


def test_bench_tables() -> None:
    m = bench.Measured(1234.5, 2345.0, (0,), (1.25, 3.5))
    validate = bench.Phase("validate, nothing cached (fmt, init, validate, checkov)", [["a"]], [["b"]], [m], [m])
    phases = [
        bench.Phase("lint (ruff, terraform fmt, README tables)", [["x"]], [["x"]], [m], [m]),
        validate,
        bench.Phase(
            "validate, modules/alb changed since the last run", [["a"]], [["b"]], [m], [m], variant_of=validate
        ),
    ]
    text = rendered(bench.phases_table(phases, (1569.0, 812.0)))
    assert_fits(text)
    assert "make check with validate, modules/alb changed since the last run" in " ".join(
        " ".join(first_column(text)).split()
    )
    rows = [
        ("check-plan: checks + 3 renderers, in-process", 20, [0.1234, 0.2, 0.3]),
        ("check-plan: `python -m scripts check-plan --format json`", 5, [1.5, 1.6, 1.7]),
    ]
    text = rendered(bench.check_plan_table(rows))
    assert_fits(text)
    assert "1.500" in text and "0.300" in text


def test_validate_summary_table() -> None:
    results = [
        StepResult("modules/ecs-service/examples/worker-with-a-longer-name", "validate", "ok", 12.3, ""),
        StepResult(
            "terraform (via modules/rds-proxy/examples/existing-database)",
            "checkov",
            "FAIL",
            3.2,
            "CKV_AWS_338: Ensure CloudWatch log groups retains logs for at least 1 year "
            "(module.proxy.aws_cloudwatch_log_group.proxy)",
        ),
    ]
    text = rendered(summary_table(results))
    assert_fits(text)
    assert "CKV_AWS_338" in text and "validate" in text
