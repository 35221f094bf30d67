"""The "existing" network fixture and the demo's command line (fast: boto3 only, no terraform)."""

from __future__ import annotations

import pytest

from scripts.cli import main
from scripts.demo.steps import env_tfvars, managed
from scripts.emulator.network import create_certificate, create_network, delete_network, network_tags
from scripts.errors import UsageError
from scripts.terraform.tf import unique_name


@pytest.mark.emulator
def test_network_has_private_and_public_subnets_in_two_azs_and_cleans_up(emulator):
    ec2 = emulator.client("ec2")
    tags = {"Network": unique_name("fixture")}
    net = create_network(emulator, emulator.region, tags)
    try:
        vpcs = ec2.describe_vpcs(Filters=[{"Name": "tag:Network", "Values": [tags["Network"]]}])["Vpcs"]
        assert [v["VpcId"] for v in vpcs] == [net["vpc_id"]]
        for tier, key in (("private", "private_subnet_ids"), ("public", "public_subnet_ids")):
            subnets = ec2.describe_subnets(
                Filters=[
                    {"Name": "vpc-id", "Values": [net["vpc_id"]]},
                    {"Name": "tag:Tier", "Values": [tier]},
                ]
            )["Subnets"]
            assert sorted(s["SubnetId"] for s in subnets) == sorted(net[key])
            assert len({s["AvailabilityZone"] for s in subnets}) == 2
        routes = ec2.describe_route_tables(RouteTableIds=[net["route_table_id"]])["RouteTables"][0]["Routes"]
        assert any(r.get("GatewayId") == net["internet_gateway_id"] for r in routes)
    finally:
        delete_network(emulator, net)
    assert ec2.describe_vpcs(Filters=[{"Name": "tag:Network", "Values": [tags["Network"]]}])["Vpcs"] == []


@pytest.mark.emulator
def test_certificate_exists_for_the_listener(emulator):
    arn = create_certificate(emulator, emulator.region, "api.test.example.com")
    assert emulator.client("acm").describe_certificate(CertificateArn=arn)["Certificate"]["DomainName"] == (
        "api.test.example.com"
    )


def test_network_tags_per_environment():
    assert network_tags("dev") == {"Network": "shared-dev"}
    assert network_tags("prod") == {"Network": "shared-prod"}


def test_demo_refuses_an_unknown_environment(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["demo", "--env", "staging"])
    assert exit_info.value.code == 2
    assert "invalid choice: 'staging'" in capsys.readouterr().err
    with pytest.raises(UsageError, match="unknown environment 'qa'"):
        env_tfvars("qa")


def test_demo_counts_only_managed_resources_in_state():
    addresses = [
        "data.aws_vpc.this",
        "module.api.data.aws_region.current",
        "aws_sqs_queue.jobs",
        "module.api.aws_ecs_service.this",
    ]
    assert managed(addresses) == ["aws_sqs_queue.jobs", "module.api.aws_ecs_service.this"]
