"""modules/cloudwatch-alarms: plans checked in Python and the dashboard body (no apply).

Two plans for the whole file: the complete example (every alarm set; its inventory is data, in
examples/complete/tests/inventory.toml, and this file reads the same plan) and a database-only shape with an
existing topic, the composite switched off and a different max_connections, which shows the thresholds
follow the inputs instead of being typed twice.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

import pytest

from scripts.terraform.tf import REPO_ROOT, unique_name
from tests.harness import inventory_path, module_workspace, shared_plan

pytestmark = pytest.mark.emulator
EXAMPLE = "modules/cloudwatch-alarms/examples/complete"
ALARM = "aws_cloudwatch_metric_alarm.this"
ACCOUNT, REGION = "123456789012", "eu-west-1"  # the emulator's account and the harness region

# Values of the complete example's defaults (the data-tier and compute outputs it stands in for).
MAX_CONNECTIONS, PROXY_CAP, ALLOCATED_GIB = 901, 675, 100
API_DB, WORKER_DB = 200, 100

CRITICAL = [
    "api-running-tasks",
    "db-connections",
    "db-free-storage",
    "lb-5xx-rate",
    "proxy-availability",
    "proxy-database-connections",
    "slo-availability-fast-burn",
    "slo-job-success-fast-burn",
    "slo-latency-fast-burn",
]

# alarm key -> (namespace, metric name, dimensions, statistic, comparison, threshold, treat_missing_data)
SINGLE_METRIC: dict[str, tuple[Any, ...]] = {
    "db-connections": ("AWS/RDS", "DatabaseConnections", {"DBInstanceIdentifier": "{n}-db"}, "Maximum",
                       "GreaterThanThreshold", math.floor(MAX_CONNECTIONS * 80 / 100), "breaching"),
    "db-cpu": ("AWS/RDS", "CPUUtilization", {"DBInstanceIdentifier": "{n}-db"}, "Average",
               "GreaterThanThreshold", 80, "missing"),
    "db-free-storage": ("AWS/RDS", "FreeStorageSpace", {"DBInstanceIdentifier": "{n}-db"}, "Minimum",
                        "LessThanThreshold", math.floor(ALLOCATED_GIB * 2**30 * 10 / 100), "missing"),
    "db-freeable-memory": ("AWS/RDS", "FreeableMemory", {"DBInstanceIdentifier": "{n}-db"}, "Minimum",
                           "LessThanThreshold", math.floor(MAX_CONNECTIONS * 9531392 * 10 / 100), "missing"),
    "db-read-latency": ("AWS/RDS", "ReadLatency", {"DBInstanceIdentifier": "{n}-db"}, "Average",
                        "GreaterThanThreshold", 0.02, "missing"),
    "db-write-latency": ("AWS/RDS", "WriteLatency", {"DBInstanceIdentifier": "{n}-db"}, "Average",
                         "GreaterThanThreshold", 0.02, "missing"),
    "db-replica-lag-{n}-db-replica": ("AWS/RDS", "ReplicaLag", {"DBInstanceIdentifier": "{n}-db-replica"},
                                      "Maximum", "GreaterThanThreshold", 60, "breaching"),
    "proxy-client-connections": ("AWS/RDS", "ClientConnections", {"ProxyName": "{n}-proxy"}, "Sum",
                                 "GreaterThanThreshold", API_DB + WORKER_DB, "missing"),
    "proxy-borrow-latency": ("AWS/RDS", "DatabaseConnectionsBorrowLatency", {"ProxyName": "{n}-proxy"},
                             "Average", "GreaterThanThreshold", 100_000, "notBreaching"),
    "proxy-setup-failed": ("AWS/RDS", "DatabaseConnectionsSetupFailed",
                           {"ProxyName": "{n}-proxy", "TargetGroup": "default", "TargetRole": "READ_WRITE"},
                           "Sum", "GreaterThanThreshold", 0, "notBreaching"),
    "proxy-auth-failures": ("AWS/RDS", "ClientConnectionsSetupFailedAuth", {"ProxyName": "{n}-proxy"}, "Sum",
                            "GreaterThanThreshold", 5, "notBreaching"),
    "proxy-availability": ("AWS/RDS", "AvailabilityPercentage",
                           {"ProxyName": "{n}-proxy", "TargetGroup": "default", "TargetRole": "READ_WRITE"},
                           "Average", "LessThanThreshold", 100, "missing"),
    "api-cpu": ("AWS/ECS", "CPUUtilization", {"ClusterName": "{n}", "ServiceName": "{n}-api"}, "Average",
                "GreaterThanThreshold", 80, "missing"),
    "api-memory": ("AWS/ECS", "MemoryUtilization", {"ClusterName": "{n}", "ServiceName": "{n}-api"}, "Average",
                   "GreaterThanThreshold", 80, "missing"),
    "worker-cpu": ("AWS/ECS", "CPUUtilization", {"ClusterName": "{n}", "ServiceName": "{n}-worker"}, "Average",
                   "GreaterThanThreshold", 80, "missing"),
    "worker-memory": ("AWS/ECS", "MemoryUtilization", {"ClusterName": "{n}", "ServiceName": "{n}-worker"},
                      "Average", "GreaterThanThreshold", 80, "missing"),
    "worker-queue-age": ("AWS/SQS", "ApproximateAgeOfOldestMessage", {"QueueName": "imgclass-prod-jobs"},
                         "Maximum", "GreaterThanThreshold", 900, "notBreaching"),
    "worker-dlq": ("AWS/SQS", "ApproximateNumberOfMessagesVisible", {"QueueName": "imgclass-prod-jobs-dlq"},
                   "Maximum", "GreaterThanThreshold", 0, "notBreaching"),
    "lb-unhealthy-hosts": ("AWS/ApplicationELB", "UnHealthyHostCount",
                           {"LoadBalancer": "app/imgclass-prod/50dc6c495c0c9188",
                            "TargetGroup": "targetgroup/imgclass-prod-api/6d0ecf831eec9f09"},
                           "Maximum", "GreaterThanThreshold", 0, "notBreaching"),
    "lb-rejected-connections": ("AWS/ApplicationELB", "RejectedConnectionCount",
                                {"LoadBalancer": "app/imgclass-prod/50dc6c495c0c9188"}, "Sum",
                                "GreaterThanThreshold", 0, "notBreaching"),
}  # fmt: skip

# Burn-rate thresholds for a 30-day period: 14.4 x budget (1 h, 5 min) and 6 x budget (6 h, 30 min).
SLO_THRESHOLDS = {
    "availability": {"1h": 1.44, "5m": 1.44, "6h": 0.6, "30m": 0.6},
    "latency": {"1h": 14.4, "5m": 14.4, "6h": 6, "30m": 6},
    "job-success": {"1h": 14.4, "5m": 14.4, "6h": 6, "30m": 6},
}
WINDOW_SECONDS = {"1h": 3600, "5m": 300, "6h": 21600, "30m": 1800}


@pytest.fixture(scope="module")
def complete(emulator, tmp_path_factory):
    """The plan whose inventory tests/modules/test_inventories.py asserts (examples/complete/tests/inventory.toml)."""
    plan = shared_plan(inventory_path(EXAMPLE), emulator, tmp_path_factory)
    return plan.name, plan.inventory


@pytest.fixture(scope="module")
def db_only(emulator, tmp_path_factory):
    """A second shape: database set only, existing topic, composite off, max_connections 5000."""
    name = unique_name("cwdb")
    inputs = {
        "name": name,
        "environment": "prod",
        "alarm_topic_arn": f"arn:aws:sns:{REGION}:{ACCOUNT}:platform-pager",
        "composite_alarm_enabled": False,
        "runbook_base_url": "https://git.example.com/platform/blob/main/docs/runbooks",
        "database": {
            "instance_identifier": f"{name}-db",
            "max_connections": 5000,
            "connections_threshold_percent": 75,
            "allocated_storage_gib": 400,
            "instance_memory_gib": 64,
        },
        "slo": {"enabled": False},
    }
    ws = module_workspace(
        "cloudwatch-alarms",
        inputs,
        emulator,
        tmp_path_factory.mktemp("cwdb"),
        outputs=("alarm_thresholds", "critical_alarm_names", "topic_arn", "kms_key_arn"),
    )
    return name, ws.plan()


def alarms(inv) -> dict[str, dict[str, Any]]:
    """Metric alarm values keyed by the module's alarm key (the for_each key)."""
    found = {}
    for res in inv.of_type("aws_cloudwatch_metric_alarm"):
        key = re.search(r'\["(.+)"\]$', res.address).group(1)
        found[key] = res.values
    return found


