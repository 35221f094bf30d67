"""terraform/: every rejected input fails the plan with a message that names what to fix.

One initialised root (dev tfvars, a two-AZ test network) serves every case: each case only rewrites
the harness's variables file, which is loaded after the environment's tfvars and so overrides it.
That file always carries the per-account values of the emulator's account (``account_values``),
as TF_VAR_* would in a real account, so each case breaks exactly the rule it names.
"""

from __future__ import annotations

import pytest

from scripts.demo.steps import emulator_account_values
from scripts.terraform.tf import unique_name
from tests.harness import assert_rejected
from tests.platform.support import network, platform_workspace

pytestmark = pytest.mark.emulator

# moto's account: the caller identity every emulator plan runs as.
MOTO_ACCOUNT = "123456789012"

# A prod configuration that passes every rule; each prod case breaks exactly one of them.
PROD = {
    "environment": "prod",
    "allowed_origins": ["https://app.imgclass.localhost"],
    "alarm_email_addresses": ["oncall@alerts.imgclass.localhost"],
    "deletion_protection": True,
    "database": {"instance_class": "db.m6g.large", "multi_az": True, "backup_retention_period": 14},
}

# (id, variables, fragments the error must contain); "{net}" is replaced by the test network.
CASES = [
    (
        "environment-outside-the-set",
        {"environment": "staging"},
        ['environment must be one of: dev, prod (got "staging")'],
    ),
    (
        "prod-deletion-protection-off",
        {**PROD, "deletion_protection": False},
        ["deletion_protection must be true in prod"],
    ),
    (
        "prod-single-az-database",
        {**PROD, "database": {**PROD["database"], "multi_az": False}},
        ["database.multi_az must be true in prod", "single point of failure"],
    ),
    (
        "prod-wildcard-origin",
        {**PROD, "allowed_origins": ["https://app.imgclass.localhost", "*"]},
        ['allowed_origins must not contain "*" in prod'],
    ),
    ("prod-latest-image", {**PROD, "image_tag": "latest"}, ['image_tag must not be "latest" in prod']),
    (
        "prod-without-paging",
        {**PROD, "alarm_email_addresses": []},
        ["prod needs a paging destination"],
    ),
    (
        "prod-short-backups",
        {**PROD, "database": {**PROD["database"], "backup_retention_period": 3}},
        ["at least 7 in prod"],
    ),
    (
        "waf-window-too-long",
        {"waf": {"start_job_window_seconds": 3600}},
        ["waf.start_job_window_seconds must be 60, 120, 300 or 600"],
    ),
    ("waf-limit-below-minimum", {"waf": {"start_job_limit": 5}}, ["from 10 (the lowest rate limit AWS WAF accepts)"]),
    # Per-account values: placeholders and values of another account never reach a plan, and the
    # message says where the value is set (TF_VAR_<name> locally, <ENV>_<NAME> in the pipeline).
    (
        "empty-certificate",
        {"certificate_arn": ""},
        ["certificate_arn is empty", "TF_VAR_certificate_arn", "GitHub variable DEV_CERTIFICATE_ARN"],
    ),
    (
        "placeholder-certificate",
        {"certificate_arn": f"arn:aws:acm:eu-west-1:{MOTO_ACCOUNT}:certificate/00000000-0000-0000-0000-000000000000"},
        ["certificate_arn is a placeholder", "GitHub variable DEV_CERTIFICATE_ARN"],
    ),
    (
        "certificate-of-another-account",
        {"certificate_arn": "arn:aws:acm:eu-west-1:210987654321:certificate/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"},
        [f"certificate_arn must be a certificate of account {MOTO_ACCOUNT} in eu-west-1"],
    ),
    (
        "certificate-of-another-region",
        {"certificate_arn": f"arn:aws:acm:us-east-1:{MOTO_ACCOUNT}:certificate/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"},
        [f"certificate_arn must be a certificate of account {MOTO_ACCOUNT} in eu-west-1"],
    ),
    ("malformed-account-id", {"account_id": "12345"}, ["account_id must be the 12-digit id", "DEV_ACCOUNT_ID"]),
    (
        "placeholder-origin",
        {"allowed_origins": ["https://app.dev.example.com"]},
        ["allowed_origins contains a placeholder origin", "TF_VAR_allowed_origins", "DEV_ALLOWED_ORIGINS"],
    ),
    ("empty-origins", {"allowed_origins": []}, ["allowed_origins is empty", "DEV_ALLOWED_ORIGINS"]),
    (
        "placeholder-alarm-address",
        {**PROD, "alarm_email_addresses": ["oncall@example.com"]},
        ["alarm_email_addresses contains a placeholder address", "PROD_ALARM_EMAIL_ADDRESSES"],
    ),
    (
        "placeholder-paging-endpoint",
        {"alarm_https_endpoints": ["https://events.pager.example/integration/abc"]},
        ["alarm_https_endpoints contains a placeholder host", "DEV_ALARM_HTTPS_ENDPOINTS"],
    ),
    (
        "placeholder-api-domain",
        {"api_domain_name": "api.example.com"},
        ["api_domain_name is a placeholder domain", "DEV_API_DOMAIN_NAME"],
    ),
    (
        "empty-network-filter",
        {"network": {"vpc_tags": {}}},
        ["network.vpc_tags, network.private_subnet_tags and network.public_subnet_tags", "DEV_NETWORK"],
    ),
    (
        "prompt-missing-default",
        {"classification": {"prompts": {"other": "x"}, "model": {"model_id": "m"}}},
        ['must contain a "default" prompt'],
    ),
]


