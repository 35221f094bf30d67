"""terraform/ with environments/dev.tfvars: what the plan would build (no apply), checked in Python;
its inventory (counts, database and load balancer settings) is data, in terraform/tests/inventory.dev.toml."""

from __future__ import annotations

import fnmatch
import json
import tempfile
from pathlib import Path

import pytest

from scripts.demo.steps import prepare_platform
from scripts.orphans.catalog import prefixed
from scripts.orphans.finder import name_prefix, tag_filters
from tests.harness import inventory_path, shared_plan
from tests.modules.test_cloudwatch_alarms_missing_data import missing_data_table
from tests.platform.support import (
    capacity_providers,
    ingress_from_anywhere,
    network,
    plan_check_errors,
)

pytestmark = pytest.mark.emulator


@pytest.fixture(scope="module")
def planned(emulator, tmp_path_factory):
    """The plan whose inventory tests/modules/test_inventories.py asserts (terraform/tests/inventory.dev.toml),
    and the network it looked up (deleted after the plan: these tests compare its ids only)."""
    shared = shared_plan(inventory_path("terraform", "dev.tfvars"), emulator, tmp_path_factory)
    return shared.inventory, shared.network


@pytest.fixture(scope="module")
def plan(planned):
    return planned[0]


def test_the_looked_up_network_is_used(planned):
    plan, net = planned
    assert sorted(plan.find("module.database.aws_db_subnet_group.this").values["subnet_ids"]) == sorted(
        net["private_subnet_ids"]
    )
    assert sorted(plan.find("module.alb.aws_lb.this").values["subnets"]) == sorted(net["public_subnet_ids"])
    assert sorted(plan.find("module.proxy.aws_db_proxy.this").values["vpc_subnet_ids"]) == sorted(
        net["private_subnet_ids"]
    )
    assert plan.find("terraform_data.network_contract").values["input"]["vpc_id"] == net["vpc_id"]


def test_workers_run_on_spot_and_the_api_does_not(plan):
    worker = plan.find("module.worker.aws_ecs_service.this")
    api = plan.find("module.api.aws_ecs_service.this")
    assert capacity_providers(worker) == {"FARGATE_SPOT": 100}
    assert capacity_providers(api) == {"FARGATE": 100}


def test_only_the_load_balancer_listens_on_the_internet(plan):
    open_rules = ingress_from_anywhere(plan)
    assert open_rules, "the load balancer must accept HTTPS from the internet"
    assert all(a.startswith("module.alb.") for a in open_rules), open_rules


def test_rate_limit_on_start_job(plan):
    acl = plan.one("aws_wafv2_web_acl")
    rules = {r["name"]: r for r in acl.values["rule"]}
    rate = rules["start-job-per-ip"]["statement"][0]["rate_based_statement"][0]
    assert (rate["limit"], rate["evaluation_window_sec"], rate["aggregate_key_type"]) == (10, 600, "IP")
    matches = [s["byte_match_statement"][0] for s in rate["scope_down_statement"][0]["and_statement"][0]["statement"]]
    assert {m["search_string"] for m in matches} == {"/start-job", "POST"}
    assert "block" in json.dumps(rules["start-job-per-ip"]["action"])
    managed = {
        r["statement"][0]["managed_rule_group_statement"][0]["name"]
        for r in acl.values["rule"]
        if r["statement"][0].get("managed_rule_group_statement")
    }
    assert managed == {
        "AWSManagedRulesCommonRuleSet",
        "AWSManagedRulesKnownBadInputsRuleSet",
        "AWSManagedRulesAmazonIpReputationList",
    }


def test_job_queue_redrives_to_an_encrypted_dead_letter_queue(plan):
    jobs = plan.find("aws_sqs_queue.jobs")
    dlq = plan.find("aws_sqs_queue.dlq")
    assert jobs.values["receive_wait_time_seconds"] == 20
    assert jobs.after_unknown.get("kms_master_key_id") and dlq.after_unknown.get("kms_master_key_id")
    assert jobs.after_unknown.get("redrive_policy")  # references the DLQ ARN, known after apply
    assert dlq.values["message_retention_seconds"] == 1209600


def test_image_repositories_are_immutable_and_scanned(plan):
    for repo in plan.of_type("aws_ecr_repository"):
        assert repo.values["image_tag_mutability"] == "IMMUTABLE"
        assert repo.values["image_scanning_configuration"] == [{"scan_on_push": True}]
        assert repo.values["encryption_configuration"][0]["encryption_type"] == "KMS"
    for policy in plan.of_type("aws_ecr_lifecycle_policy"):
        rules = json.loads(policy.values["policy"])["rules"]
        assert [r["selection"]["tagStatus"] for r in rules] == ["untagged", "any"]


