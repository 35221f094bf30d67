"""terraform/: rejected inputs that need the emulator's lookups or a file, not only other inputs.

Every other rejected input of the root is a case of terraform/tests/rejected_inputs.toml, checked by
tests/modules/test_rejected_inputs.py under a mocked provider (one terraform test process, no
emulator). The three cases here stay on the emulator because that table cannot express them: its mocks
are the same for every case, and these two lookups must return something else than the base network
(no VPC; subnets in one AZ); and a stray terraform.tfvars is a file in the root, not an input.

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
