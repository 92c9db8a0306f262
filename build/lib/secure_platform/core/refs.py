"""Typed handles to resources other components use, with CDK-style `grant_*` methods.

A handle carries only what a consumer needs (ARNs, names, the key that encrypts it) — never the
resource object, so no component reaches into another's children. A grant is made by the
component that owns the *resource* (the `scope`): it creates an `aws.iam.RolePolicy` on the role,
parented to that component, with statements from `secure_platform.core.iam` scoped to this resource's ARN
(and, for encrypted resources, the key use the access implies, limited to that service through
`kms:ViaService`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from secure_platform.core import iam


@dataclass(frozen=True, eq=False)
class RoleRef:
    """An IAM role: `name` for inline policies and attachments, `arn` for trust and task definitions."""

    name: pulumi.Output[str]
    arn: pulumi.Output[str]


def grant(scope: pulumi.Resource, name: str, role: RoleRef, statements: Sequence[iam.Statement]) -> aws.iam.RolePolicy:
    """Attach `statements` to `role` as an inline policy owned by `scope` (the granting component)."""
    for stmt in statements:
        iam.check_identity_statement(stmt)
    return aws.iam.RolePolicy(
        name,
        role=role.name,
        policy=iam.policy_json(list(statements)),
        opts=pulumi.ResourceOptions(parent=scope),
    )


@dataclass(frozen=True, eq=False)
class KeyRef:
    """A customer-managed KMS key (its alias is for humans and the `awskms://` URL)."""

    arn: pulumi.Output[str]
    key_id: pulumi.Output[str]
    alias: str
    region: str

    def statement(
        self, actions: Sequence[str] = iam.KMS_DECRYPT, *, via_services: Sequence[str] = (), sid: str = "UseKey"
    ) -> iam.Statement:
        return iam.kms_use(self.arn, actions, via_services=via_services, region=self.region, sid=sid)

    def grant(
        self,
        scope: pulumi.Resource,
        name: str,
        role: RoleRef,
        actions: Sequence[str] = iam.KMS_DECRYPT,
        *,
        via_services: Sequence[str] = (),
    ) -> aws.iam.RolePolicy:
        return grant(scope, name, role, [self.statement(actions, via_services=via_services)])

    def grant_decrypt(
        self, scope: pulumi.Resource, name: str, role: RoleRef, *, via_services: Sequence[str] = ()
    ) -> aws.iam.RolePolicy:
        return self.grant(scope, name, role, iam.KMS_DECRYPT, via_services=via_services)

    def grant_encrypt_decrypt(
        self, scope: pulumi.Resource, name: str, role: RoleRef, *, via_services: Sequence[str] = ()
    ) -> aws.iam.RolePolicy:
        return self.grant(scope, name, role, iam.KMS_ENCRYPT_DECRYPT, via_services=via_services)


@dataclass(frozen=True, eq=False)
class BucketRef:
    """An S3 bucket. `name` resolves once the bucket's policy is in place, so services that check
    write access when they are configured (ALB access logs, CloudTrail, S3 logging) succeed."""

    name: pulumi.Output[str]
    arn: pulumi.Output[str]
    region: str
    kms_key: KeyRef | None = None

    def _key_statements(self, actions: Sequence[str]) -> list[iam.Statement]:
        if self.kms_key is None:
            return []
        return [self.kms_key.statement(actions, via_services=("s3",), sid="BucketKey")]

    def read_statements(self, prefix: str = "") -> list[iam.Statement]:
        return [*iam.s3_read(self.arn, prefix), *self._key_statements(iam.KMS_DECRYPT)]

    def write_statements(self, prefix: str = "") -> list[iam.Statement]:
        # SSE-KMS uploads need GenerateDataKey; multipart uploads also Decrypt.
        return [*iam.s3_write(self.arn, prefix), *self._key_statements(iam.KMS_ENCRYPT_DECRYPT)]

    def grant_read(self, scope: pulumi.Resource, name: str, role: RoleRef, *, prefix: str = "") -> aws.iam.RolePolicy:
        return grant(scope, name, role, self.read_statements(prefix))

    def grant_write(self, scope: pulumi.Resource, name: str, role: RoleRef, *, prefix: str = "") -> aws.iam.RolePolicy:
        return grant(scope, name, role, self.write_statements(prefix))

    def grant_read_write(
        self, scope: pulumi.Resource, name: str, role: RoleRef, *, prefix: str = ""
    ) -> aws.iam.RolePolicy:
        statements = [*iam.s3_read_write(self.arn, prefix), *self._key_statements(iam.KMS_ENCRYPT_DECRYPT)]
        return grant(scope, name, role, statements)


@dataclass(frozen=True, eq=False)
class LogGroupRef:
    """A CloudWatch Logs group (encrypted by CloudWatch Logs itself: writers need no key grant)."""

    name: pulumi.Output[str]
    arn: pulumi.Output[str]

    def grant_write(self, scope: pulumi.Resource, name: str, role: RoleRef) -> aws.iam.RolePolicy:
        return grant(scope, name, role, [iam.logs_write(self.arn, sid="WriteLogGroup")])


@dataclass(frozen=True, eq=False)
class SecretRef:
    """A Secrets Manager secret; its value never travels through the program, only its ARN."""

    arn: pulumi.Output[str]
    kms_key: KeyRef | None = None

    def read_statements(self) -> list[iam.Statement]:
        statements = [iam.secrets_read([self.arn])]
        if self.kms_key is not None:
            statements.append(
                self.kms_key.statement(iam.KMS_DECRYPT, via_services=("secretsmanager",), sid="SecretKey")
            )
        return statements

    def grant_read(self, scope: pulumi.Resource, name: str, role: RoleRef) -> aws.iam.RolePolicy:
        return grant(scope, name, role, self.read_statements())


@dataclass(frozen=True, eq=False)
class RepositoryRef:
    """An ECR repository."""

    arn: pulumi.Output[str]
    name: pulumi.Output[str]
    url: pulumi.Output[str]
    kms_key: KeyRef | None = None

    def grant_pull(self, scope: pulumi.Resource, name: str, role: RoleRef) -> aws.iam.RolePolicy:
        return grant_pull(scope, name, role, [self])


def grant_pull(
    scope: pulumi.Resource, name: str, role: RoleRef, repositories: Sequence[RepositoryRef]
) -> aws.iam.RolePolicy:
    """Pull from several repositories with one policy (inline policies share a 10 KB budget per role).

    No key statement: ECR decrypts KMS-encrypted images through the grant it holds on the key.
    """
    return grant(scope, name, role, iam.ecr_pull([r.arn for r in repositories]))


@dataclass(frozen=True, eq=False)
class TopicRef:
    """An SNS topic (encrypted with the logs key for alarm topics)."""

    arn: pulumi.Output[str]
    name: pulumi.Output[str]
    kms_key: KeyRef | None = None

    def grant_publish(self, scope: pulumi.Resource, name: str, role: RoleRef) -> aws.iam.RolePolicy:
        statements = [iam.sns_publish(self.arn)]
        if self.kms_key is not None:
            statements.append(
                self.kms_key.statement(("kms:Decrypt", "kms:GenerateDataKey"), via_services=("sns",), sid="TopicKey")
            )
        return grant(scope, name, role, statements)


@dataclass(frozen=True, eq=False)
class OidcProviderRef:
    """An EKS cluster's IAM OIDC provider, for IRSA trust policies."""

    arn: pulumi.Output[str]
    issuer: pulumi.Output[str]
    """Issuer URL (with or without `https://`)."""


@dataclass(frozen=True, eq=False)
class DatabaseEndpoint:
    """How applications reach the database: address and port, and the RDS-managed master secret
    (JSON with `username` and `password`), by ARN only."""

    address: pulumi.Output[str]
    port: pulumi.Output[int]
    engine: str
    database_name: str
    master_secret: SecretRef


@dataclass(frozen=True, eq=False)
class CacheEndpoint:
    """How applications reach Redis: TLS always; the auth token, if any, by secret ARN only."""

    address: pulumi.Output[str]
    port: int
    auth_secret: SecretRef | None
