"""terraform/: every rejected input fails the plan with a message that names what to fix.

One initialised root (dev tfvars, a two-AZ test network) serves every case: each case only rewrites
the harness's variables file, which is loaded after the environment's tfvars and so overrides it.
"""

from __future__ import annotations

import pytest

from scripts.tf import unique_name
from tests.harness import assert_rejected
from tests.platform.support import network, platform_workspace

pytestmark = pytest.mark.emulator

# A prod configuration that passes every rule; each prod case breaks exactly one of them.
PROD = {
    "environment": "prod",
    "allowed_origins": ["https://app.example.com"],
    "alarm_email_addresses": ["oncall@example.com"],
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
        {**PROD, "allowed_origins": ["https://app.example.com", "*"]},
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
    (
        "prompt-missing-default",
        {"classification": {"prompts": {"other": "x"}, "model": {"model_id": "m"}}},
        ['must contain a "default" prompt'],
    ),
]


@pytest.fixture(scope="module")
def net(emulator):
    with network(emulator) as created:
        yield created


@pytest.fixture(scope="module")
def ws(emulator, net, tmp_path_factory):
    return platform_workspace("dev", emulator, tmp_path_factory.mktemp("platform-inputs"), net)


def with_network(net, variables):
    return {"network": {"vpc_tags": net["tags"]}, **variables}


@pytest.mark.parametrize(("variables", "fragments"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_rejected_variable(ws, net, variables, fragments):
    output = assert_rejected(ws, with_network(net, variables), *fragments)
    # The case breaks one rule: exactly one error, so the message cannot hide behind another.
    assert output.count("Error:") == 1, output[-3000:]


def test_vpc_lookup_matching_nothing(ws):
    tags = {"Network": unique_name("no-such-network")}
    assert_rejected(
        ws,
        {"network": {"vpc_tags": tags}},
        f'VPC lookup by tags {{"Network":"{tags["Network"]}"}} matched 0 VPCs',
        "exactly one is required",
    )


def test_subnets_in_one_availability_zone(ws, emulator):
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
            {"network": {"vpc_tags": tags}},
            f"The private subnets of {vpc}",
            "span 1 availability zone(s)",
            "in 2 subnet(s); at least two AZs are required",
        )
    finally:
        for subnet in subnets:
            ec2.delete_subnet(SubnetId=subnet)
        ec2.delete_vpc(VpcId=vpc)


def test_over_budget_connections_name_services_and_numbers(ws, net):
    assert_rejected(
        ws,
        with_network(net, {"api": {"max_capacity": 40, "db_pool_size": 5}}),
        "Database connection budget exceeded:",
        "api 40 tasks x 5 = 200 + worker 2 tasks x 2 = 4 + reserved 5 = 209 connections",
        "but the proxy may open only 147 (75 % of max_connections 197 on db.t4g.small)",
        "Lower max_capacity or db_pool_size of a service",
    )


def test_over_budget_from_a_smaller_proxy_share(ws, net):
    """The same rule from the other side: the pool fits the database but not the proxy's share."""
    assert_rejected(
        ws,
        with_network(net, {"proxy": {"max_connections_percent": 8, "max_idle_connections_percent": 5}}),
        "= 19 connections, but the proxy may open only 15 (8 % of max_connections 197",
    )