def test_worker_parameters_are_encrypted(plan):
    """That later edits survive a re-plan (ignore_changes) is proven after apply, in test_platform_apply."""
    params = {p.values["name"]: p for p in plan.of_type("aws_ssm_parameter")}
    assert set(params) == {"/imgclass/dev/worker/prompts/default", "/imgclass/dev/worker/model"}
    assert all(p.values["type"] == "SecureString" for p in params.values())
    model = json.loads(params["/imgclass/dev/worker/model"].values["value"])
    assert model["model_id"] and model["max_output_tokens"] == 256


def test_uploads_cors_allows_the_listed_origins_to_put(plan):
    """allowed_origins is per account: here the emulator account's value (scripts.demo.steps)."""
    cors = plan.one("aws_s3_bucket_cors_configuration").values["cors_rule"][0]
    assert cors["allowed_methods"] == ["PUT"]
    assert cors["allowed_origins"] == ["http://localhost:3000"]


def test_connection_budget_output(plan):
    budget = plan.outputs["connection_budget"]
    assert budget["services"]["api"] == {"max_tasks": 2, "pool_size": 5, "connections": 10, "peak_connection": 20}
    assert budget["services"]["worker"]["connections"] == 4
    assert budget["total"] == 10 + 4 + 5
    assert budget["max_connections"] == 84  # db.t4g.micro, modules/rds-postgres estimate
    assert budget["proxy_cap"] == 63  # floor(84 * 75 %)
    assert budget["total"] <= budget["proxy_cap"]
    assert plan.find("terraform_data.connection_budget").values["input"]["total"] == budget["total"]


def test_default_tags(plan):
    tags = plan.find("aws_sqs_queue.jobs").values["tags_all"]
    assert {k: tags[k] for k in ("Service", "Environment", "Owner", "CostCenter")} == {
        "Service": "imgclass",
        "Environment": "dev",
        "Owner": "platform-team",
        "CostCenter": "CC-1001",
    }


def test_the_orphan_finder_would_find_every_resource_of_the_plan(plan):
    # `python -m scripts orphans` finds an environment's resources by the tags providers.tf puts on all
    # of them, and the kinds IAM, KMS aliases and dashboards cannot be asked by tag, by locals.tf's
    # name prefix: both must describe what the root creates.
    filters = {f["Key"]: f["Values"] for f in tag_filters("imgclass", "dev")}
    prefix = name_prefix("imgclass", "dev")
    tagged = [r for r in plan.managed.values() if isinstance(r.values.get("tags_all"), dict)]
    assert len(tagged) > 50
    for resource in tagged:
        tags = resource.values["tags_all"]
        assert all(tags.get(key) in values for key, values in filters.items()), resource.address
    named = {"aws_iam_role": "name", "aws_kms_alias": "name", "aws_cloudwatch_dashboard": "dashboard_name"}
    checked = 0
    for resource in (r for r in plan.managed.values() if r.type in named):
        name = resource.values.get(named[resource.type])
        if isinstance(name, str):
            assert prefixed(name.removeprefix("alias/"), prefix), (resource.address, name)
            checked += 1
    assert checked >= 5


def test_plan_passes_the_policy_checks(plan):
    assert plan_check_errors(plan) == []


def test_services_without_an_image_have_no_tasks(emulator):
    """image_tag empty (nothing pushed yet): both services exist with desired count 0 and autoscaling
    0-0, so nothing tries to pull from the empty repositories."""
    from scripts.demo.steps import emulator_account_values

    with network(emulator) as net:
        ws = prepare_platform("dev", emulator, Path(tempfile.mkdtemp(prefix="platform-dev-noimage-")), net).workspace
        pending = ws.plan({**emulator_account_values("dev", emulator, net), "image_tag": ""})
    for service in ("api", "worker"):
        assert pending.find(f"module.{service}.aws_ecs_service.this").values["desired_count"] == 0
        target = pending.find(f"module.{service}.aws_appautoscaling_target.this").values
        assert (target["min_capacity"], target["max_capacity"]) == (0, 0)
        # A parked service may be silent: its running-tasks alarm must not page a new environment.
        alarm = pending.find(f'module.alarms.aws_cloudwatch_metric_alarm.this["{service}-running-tasks"]').values
        assert alarm["treat_missing_data"] == "notBreaching"


