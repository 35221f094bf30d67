"""scripts/emulator/ext_ec2.py: security group rule descriptions come back for every kind of rule."""

from __future__ import annotations

import pytest

from scripts.emulator import Emulator


@pytest.fixture(scope="module")
def ec2():
    with Emulator() as emu:
        yield emu.client("ec2")


def _tcp(port: int, **peers: list[dict[str, str]]) -> dict:
    """A permission for one TCP port with its peers (UserIdGroupPairs, PrefixListIds or IpRanges)."""
    return {"IpProtocol": "tcp", "FromPort": port, "ToPort": port, **peers}


def test_descriptions_of_group_prefix_list_and_cidr_rules(ec2):
    vpc = ec2.create_vpc(CidrBlock="10.8.0.0/16")["Vpc"]["VpcId"]
    service = ec2.create_security_group(VpcId=vpc, GroupName="service", Description="service")["GroupId"]
    balancer = ec2.create_security_group(VpcId=vpc, GroupName="balancer", Description="balancer")["GroupId"]
    prefix_list = ec2.create_managed_prefix_list(PrefixListName="s3", MaxEntries=2, AddressFamily="IPv4")["PrefixList"][
        "PrefixListId"
    ]
    ec2.authorize_security_group_ingress(
        GroupId=service,
        IpPermissions=[_tcp(8080, UserIdGroupPairs=[{"GroupId": balancer, "Description": "from the load balancer"}])],
    )
    ec2.authorize_security_group_egress(
        GroupId=service,
        IpPermissions=[
            _tcp(443, PrefixListIds=[{"PrefixListId": prefix_list, "Description": "to the S3 endpoint"}]),
            _tcp(5432, IpRanges=[{"CidrIp": "10.8.0.0/16", "Description": "to the database"}]),
        ],
    )
    rules = ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [service]}])["SecurityGroupRules"]
    by_port = {r["FromPort"]: r.get("Description") for r in rules if r["FromPort"] != -1}
    assert by_port == {8080: "from the load balancer", 443: "to the S3 endpoint", 5432: "to the database"}


def test_rule_without_description_has_none(ec2):
    vpc = ec2.create_vpc(CidrBlock="10.7.0.0/16")["Vpc"]["VpcId"]
    a = ec2.create_security_group(VpcId=vpc, GroupName="a", Description="a")["GroupId"]
    b = ec2.create_security_group(VpcId=vpc, GroupName="b", Description="b")["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=a,
        IpPermissions=[_tcp(80, UserIdGroupPairs=[{"GroupId": b}])],
    )
    rules = ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [a]}])["SecurityGroupRules"]
    (rule,) = [r for r in rules if not r["IsEgress"]]
    assert "Description" not in rule or rule["Description"] in (None, "")