def queries(values: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {q["id"]: q for q in values["metric_query"]}


# --- the complete example -----------------------------------------------------------------


def test_single_metric_alarms(complete):
    name, inv = complete
    found = alarms(inv)
    for raw_key, (namespace, metric, dims, stat, op, threshold, missing) in SINGLE_METRIC.items():
        key = raw_key.format(n=name)
        got = found[key]
        assert got["alarm_name"] == f"{name}-{key}"
        assert got["namespace"] == namespace, key
        assert got["metric_name"] == metric, key
        assert got["dimensions"] == {k: v.format(n=name) for k, v in dims.items()}, key
        assert got["statistic"] == stat, key
        assert got["comparison_operator"] == op, key
        assert got["threshold"] == pytest.approx(threshold), key
        assert got["treat_missing_data"] == missing, key
        assert got["period"] == (300 if key == "db-free-storage" else 60), key
        if key != "worker-dlq":
            assert (got["evaluation_periods"], got["datapoints_to_alarm"]) == (5, 3), key
    assert (found["worker-dlq"]["evaluation_periods"], found["worker-dlq"]["datapoints_to_alarm"]) == (1, 1)


def test_thresholds_are_derived_from_the_sizing_inputs(complete):
    """The numbers that size the platform are the numbers the alarms compare against."""
    name, inv = complete
    thresholds = inv.outputs["alarm_thresholds"]
    assert thresholds[f"{name}-db-connections"] == 720  # floor(901 * 80 / 100)
    assert thresholds[f"{name}-proxy-client-connections"] == API_DB + WORKER_DB
    assert thresholds[f"{name}-proxy-borrow-latency"] == 100_000  # 100 ms in microseconds
    assert thresholds[f"{name}-lb-p99-latency"] == 0.5  # the latency objective's threshold
    assert "720 of 901" in alarms(inv)["db-connections"]["alarm_description"]


def test_p99_latency_alarm(complete):
    _, inv = complete
    got = alarms(inv)["lb-p99-latency"]
    assert got["extended_statistic"] == "p99"
    assert got["statistic"] is None
    assert got["metric_name"] == "TargetResponseTime"
    assert got["dimensions"] == {"LoadBalancer": "app/imgclass-prod/50dc6c495c0c9188"}
    assert got["threshold"] == 0.5


def test_proxy_connections_are_metric_math_against_max_allowed(complete):
    name, inv = complete
    got = alarms(inv)["proxy-database-connections"]
    assert got["metric_name"] is None and got["namespace"] is None
    q = queries(got)
    assert q["used_pct"]["expression"] == "100 * FILL(used, 0) / allowed"
    assert q["used_pct"]["return_data"] is True
    dims = {"ProxyName": f"{name}-proxy", "TargetGroup": "default", "TargetRole": "READ_WRITE"}
    assert q["used"]["metric"][0] | {"unit": ""} == {
        "namespace": "AWS/RDS", "metric_name": "DatabaseConnections", "dimensions": dims,
        "stat": "Sum", "period": 60, "unit": "",
    }  # fmt: skip
    assert q["allowed"]["metric"][0]["metric_name"] == "MaxDatabaseConnectionsAllowed"
    assert q["allowed"]["metric"][0]["dimensions"] == dims
    assert [q[i]["return_data"] for i in ("used", "allowed")] == [False, False]
    assert got["threshold"] == 90
    # Proxy metrics may not exist before the first client connection: a new environment must not page.
    assert got["treat_missing_data"] == "missing"


def test_load_balancer_5xx_is_a_rate(complete):
    _, inv = complete
    got = alarms(inv)["lb-5xx-rate"]
    q = queries(got)
    metrics = {i: q[i]["metric"][0]["metric_name"] for i in ("requests", "target5xx", "elb5xx")}
    assert metrics == {
        "requests": "RequestCount",
        "target5xx": "HTTPCode_Target_5XX_Count",
        "elb5xx": "HTTPCode_ELB_5XX_Count",
    }
    assert q["error_rate"]["return_data"] is True
    assert q["error_rate"]["expression"] == "IF(total >= 20, 100 * errors / total, 0)"
    assert q["total"]["expression"] == "MAX([FILL(requests, 0), errors])"
    assert [q[i]["return_data"] for i in q if i != "error_rate"] == [False] * 5
    assert got["threshold"] == 5
    assert got["treat_missing_data"] == "notBreaching"


def test_running_tasks_below_desired_uses_container_insights(complete):
    name, inv = complete
    for svc in ("api", "worker"):
        got = alarms(inv)[f"{svc}-running-tasks"]
        q = queries(got)
        assert q["missing_tasks"]["expression"] == "desired - FILL(running, 0)"
        for qid, metric in (("desired", "DesiredTaskCount"), ("running", "RunningTaskCount")):
            assert q[qid]["metric"][0]["namespace"] == "ECS/ContainerInsights"
            assert q[qid]["metric"][0]["metric_name"] == metric
            assert q[qid]["metric"][0]["dimensions"] == {"ClusterName": name, "ServiceName": f"{name}-{svc}"}
        assert got["treat_missing_data"] == "breaching"
        # A deployment is short of tasks for a minute or two: only a whole window of it alarms.
        assert got["datapoints_to_alarm"] == got["evaluation_periods"] == 5


def test_slo_burn_rate_windows(complete):
    name, inv = complete
    found = alarms(inv)
    for slo, windows in SLO_THRESHOLDS.items():
        for window, threshold in windows.items():
            got = found[f"slo-{slo}-{window}"]
            assert got["threshold"] == pytest.approx(threshold), (slo, window)
            assert (got["evaluation_periods"], got["datapoints_to_alarm"]) == (1, 1)
            assert got["treat_missing_data"] == "notBreaching"
            assert got["alarm_actions"] in (None, []), "window alarms notify only through their composite"
            periods = {q["metric"][0]["period"] for q in got["metric_query"] if q["metric"]}
            assert periods == {WINDOW_SECONDS[window]}, (slo, window)
    latency = queries(found["slo-latency-1h"])
    assert latency["fast_pct"]["metric"][0]["stat"] == "PR(:0.5)"
    assert latency["bad_pct"]["expression"] == "100 - fast_pct"
    jobs = queries(found["slo-job-success-5m"])
    assert jobs["succeeded"]["metric"][0] | {"unit": ""} == {
        "namespace": "ImgClass/Jobs", "metric_name": "JobsSucceeded", "dimensions": {"Service": f"{name}-worker"},
        "stat": "Sum", "period": 300, "unit": "",
    }  # fmt: skip
    composites = {r.values["alarm_name"]: r.values for r in inv.of_type("aws_cloudwatch_composite_alarm")}
    for slo in SLO_THRESHOLDS:
        fast = composites[f"{name}-slo-{slo}-fast-burn"]
        slow = composites[f"{name}-slo-{slo}-slow-burn"]
        assert fast["alarm_rule"] == f'ALARM("{name}-slo-{slo}-1h") AND ALARM("{name}-slo-{slo}-5m")'
        assert slow["alarm_rule"] == f'ALARM("{name}-slo-{slo}-6h") AND ALARM("{name}-slo-{slo}-30m")'
        assert fast["alarm_actions"] in (None, [])  # pages through service-degraded
        assert slow["alarm_actions"] == [f"arn:aws:sns:{REGION}:{ACCOUNT}:{name}-alarms"]


def test_critical_alarms_page_once_through_the_composite(complete):
    name, inv = complete
    topic_arn = f"arn:aws:sns:{REGION}:{ACCOUNT}:{name}-alarms"
    composite = inv.find("aws_cloudwatch_composite_alarm.service_degraded[0]").values
    assert composite["alarm_rule"] == " OR ".join(f'ALARM("{name}-{k}")' for k in CRITICAL)
    for key, got in alarms(inv).items():
        if key.startswith("slo-"):
            continue
        if key in CRITICAL:
            assert got["alarm_actions"] in (None, []), key
            assert got["tags"]["Severity"] == "critical", key
        else:
            assert got["alarm_actions"] == [topic_arn], key
            assert got["ok_actions"] == [topic_arn], key
            assert got["tags"]["Severity"] == "warning", key
        assert got["actions_enabled"] is True


def test_descriptions_link_existing_runbooks(complete):
    _, inv = complete
    described = inv.of_type("aws_cloudwatch_metric_alarm") + inv.of_type("aws_cloudwatch_composite_alarm")
    for res in described:
        text = res.values["alarm_description"]
        assert len(text) <= 1024, res.address
        match = re.search(r"Runbook: docs/runbooks/([a-z0-9-]+\.md)$", text)
        assert match, f"{res.address}: {text}"
        assert (REPO_ROOT / "docs/runbooks" / match.group(1)).is_file(), match.group(1)
        assert len(text) > len(match.group(0)) + 40, f"{res.address} says too little: {text}"


def test_topic_and_key_policies_let_cloudwatch_in(complete):
    name, inv = complete
    alarm_pattern = f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:{name}-*"
    topic = json.loads(inv.find("aws_sns_topic_policy.this[0]").values["policy"])
    by_sid = {s["Sid"]: s for s in topic["Statement"]}
    publish = by_sid["CloudWatchAlarmsPublish"]
    assert publish["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert publish["Action"] == "sns:Publish"
    assert publish["Condition"] == {
        "ArnLike": {"aws:SourceArn": alarm_pattern},
        "StringEquals": {"aws:SourceAccount": ACCOUNT},
    }
    assert by_sid["DenyInsecureTransport"]["Effect"] == "Deny"
    assert "*" not in json.dumps(by_sid["AccountOwnerManagement"]["Principal"])
    key = json.loads(inv.find("module.kms_key[0].aws_kms_key.this").values["policy"])
    use = {s["Sid"]: s for s in key["Statement"]}["CloudWatchAlarmsUseKey"]
    assert use["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert sorted(use["Action"]) == ["kms:Decrypt", "kms:GenerateDataKey*"]
    assert use["Condition"]["ArnLike"] == {"aws:SourceArn": alarm_pattern}


# --- dashboard ------------------------------------------------------------------------------

EXPECTED_METRICS = {
    ("AWS/ApplicationELB", "RequestCount"),
    ("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count"),
    ("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count"),
    ("AWS/ApplicationELB", "TargetResponseTime"),
    ("ECS/ContainerInsights", "RunningTaskCount"),
    ("ECS/ContainerInsights", "DesiredTaskCount"),
    ("AWS/RDS", "DatabaseConnections"),
    ("AWS/RDS", "ClientConnections"),
    ("AWS/RDS", "MaxDatabaseConnectionsAllowed"),
    ("AWS/RDS", "DatabaseConnectionsBorrowLatency"),
    ("AWS/RDS", "CPUUtilization"),
    ("AWS/RDS", "FreeableMemory"),
    ("AWS/RDS", "FreeStorageSpace"),
    ("AWS/SQS", "ApproximateNumberOfMessagesVisible"),
    ("AWS/SQS", "ApproximateAgeOfOldestMessage"),
}
_ALARM_ARN = re.compile(r"^arn:aws[a-z-]*:cloudwatch:[a-z0-9-]+:\d{12}:alarm:[A-Za-z0-9_.-]+$")
_MATH_FUNCTIONS = {"FILL", "MAX", "MIN", "IF", "SUM", "AVG", "ABS"}


def dashboard_problems(body: dict[str, Any]) -> list[str]:
    """Structural checks of a CloudWatch dashboard body (the rules PutDashboard applies to our widgets)."""
    problems: list[str] = []
    widgets = body.get("widgets")
    if not isinstance(widgets, list) or not widgets:
        return ["body has no widgets list"]
    cells: set[tuple[int, int]] = set()
    for i, w in enumerate(widgets):
        where = f"widget {i} ({w.get('properties', {}).get('title', w.get('type'))})"
        if w.get("type") not in {"metric", "alarm", "text"}:
            problems.append(f"{where}: unknown type {w.get('type')!r}")
        geometry = [w.get(k) for k in ("x", "y", "width", "height")]
        if not all(isinstance(v, int) and v >= 0 for v in geometry) or w["width"] < 1 or w["height"] < 1:
            problems.append(f"{where}: bad geometry {geometry}")
            continue
        if w["x"] + w["width"] > 24:
            problems.append(f"{where}: wider than the 24-column grid")
        mine = {(x, y) for x in range(w["x"], w["x"] + w["width"]) for y in range(w["y"], w["y"] + w["height"])}
        if mine & cells:
            problems.append(f"{where}: overlaps another widget")
        cells |= mine
        props = w.get("properties", {})
        if w["type"] == "metric":
            problems += _metric_widget_problems(where, props)
        elif w["type"] == "alarm":
            bad = [a for a in props.get("alarms", []) if not _ALARM_ARN.match(a)]
            if not props.get("alarms") or bad:
                problems.append(f"{where}: alarms must be a non-empty list of alarm ARNs, bad: {bad}")
        elif not isinstance(props.get("markdown"), str):
            problems.append(f"{where}: text widget without markdown")
    return problems


def _metric_widget_problems(where: str, props: dict[str, Any]) -> list[str]:
    problems = []
    if not isinstance(props.get("region"), str) or not props.get("metrics"):
        return [f"{where}: metric widget needs region and metrics"]
    ids, hidden, expressions = set(), set(), []
    for row in props["metrics"]:
        if isinstance(row[0], dict):
            if not {"expression", "id"} <= set(row[0]):
                problems.append(f"{where}: expression row without expression/id: {row}")
            expressions.append(row[0]["expression"])
            ids.add(row[0]["id"])
            continue
        options = row[-1] if isinstance(row[-1], dict) else {}
        names = row[:-1] if options else row
        if len(names) < 2 or len(names) % 2 or not all(isinstance(n, str) and n for n in names):
            problems.append(f"{where}: metric row must be namespace, name and dimension pairs: {row}")
        if "id" in options:
            ids.add(options["id"])
            if options.get("visible") is False:
                hidden.add(options["id"])
    for expr in expressions:
        tokens = set(re.findall(r"\b[a-z][A-Za-z0-9_]*\b", expr)) - {t.lower() for t in _MATH_FUNCTIONS}
        if tokens - ids:
            problems.append(f"{where}: expression {expr!r} uses undefined ids {tokens - ids}")
        hidden -= tokens
    if hidden:
        problems.append(f"{where}: hidden metrics {hidden} feed no expression")
    for line in props.get("annotations", {}).get("horizontal", []):
        if not isinstance(line.get("value"), int | float) or not line.get("label"):
            problems.append(f"{where}: annotation needs a label and a numeric value: {line}")
    return problems


def metrics_on(widgets: list[dict[str, Any]]) -> set[tuple[str, str]]:
    return {
        (row[0], row[1])
        for w in widgets
        if w["type"] == "metric"
        for row in w["properties"]["metrics"]
        if isinstance(row[0], str)
    }


def test_dashboard_body_is_valid_and_complete(complete):
    _, inv = complete
    body = json.loads(inv.find("aws_cloudwatch_dashboard.this[0]").values["dashboard_body"])
    assert dashboard_problems(body) == []
    widgets = body["widgets"]
    assert metrics_on(widgets) >= EXPECTED_METRICS, EXPECTED_METRICS - metrics_on(widgets)

    # Top row answers "is the service healthy": requests, 5xx rate, p99, running vs desired tasks.
    top = sorted((w for w in widgets if w["y"] == 0), key=lambda w: w["x"])
    assert [w["properties"]["title"] for w in top] == [
        "Requests / min",
        "5xx rate (%)",
        "Target response time p99 / p50 (s)",
        "Running vs desired tasks",
    ]
    assert {("AWS/ApplicationELB", "RequestCount"), ("ECS/ContainerInsights", "RunningTaskCount"),
            ("ECS/ContainerInsights", "DesiredTaskCount")} <= metrics_on(top)  # fmt: skip
    assert any("expression" in row[0] for row in top[1]["properties"]["metrics"] if isinstance(row[0], dict))
    assert {"stat": "p99", "label": "p99"}.items() <= top[2]["properties"]["metrics"][0][-1].items()

    # Database connections drawn against max_connections, the alarm threshold and the proxy cap.
    (conn,) = [w for w in widgets if w["properties"].get("title") == "Database connections"]
    lines = {a["label"]: a["value"] for a in conn["properties"]["annotations"]["horizontal"]}
    assert lines == {"max_connections": MAX_CONNECTIONS, "Alarm (80 %)": 720, "Proxy cap": PROXY_CAP}


def test_every_critical_alarm_is_on_the_dashboard(complete):
    name, inv = complete
    body = json.loads(inv.find("aws_cloudwatch_dashboard.this[0]").values["dashboard_body"])
    on_dashboard = {a for w in body["widgets"] if w["type"] == "alarm" for a in w["properties"]["alarms"]}
    prefix = f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:"
    critical = {prefix + n for n in inv.outputs["critical_alarm_names"]}
    assert critical == on_dashboard
    assert f"{prefix}{name}-service-degraded" in on_dashboard


# --- a second shape -------------------------------------------------------------------------


def test_thresholds_follow_a_different_max_connections(db_only):
    name, inv = db_only
    thresholds = inv.outputs["alarm_thresholds"]
    assert thresholds[f"{name}-db-connections"] == 3750  # floor(5000 * 75 / 100)
    assert thresholds[f"{name}-db-free-storage"] == 400 * 2**30 // 10
    assert thresholds[f"{name}-db-freeable-memory"] == 64 * 2**30 // 10  # instance_memory_gib given
    body = json.loads(inv.one("aws_cloudwatch_dashboard").values["dashboard_body"])
    assert dashboard_problems(body) == []
    (conn,) = [w for w in body["widgets"] if w["properties"].get("title") == "Database connections"]
    assert {a["value"] for a in conn["properties"]["annotations"]["horizontal"]} == {5000, 3750}


def test_existing_topic_and_no_composite(db_only):
    name, inv = db_only
    pager = f"arn:aws:sns:{REGION}:{ACCOUNT}:platform-pager"
    for rtype in ("aws_sns_topic", "aws_kms_key", "aws_sns_topic_policy", "aws_cloudwatch_composite_alarm"):
        assert inv.counts.get(rtype, 0) == 0, rtype
    assert inv.outputs["topic_arn"] == pager
    assert inv.outputs["kms_key_arn"] is None
    # Without the composite, critical alarms notify by themselves, on ALARM and on OK.
    found = alarms(inv)
    assert set(found) == {"db-connections", "db-cpu", "db-free-storage", "db-freeable-memory",
                          "db-read-latency", "db-write-latency"}  # fmt: skip
    for key, got in found.items():
        assert got["alarm_actions"] == [pager], key
        assert got["ok_actions"] == [pager], key
    assert inv.outputs["critical_alarm_names"] == [f"{name}-db-connections", f"{name}-db-free-storage"]
    assert found["db-connections"]["alarm_description"].endswith(
        "Runbook: https://git.example.com/platform/blob/main/docs/runbooks/database-connection-exhaustion.md"
    )
