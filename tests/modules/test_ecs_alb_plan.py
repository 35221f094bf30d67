"""modules/alb: validate, checkov and the plan inventory of its example. The load balancer is applied
and read back through the ecs-service api example (tests/modules/test_ecs_service_apply_api.py),
which pays the emulator's 60 s load balancer wait once."""

from __future__ import annotations

import pytest

from scripts.terraform.tf import unique_name
from tests.harness import assert_inventory, example_workspace

pytestmark = pytest.mark.emulator
EXAMPLE = "modules/alb/examples/complete"


@pytest.fixture(scope="module")
def complete(emulator, tmp_path_factory):
    ws = example_workspace(EXAMPLE, emulator, tmp_path_factory.mktemp("albplan"))
    name = unique_name("alb", 20)
    return ws, name, ws.plan({"name": name})


def test_alb_inventory(complete):
    _, name, inv = complete
    assert_inventory(
        inv,
        {
            "counts": {
                "aws_lb": 1,
                "aws_lb_listener": 2,
                "aws_security_group": 1,
                "aws_vpc_security_group_ingress_rule": 2,
                "aws_vpc_security_group_egress_rule": 0,  # services add their own egress to the ALB group
            },
            "values": {
                "module.alb.aws_lb.this": {
                    "name": name,
                    "internal": False,
                    "drop_invalid_header_fields": True,
                    "enable_deletion_protection": True,
                    "desync_mitigation_mode": "strictest",
                    "access_logs": [{"enabled": True, "prefix": "alb"}],
                },
                "module.alb.aws_security_group.this": {"name": f"{name}-alb"},
                "module.alb.aws_lb_listener.https": {
                    "protocol": "HTTPS",
                    "ssl_policy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
                },
                "module.alb.aws_lb_listener.http": {
                    "protocol": "HTTP",
                    "default_action": [
                        {"type": "redirect", "redirect": [{"protocol": "HTTPS", "status_code": "HTTP_301"}]}
                    ],
                },
                "module.logs.aws_s3_bucket_server_side_encryption_configuration.this": {
                    "rule": [{"apply_server_side_encryption_by_default": [{"sse_algorithm": "AES256"}]}]
                },
                'module.alb.aws_vpc_security_group_ingress_rule.https["0.0.0.0/0"]': {"from_port": 443, "to_port": 443},
                'module.alb.aws_vpc_security_group_ingress_rule.http["0.0.0.0/0"]': {"from_port": 80, "to_port": 80},
            },
        },
    )