# AWS rules the emulator does not enforce (each cited in terraform/variables.tf). A case breaks several
# independent inputs at once: every broken validation reports its own error in the same plan, and none
# of them references another input, so none is skipped. (id, variables, one fragment per expected error)
AWS_RULE_BATCHES = [
    (
        "rds-hyphens-tag-count-retention-waf-max-receives-prompt-size",
        {
            "service_name": "img--class",
            "tags": {f"Team{i:02d}": "x" for i in range(45)},
            "log_retention_days": 45,
            "waf": {"ip_limit": 3_000_000_000},
            "queue": {"max_receive_count": 1001},
            "classification": {"prompts": {"default": "x" * 4097}, "model": {"model_id": "m"}},
        },
        [
            'service_name must not contain "--": it names the database and its proxy',
            "tags may hold at most 44 keys besides Service, Environment, Owner, CostCenter and ManagedBy (got 45)",
            "log_retention_days must be one of 1, 3, 5, 7, 14, 30, 60, 90, 120,",
            "waf.start_job_limit and waf.ip_limit must be whole numbers from 10 (the lowest rate limit AWS WAF"
            " accepts) to 2000000000",
            "queue.max_receive_count must be a whole number from 1 to 1000",
            'classification.prompts "default" (4097 characters) exceed 4096 characters, the most a Standard-tier'
            " SSM parameter holds",
        ],
    ),
    (
        "s3-prefix-tag-characters-visibility-retention-range",
        {
            "service_name": "sthree-img",
            "tags": {"Cost&Center": "a,b", "Team": "ml"},
            "queue": {
                "visibility_timeout_seconds": 43201,
                "message_retention_seconds": 1_209_601,
                "dlq_retention_seconds": 1_209_601,
            },
        },
        [
            'service_name must not start with "sthree-" or "amzn-s3-demo-": it begins every bucket name',
            "tags keys and values may contain only letters, digits, spaces and _ . : / = + - @",
            "offending keys: Cost&Center.",
            "queue.visibility_timeout_seconds must be between 30 and 43200 (12 hours)",
            "queue.message_retention_seconds and queue.dlq_retention_seconds must be whole numbers of seconds"
            " from 60 to 1209600",
        ],
    ),
    (
        "ssm-prefix-dlq-shorter-than-queue",
        {
            "service_name": "ssm-img",
            "queue": {"message_retention_seconds": 1_209_600, "dlq_retention_seconds": 345_600},
        },
        [
            'service_name must not start with "aws" or "ssm": it is the first level of the worker\'s Parameter'
            " Store path",
            "queue.dlq_retention_seconds (345600) must be at least queue.message_retention_seconds (1209600)",
        ],
    ),
]

# Fragments that name the same error: counted once when checking that each rule reports exactly one.
_SAME_ERROR = {"offending keys: Cost&Center."}


@pytest.fixture(scope="module")
def net(emulator):
    with network(emulator) as created:
        yield created


@pytest.fixture(scope="module")
def ws(emulator, net, tmp_path_factory):
    return platform_workspace("dev", emulator, tmp_path_factory.mktemp("platform-inputs"), net)


@pytest.fixture(scope="module")
def account_values(emulator, net):
    values = emulator_account_values("dev", emulator, net)
    assert values["account_id"] == MOTO_ACCOUNT
    return values


def with_account(account_values, variables):
    return {**account_values, **variables}