DEPLOYMENT_ALARMS = {
    "api": ["imgclass-dev-lb-5xx-rate", "imgclass-dev-lb-p99-latency"],
    "worker": ["imgclass-dev-jobs-failure-rate"],
}


def test_services_roll_back_on_the_alarms_users_feel(plan):
    for service, names in DEPLOYMENT_ALARMS.items():
        (alarms,) = plan.find(f"module.{service}.aws_ecs_service.this").values["alarms"]
        assert (sorted(alarms["alarm_names"]), alarms["enable"], alarms["rollback"]) == (names, True, True)


def test_deployment_alarms_exist_in_the_same_plan_and_tolerate_silence(plan):
    """Each watched name is an alarm this plan creates (one definition, one threshold), and none of them
    counts missing data as breaching, or an idle service's deployment would always roll back."""
    alarms = {a.values["alarm_name"]: a.values for a in plan.of_type("aws_cloudwatch_metric_alarm")}
    for names in DEPLOYMENT_ALARMS.values():
        for name in names:
            assert name in alarms, f"{name} is watched by a service but not created"
            assert alarms[name]["treat_missing_data"] in ("notBreaching", "missing"), name
    assert alarms["imgclass-dev-lb-p99-latency"]["threshold"] == 0.5  # slo.latency_threshold_seconds
    assert plan.find("terraform_data.deployment_alarms").values["input"] == DEPLOYMENT_ALARMS


def test_every_platform_alarm_treats_missing_data_as_the_table_says(plan):
    table = missing_data_table("imgclass-dev")
    got = {
        a.values["alarm_name"].removeprefix("imgclass-dev-"): a.values["treat_missing_data"]
        for a in plan.of_type("aws_cloudwatch_metric_alarm")
    }
    assert set(got) <= set(table), f"platform alarms without an entry: {sorted(set(got) - set(table))}"
    assert got == {k: table[k]["treat_missing_data"] for k in got}


def test_container_insights_log_group_is_created_with_retention_and_key(plan):
    group = plan.find("module.cluster.aws_cloudwatch_log_group.container_insights")
    assert group.values["name"] == "/aws/ecs/containerinsights/imgclass-dev/performance"
    assert group.values["retention_in_days"] == 30
    assert group.after_unknown.get("kms_key_id")


# --- Keys: one per environment and purpose (docs/adr/0018) ----------------------------------------

KEYS = {"data": "module.data_key", "operations": "module.operations_key"}

# Where each encrypted thing gets its key: (module call, argument) for what a module encrypts, and
# (root resource address, expression path) for what the root encrypts itself.
MODULE_KEY_ARGUMENTS = {
    "database": ("kms_key_arn", "data"),
    "uploads_bucket": ("kms_key_arn", "data"),
    "results_bucket": ("kms_key_arn", "data"),
    "cluster": ("kms_key_arn", "operations"),
    "api": ("log_kms_key_arn", "operations"),
    "worker": ("log_kms_key_arn", "operations"),
    "proxy": ("log_kms_key_arn", "operations"),
    "alarms": ("kms_key_arn", "operations"),
}
ROOT_KEY_ARGUMENTS = {
    "aws_sqs_queue.jobs": (("kms_master_key_id",), "data"),
    "aws_sqs_queue.dlq": (("kms_master_key_id",), "data"),
    "aws_ssm_parameter.prompt": (("key_id",), "data"),
    "aws_ssm_parameter.model": (("key_id",), "data"),
    "aws_secretsmanager_secret.db_user": (("kms_key_id",), "data"),
    "aws_cloudwatch_log_group.waf": (("kms_key_id",), "operations"),
    "aws_ecr_repository.this": (("encryption_configuration", 0, "kms_key"), "operations"),
}


def _key_referenced(expression: dict) -> str | None:
    """The purpose of the platform key an expression of the plan's configuration references."""
    refs = set(expression.get("references", []))
    hits = [purpose for purpose, module in KEYS.items() if f"{module}.key_arn" in refs]
    assert len(hits) <= 1, f"{expression} references both keys"
    return hits[0] if hits else None


def _key_policy_log_groups(plan, purpose: str) -> list[str]:
    """The log group ARN patterns a key's policy lets CloudWatch Logs use it for."""
    policy = json.loads(plan.find(f"{KEYS[purpose]}.aws_kms_key.this").values["policy"])
    patterns = []
    for statement in policy["Statement"]:
        if statement["Principal"] == {"Service": "logs.eu-west-1.amazonaws.com"}:
            values = statement["Condition"]["ArnLike"]["kms:EncryptionContext:aws:logs:arn"]
            patterns += [values] if isinstance(values, str) else values
    return patterns


