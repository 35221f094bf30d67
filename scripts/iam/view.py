"""What AWS knows at the moment it authorizes a call, read from the embedded moto's backends.

Authorization depends on state: ``aws:ResourceTag/*`` are the resource's tags *before* the call, a
KMS call is judged against the key's policy, a role's ARN carries its path. The recorder calls
``checks_for`` before moto serves the request, so these reads see what AWS would see. Every read is
best effort: a resource that does not exist yet (a create) simply has no tags or policy.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass, field
from typing import Any

PARTITION = "aws"


@dataclass
class MotoView:
    account_id: str
    region: str
    # Bucket policies as AWS would see them where the emulator must run without them (TLS-only
    # policies: the emulator speaks plain HTTP, AWS endpoints only TLS).
    bucket_policies: dict[str, dict[str, Any]] = field(default_factory=dict)

    # --- principals -------------------------------------------------------------------------
    def principal_of(self, access_key: str) -> str | None:
        """The role ARN behind an access key of an assumed-role session (None for other callers)."""
        from moto.sts.models import sts_backends

        role = sts_backends[self.account_id][PARTITION].get_assumed_role_from_access_key(access_key)
        return role.role_arn if role else None

    def _iam(self) -> Any:
        from moto.iam.models import iam_backends

        return iam_backends[self.account_id][PARTITION]

    def role(self, name: str) -> Any | None:
        with contextlib.suppress(Exception):
            return self._iam().get_role(name)
        return None

    def role_arn(self, name: str, path: str | None = None) -> str:
        role = self.role(name)
        if role is not None:
            return str(role.arn)
        return f"arn:{PARTITION}:iam::{self.account_id}:role{path or '/'}{name}"

    def role_policies(self, role_arn: str) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        """Identity policies ({name, policy}) of a role and its permissions boundary document."""
        iam = self._iam()
        role = iam.get_role_by_arn(role_arn)
        policies: list[dict[str, Any]] = []
        for name, document in role.policies.items():
            policies.append({"name": name, "policy": _doc(document)})
        for arn, managed in role.managed_policies.items():
            policies.append({"name": arn.rsplit("/", 1)[-1], "policy": _doc(_default_version(managed))})
        boundary = None
        if role.permissions_boundary_arn:
            boundary = _doc(_default_version(iam.get_policy(role.permissions_boundary_arn)))
        return policies, boundary

    def service_linked_role_exists(self, service: str) -> bool:
        return any(r.path.startswith("/aws-service-role/") and service in r.path for r in self._iam().roles.values())

    # --- tags and resource policies -----------------------------------------------------------
    def tags(self, arn: str) -> dict[str, str] | None:
        """Current tags of the resource an ARN names, or None where the emulator cannot say."""
        if not arn.startswith("arn:"):
            return None
        service = arn.split(":")[2]
        reader = getattr(self, f"_tags_{service.replace('-', '_')}", None)
        if reader is None:
            return None
        with contextlib.suppress(Exception):
            return reader(arn)
        return None

    def _tags_ec2(self, arn: str) -> dict[str, str]:
        from moto.ec2.models import ec2_backends

        resource_id = arn.rsplit("/", 1)[-1]
        return dict(ec2_backends[self.account_id][self.region].tags.get(resource_id, {}))

    def _tags_kms(self, arn: str) -> dict[str, str] | None:
        from moto.kms.models import kms_backends

        if ":key/" not in arn:
            return None
        backend = kms_backends[self.account_id][self.region]
        found = backend.list_resource_tags(arn.rsplit("/", 1)[-1])
        return {t["TagKey"]: t["TagValue"] for t in found.get("Tags", [])}

    def _tags_rds(self, arn: str) -> dict[str, str]:
        from moto.rds.models import rds_backends

        return {t["Key"]: t["Value"] for t in rds_backends[self.account_id][self.region].list_tags_for_resource(arn)}

    def key_arn(self, key_id: str) -> str | None:
        """A key id, key ARN, alias name or alias ARN as the key's ARN (None when unknown)."""
        from moto.kms.models import kms_backends

        backend = kms_backends[self.account_id][self.region]
        with contextlib.suppress(Exception):
            resolved = backend.any_id_to_key_id(key_id)
            if resolved in backend.keys:
                return str(backend.keys[resolved].arn)
        return None

    def key_policy(self, key_arn: str) -> dict[str, Any] | None:
        from moto.kms.models import kms_backends

        with contextlib.suppress(Exception):
            key = kms_backends[self.account_id][self.region].keys[key_arn.rsplit("/", 1)[-1]]
            return json.loads(key.policy)
        return None

    def bucket_policy(self, bucket: str) -> dict[str, Any] | None:
        from moto.s3.models import s3_backends

        if bucket in self.bucket_policies:
            return self.bucket_policies[bucket]
        with contextlib.suppress(Exception):
            policy = s3_backends[self.account_id][PARTITION].buckets[bucket].policy
            return json.loads(policy) if policy else None
        return None

    def bucket_kms_key(self, bucket: str) -> str | None:
        """The bucket's default SSE-KMS key ARN, if it encrypts with a customer key."""
        from moto.s3.models import s3_backends

        with contextlib.suppress(Exception):
            encryption = s3_backends[self.account_id][PARTITION].buckets[bucket].encryption or {}
            rule = encryption.get("Rule", {}).get("ApplyServerSideEncryptionByDefault", {})
            if rule.get("SSEAlgorithm") == "aws:kms" and rule.get("KMSMasterKeyID"):
                return self.key_arn(rule["KMSMasterKeyID"])
        return None

    def parameter_key(self, name: str) -> tuple[str, str | None] | None:
        """(type, KMS key ARN) of an existing SSM parameter."""
        from moto.ssm.models import ssm_backends

        with contextlib.suppress(Exception):
            param = ssm_backends[self.account_id][self.region].get_parameter(name)
            if param is not None:
                key = param.keyid or "alias/aws/ssm"
                return param.parameter_type, self.key_arn(key) if param.parameter_type == "SecureString" else None
        return None

    def secret_arn(self, secret_id: str) -> str | None:
        from moto.secretsmanager.models import secretsmanager_backends

        with contextlib.suppress(Exception):
            backend = secretsmanager_backends[self.account_id][self.region]
            return str(backend.describe_secret(secret_id).arn)
        return None

    def proxy_arn(self, name: str) -> str | None:
        from moto.rds.models import rds_backends

        with contextlib.suppress(Exception):
            return str(rds_backends[self.account_id][self.region].db_proxies[name].arn)
        return None

    def proxy_target_group_arn(self, proxy: str) -> str | None:
        from moto.rds.models import rds_backends

        with contextlib.suppress(Exception):
            groups = rds_backends[self.account_id][self.region].db_proxies[proxy].proxy_target_groups
            return str(next(iter(groups.values())).arn)
        return None

    def scalable_target_arn(self, namespace: str, resource_id: str, dimension: str) -> str | None:
        from moto.applicationautoscaling.models import applicationautoscaling_backends

        with contextlib.suppress(Exception):
            backend = applicationautoscaling_backends[self.account_id][self.region]
            for targets in backend.targets.values():
                for target in targets.values():
                    if target.resource_id == resource_id and target.scalable_dimension == dimension:
                        return str(target.arn)
        return None

    def web_acl_for(self, resource_arn: str) -> str | None:
        from moto.wafv2.models import wafv2_backends

        with contextlib.suppress(Exception):
            acl = wafv2_backends[self.account_id][self.region].get_web_acl_for_resource(resource_arn)
            return str(acl.arn) if acl else None
        return None

    def load_balancer_arn(self, name: str) -> str | None:
        from moto.elbv2.models import elbv2_backends

        with contextlib.suppress(Exception):
            for lb in elbv2_backends[self.account_id][self.region].load_balancers.values():
                if lb.name == name:
                    return str(lb.arn)
        return None


def _default_version(policy: Any) -> Any:
    for version in policy.versions:
        if version.is_default:
            return version.document
    return policy.document


def _doc(document: Any) -> dict[str, Any]:
    return json.loads(document) if isinstance(document, str) else dict(document)
