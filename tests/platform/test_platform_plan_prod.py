"""terraform/ with environments/prod.tfvars: the safety rails and sizes prod gets (no apply), checked in
Python; its inventory (counts, database and load balancer settings) is data, in terraform/tests/inventory.prod.toml."""

from __future__ import annotations

import pytest

from scripts.checks import CheckOptions, run_checks
from tests.harness import inventory_path, shared_plan
from tests.platform.support import (
    capacity_providers,
    ingress_from_anywhere,
    plan_check_errors,
)

pytestmark = pytest.mark.emulator


@pytest.fixture(scope="module")
def plan(emulator, tmp_path_factory):
    """The plan whose inventory tests/modules/test_inventories.py asserts (terraform/tests/inventory.prod.toml)."""
    return shared_plan(inventory_path("terraform", "prod.tfvars"), emulator, tmp_path_factory).inventory


def test_prod_keys_wait_the_longest_window_before_deletion(plan):
    for purpose in ("data", "operations"):
        key = plan.find(f"module.{purpose}_key.aws_kms_key.this").values
        assert (key["enable_key_rotation"], key["deletion_window_in_days"]) == (True, 30)


def test_nothing_holding_data_is_force_deletable(plan):
    for bucket in plan.of_type("aws_s3_bucket"):
        assert bucket.values["force_destroy"] is False, bucket.address
    for repo in plan.of_type("aws_ecr_repository"):
        assert repo.values["force_delete"] is False, repo.address
    for secret in plan.of_type("aws_secretsmanager_secret"):
        assert secret.values["recovery_window_in_days"] == 30, secret.address


def test_no_spot_in_prod(plan):
    for role in ("api", "worker"):
        service = plan.find(f"module.{role}.aws_ecs_service.this")
        assert "FARGATE_SPOT" not in capacity_providers(service), service.address


def test_more_tasks(plan):
    api = plan.find("module.api.aws_appautoscaling_target.this").values
    worker = plan.find("module.worker.aws_appautoscaling_target.this").values
    assert (api["min_capacity"], api["max_capacity"]) == (2, 10)
    assert (worker["min_capacity"], worker["max_capacity"]) == (1, 10)


def test_alarms_page_someone(plan):
    sub = plan.one("aws_sns_topic_subscription")
    assert (sub.values["protocol"], sub.values["endpoint"]) == ("email", "oncall@alerts.imgclass.localhost")


def test_only_https_origins(plan):
    cors = plan.one("aws_s3_bucket_cors_configuration").values["cors_rule"][0]
    assert cors["allowed_origins"] == ["https://app.imgclass.localhost"]


def test_only_the_load_balancer_listens_on_the_internet(plan):
    open_rules = ingress_from_anywhere(plan)
    assert open_rules and all(a.startswith("module.alb.") for a in open_rules), open_rules


def test_connection_budget_fits_with_headroom(plan):
    budget = plan.outputs["connection_budget"]
    assert budget["services"]["api"]["connections"] == 100  # 10 tasks x 10
    assert budget["services"]["worker"]["connections"] == 40  # 10 tasks x 4
    assert budget["total"] == 145
    assert budget["max_connections"] == 811  # db.m6g.large, modules/rds-postgres estimate
    assert budget["proxy_cap"] == 608
    assert budget["headroom_percent"] >= 50


def test_prod_states_its_intents_and_the_checks_read_the_plan(plan):
    # terraform/locals.tf maps the environment to intents once; the modules and the checks take them.
    assert plan.outputs["intents"] == {
        "production_like": True,
        "minimum_backup_retention_days": 7,
        "allow_latest_image_tag": False,
        "require_alarm_actions": True,
        "require_deletion_protection": True,
        "require_multi_az": True,
    }
    report = run_checks(plan, CheckOptions.build())
    assert report.prod_like is True
    # The budget is the root's own statement (output connection_budget), its reserve included.
    [budget] = report.budgets
    assert budget.max_connections_source == "root output connection_budget"
    assert (budget.max_connections, budget.cap, budget.total) == (811, 608, 145)


def test_api_url_uses_the_domain(plan):
    assert plan.outputs["api_url"] == "https://api.imgclass.localhost"


def test_plan_passes_the_policy_checks(plan):
    assert plan_check_errors(plan) == []


def test_services_roll_back_on_the_alarms_users_feel(plan):
    expected = {
        "api": ["imgclass-prod-lb-5xx-rate", "imgclass-prod-lb-p99-latency"],
        "worker": ["imgclass-prod-jobs-failure-rate"],
    }
    created = {a.values["alarm_name"] for a in plan.of_type("aws_cloudwatch_metric_alarm")}
    for service, names in expected.items():
        (alarms,) = plan.find(f"module.{service}.aws_ecs_service.this").values["alarms"]
        assert (sorted(alarms["alarm_names"]), alarms["enable"], alarms["rollback"]) == (names, True, True)
        assert set(names) <= created
