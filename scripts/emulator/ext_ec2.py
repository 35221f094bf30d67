"""EC2 security group rule descriptions that moto 5.2.5 stores but does not return.

DescribeSecurityGroupRules answers ``Description`` only for rules with a CIDR range. A rule that
references another security group keeps its description with the group pair, and a rule to a managed
prefix list loses it, so every ``aws_vpc_security_group_ingress_rule`` / ``_egress_rule`` with
``referenced_security_group_id`` or ``prefix_list_id`` and a description plans an update forever.
AWS returns the description for every kind of rule; so does the emulator with this extension.
"""

from __future__ import annotations

import inspect
from typing import Any


def _install_rule_descriptions() -> None:
    from moto.ec2.models.security_groups import SecurityGroupRule

    original_init = SecurityGroupRule.__init__
    signature = inspect.signature(original_init)

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        # moto passes the prefix list entry positionally; keep its description beside the ID.
        prefix_list = signature.bind(self, *args, **kwargs).arguments.get("prefix_list_id")
        self._prefix_list_description = (prefix_list or {}).get("Description")

    def description(self: Any) -> str | None:
        return (
            self.ip_range.get("Description")
            or self.source_group.get("Description")
            or getattr(self, "_prefix_list_description", None)
        )

    SecurityGroupRule.__init__ = __init__
    SecurityGroupRule.description = property(description)


def install() -> None:
    _install_rule_descriptions()
