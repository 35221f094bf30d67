"""modules/cloudwatch-alarms: every rejected input fails the plan with a message that says what to fix."""

from __future__ import annotations

import pytest

from tests.harness import assert_rejected, module_workspace, set_module_inputs

pytestmark = pytest.mark.emulator

DATABASE = {"instance_identifier": "imgclass-db", "max_connections": 901, "allocated_storage_gib": 100}
SERVICE = {"cluster_name": "imgclass", "service_name": "imgclass-api", "max_db_connections": 200}
VALID = {"name": "imgclass-inputs", "environment": "dev", "require_alarm_actions": False, "database": DATABASE}

NO_ACTION = "require_alarm_actions is true but no alarm action is configured"
PERCENT = "must be between 1 and 100"
SLO_TARGET = "must be strictly between 0 and 100"

CASES = [
    # threshold percentages outside 1-100
    ({"database": {**DATABASE, "connections_threshold_percent": 0}}, "database threshold percentages", PERCENT),
    ({"database": {**DATABASE, "connections_threshold_percent": 101}}, "database threshold percentages", PERCENT),
    ({"proxy": {"proxy_name": "imgclass-proxy", "connection_cap": 675, "database_connections_threshold_percent": 120}},
     "proxy threshold percentages", PERCENT),
    ({"ecs_services": {"api": {**SERVICE, "cpu_threshold_percent": 150}}},
     "ecs_services threshold percentages", PERCENT),
    ({"load_balancer": {"arn_suffix": "app/imgclass/50dc6c495c0c9188",
                        "target_group_arn_suffix": "targetgroup/imgclass-api/6d0ecf831eec9f09",
                        "error_rate_threshold_percent": 0}},
     "load_balancer.error_rate_threshold_percent", PERCENT),
    # SLO targets not strictly between 0 and 100
    ({"slo": {"availability_target_percent": 100}}, "slo targets", SLO_TARGET, "no error budget"),
    ({"slo": {"latency_target_percent": 0}}, "slo targets", SLO_TARGET),
    # evaluation periods below 1, and M of N that cannot hold
    ({"evaluation_periods": 0}, "evaluation_periods must be a whole number from 1 to 60"),
    ({"evaluation_periods": 2, "datapoints_to_alarm": 3},
     "datapoints_to_alarm must be a whole number from 1 to evaluation_periods"),
    # no alarm action where the caller requires one (the root requires it in prod)
    ({"require_alarm_actions": True}, NO_ACTION, "An alarm nobody receives is an outage nobody sees"),
    ({"require_alarm_actions": True, "email_subscriptions": ["oncall@example.com"], "actions_enabled": False},
     NO_ACTION),
    # subscriptions
    ({"email_subscriptions": ["oncall-at-example.com"]}, "email_subscriptions entries must be email addresses"),
    ({"email_subscriptions": ["oncall@example"]}, "email_subscriptions entries must be email addresses"),
    ({"https_subscriptions": ["http://hooks.example.com/alarm"]}, "https_subscriptions entries must be https:// URLs"),
    # other inputs the module cannot use
    ({"alarm_topic_arn": "arn:aws:sns:eu-west-1:123456789012:pager",
      "kms_key_arn": "arn:aws:kms:eu-west-1:123456789012:key/0a1b2c3d-1111-2222-3333-444455556666"},
     "kms_key_arn applies only to a topic the module creates"),
    ({"database": {**DATABASE, "max_connections": 0}}, "database.max_connections must be a whole number of at least 1"),
    ({"ecs_services": {"worker": {**SERVICE, "queue_name": "https://sqs.eu-west-1.amazonaws.com/1/jobs"}}},
     "must be SQS queue names (not URLs or ARNs)"),
    ({"load_balancer": {"arn_suffix": "arn:aws:elasticloadbalancing:eu-west-1:1:loadbalancer/app/x/1",
                        "target_group_arn_suffix": "targetgroup/imgclass-api/6d0ecf831eec9f09"}},
     "load_balancer.arn_suffix must look like app/<name>/<id>"),
    ({"runbook_base_url": "https://git.example.com/docs/runbooks/"}, "without a trailing slash"),
    ({"ecs_services": {"api": {**SERVICE, "min_tasks": -1}}},
     "ecs_services max_db_connections and min_tasks must be whole numbers >= 0"),
    ({"slo": {"jobs": {"namespace": "ImgClass/Jobs", "failure_rate_threshold_percent": 100}}},
     "slo.jobs.failure_rate_threshold_percent must be strictly between 0 and 100"),
    ({"slo": {"jobs": {"namespace": "ImgClass/Jobs", "minimum_jobs": 0}}},
     "slo.jobs.minimum_jobs a whole number of at least 1"),
]  # fmt: skip


@pytest.fixture(scope="module")
def ws(emulator, tmp_path_factory):
    # One initialised root for every case: each case only rewrites the module's inputs.
    return module_workspace("cloudwatch-alarms", VALID, emulator, tmp_path_factory.mktemp("cwinputs"))


def _case_id(case: tuple) -> str:
    bad = case[0]
    key = next(iter(bad))
    inner = bad[key]
    if isinstance(inner, dict):
        key += "." + list(inner)[-1]
    return key


@pytest.mark.parametrize("case", CASES, ids=[f"{i}-{_case_id(c)}" for i, c in enumerate(CASES)])
def test_rejected(ws, case):
    bad, *messages = case
    set_module_inputs(ws, {**VALID, **bad})
    assert_rejected(ws, None, *messages)


def test_an_alarm_action_is_required_unless_the_caller_waives_it(ws):
    # The safe default: without require_alarm_actions = false, the baseline's missing action is refused.
    set_module_inputs(ws, {k: v for k, v in VALID.items() if k != "require_alarm_actions"})
    assert_rejected(ws, None, NO_ACTION)


def test_valid_inputs_plan(ws):
    """The baseline the cases start from is itself accepted (so each failure is the case's own)."""
    set_module_inputs(ws, VALID)
    inv = ws.plan()
    assert inv.counts["aws_cloudwatch_metric_alarm"] == 6