def test_one_key_per_purpose_and_no_other(plan):
    """Two customer-managed keys in dev (issue #11 item 7), not one per module instance."""
    keys = {r.address for r in plan.of_type("aws_kms_key")}
    assert keys == {f"{m}.aws_kms_key.this" for m in KEYS.values()}
    aliases = {r.values["name"] for r in plan.of_type("aws_kms_alias")}
    assert aliases == {"alias/imgclass-dev/data", "alias/imgclass-dev/operations"}
    for module in KEYS.values():
        key = plan.find(f"{module}.aws_kms_key.this").values
        assert key["enable_key_rotation"] is True
        assert key["deletion_window_in_days"] == 7


def test_every_encrypting_module_and_resource_is_handed_its_purposes_key(plan):
    config = plan.raw["configuration"]["root_module"]
    for call, (argument, purpose) in MODULE_KEY_ARGUMENTS.items():
        expression = config["module_calls"][call]["expressions"].get(argument, {})
        assert _key_referenced(expression) == purpose, f"module.{call}.{argument}"
    resources = {r["address"]: r for r in config["resources"]}
    for address, (path, purpose) in ROOT_KEY_ARGUMENTS.items():
        expression = resources[address]["expressions"]
        for step in path:
            expression = expression[step]
        assert _key_referenced(expression) == purpose, address
    # And what they encrypt is encrypted with a key created in this plan (so one of the two above).
    encrypted = {
        "aws_cloudwatch_log_group": "kms_key_id",
        "aws_sns_topic": "kms_master_key_id",
        "aws_sqs_queue": "kms_master_key_id",
        "aws_db_instance": "kms_key_id",
        "aws_secretsmanager_secret": "kms_key_id",
    }
    for rtype, attribute in encrypted.items():
        for res in plan.of_type(rtype):
            assert res.after_unknown.get(attribute), f"{res.address}.{attribute} is not a key of this plan"
    db = plan.one("aws_db_instance")
    assert db.after_unknown.get("performance_insights_kms_key_id") or not db.values.get("performance_insights_enabled")
    assert db.after_unknown.get("master_user_secret_kms_key_id")
    for bucket in ("uploads_bucket", "results_bucket"):
        sse = plan.find(f"module.{bucket}.aws_s3_bucket_server_side_encryption_configuration.this")
        rule = sse.values["rule"][0]["apply_server_side_encryption_by_default"][0]
        assert rule["sse_algorithm"] == "aws:kms"
        assert sse.after_unknown["rule"][0]["apply_server_side_encryption_by_default"][0]["kms_master_key_id"]


def test_every_log_group_is_admitted_by_its_keys_policy(plan):
    """CloudWatch Logs refuses a key whose policy does not name the group (encryption context)."""
    policy = json.loads(plan.find("module.data_key.aws_kms_key.this").values["policy"])
    root = next(s["Principal"]["AWS"] for s in policy["Statement"] if s["Sid"] == "AccountAdministration")
    account = root.split(":")[4]
    arn_prefix = "arn:aws:logs:eu-west-1:{}:log-group:"
    for group in plan.of_type("aws_cloudwatch_log_group"):
        module = group.module.removeprefix("module.") if group.module else None
        purpose = MODULE_KEY_ARGUMENTS[module][1] if module else ROOT_KEY_ARGUMENTS[f"{group.type}.{group.name}"][1]
        arn = arn_prefix.format(account) + group.values["name"]
        patterns = _key_policy_log_groups(plan, purpose)
        assert any(fnmatch.fnmatchcase(arn, p) for p in patterns), f"{arn} not in the {purpose} key: {patterns}"
        other = "data" if purpose == "operations" else "operations"
        assert not any(fnmatch.fnmatchcase(arn, p) for p in _key_policy_log_groups(plan, other)), arn


def test_the_alarm_topics_key_lets_cloudwatch_publish(plan):
    policy = json.loads(plan.find("module.operations_key.aws_kms_key.this").values["policy"])
    statement = next(s for s in policy["Statement"] if s["Principal"] == {"Service": "cloudwatch.amazonaws.com"})
    assert sorted(statement["Action"]) == ["kms:Decrypt", "kms:GenerateDataKey*"]
    assert statement["Condition"]["ArnLike"]["aws:SourceArn"].endswith(":alarm:imgclass-dev-*")
    data = json.loads(plan.find("module.data_key.aws_kms_key.this").values["policy"])
    assert all(s["Principal"] != {"Service": "cloudwatch.amazonaws.com"} for s in data["Statement"])