@pytest.mark.parametrize(("variables", "fragments"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_rejected_variable(ws, account_values, variables, fragments):
    output = assert_rejected(ws, with_account(account_values, variables), *fragments)
    # The case breaks one rule: exactly one error, so the message cannot hide behind another.
    assert output.count("Error:") == 1, output[-3000:]


@pytest.mark.parametrize(
    ("variables", "fragments"), [c[1:] for c in AWS_RULE_BATCHES], ids=[c[0] for c in AWS_RULE_BATCHES]
)
def test_aws_rules_refused(ws, account_values, variables, fragments):
    output = assert_rejected(ws, with_account(account_values, variables), *fragments)
    # One error per broken rule: none hides behind another, and nothing downstream fails as well.
    assert output.count("Error:") == len([f for f in fragments if f not in _SAME_ERROR]), output[-6000:]


def test_credentials_of_another_account_are_refused(ws, account_values):
    """account_id names another account (its certificate is consistent with it): the caller check
    is what refuses, before anything is compared or changed."""
    other = "210987654321"
    cert = f"arn:aws:acm:eu-west-1:{other}:certificate/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
    output = assert_rejected(
        ws,
        with_account(account_values, {"account_id": other, "certificate_arn": cert}),
        f"account_id is {other}, but these credentials belong to account {MOTO_ACCOUNT}",
        "the GitHub variable DEV_ACCOUNT_ID",
    )
    assert output.count("Error:") == 1, output[-3000:]


def test_vpc_lookup_matching_nothing(ws, account_values):
    tags = {"Network": unique_name("no-such-network")}
    assert_rejected(
        ws,
        with_account(account_values, {"network": {"vpc_tags": tags}}),
        f'VPC lookup by tags {{"Network":"{tags["Network"]}"}} matched 0 VPCs',
        "exactly one is required",
    )


def test_subnets_in_one_availability_zone(ws, emulator, account_values):
    ec2 = emulator.client("ec2")
    tags = {"Network": unique_name("one-az")}
    tag_spec = [{"ResourceType": "vpc", "Tags": [{"Key": "Network", "Value": tags["Network"]}]}]
    vpc = ec2.create_vpc(CidrBlock="10.77.0.0/16", TagSpecifications=tag_spec)["Vpc"]["VpcId"]
    subnets = []
    try:
        for cidr, tier, az in (
            ("10.77.0.0/20", "private", "a"),
            ("10.77.16.0/20", "private", "a"),
            ("10.77.128.0/24", "public", "a"),
            ("10.77.129.0/24", "public", "b"),
        ):
            spec = [{"ResourceType": "subnet", "Tags": [{"Key": "Tier", "Value": tier}]}]
            subnets.append(
                ec2.create_subnet(
                    VpcId=vpc, CidrBlock=cidr, AvailabilityZone=f"{emulator.region}{az}", TagSpecifications=spec
                )["Subnet"]["SubnetId"]
            )
        assert_rejected(
            ws,
            with_account(account_values, {"network": {"vpc_tags": tags}}),
            f"The private subnets of {vpc}",
            "span 1 availability zone(s)",
            "in 2 subnet(s); at least two AZs are required",
        )
    finally:
        for subnet in subnets:
            ec2.delete_subnet(SubnetId=subnet)
        ec2.delete_vpc(VpcId=vpc)


def test_over_budget_connections_name_services_and_numbers(ws, account_values):
    assert_rejected(
        ws,
        with_account(account_values, {"api": {"max_capacity": 40, "db_pool_size": 5}}),
        "Database connection budget exceeded:",
        "api 40 tasks x 5 = 200 + worker 2 tasks x 2 = 4 + reserved 5 = 209 connections",
        "but the proxy may open only 63 (75 % of max_connections 84 on db.t4g.micro)",
        "Lower max_capacity or db_pool_size of a service",
    )


def test_over_budget_from_a_smaller_proxy_share(ws, account_values):
    """The same rule from the other side: the pool fits the database but not the proxy's share."""
    assert_rejected(
        ws,
        with_account(account_values, {"proxy": {"max_connections_percent": 8, "max_idle_connections_percent": 5}}),
        "= 19 connections, but the proxy may open only 6 (8 % of max_connections 84",
    )


def test_a_terraform_tfvars_file_is_refused(ws, account_values):
    """terraform.tfvars would beat the TF_VAR_* per-account values (Terraform's precedence), so its
    mere presence stops the plan instead of silently deploying its values."""
    stray = ws.tfdir / "terraform.tfvars"
    stray.write_text('allowed_origins = ["https://app.acme.io"]\n')
    try:
        output = assert_rejected(
            ws,
            with_account(account_values, {}),
            "terraform/terraform.tfvars (or .tfvars.json) exists and would override the per-account TF_VAR_* values",
            "terraform/dev.account.env",
        )
    finally:
        stray.unlink()
    assert output.count("Error:") == 1, output[-3000:]
