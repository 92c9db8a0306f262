"""Cross-Region replication of a `SecureBucket` (S3 live replication with its least-privilege role).

BackendState replicates the state bucket and the log archive, Storage the assets and backups
buckets, all into `storage.replicationRegion` through the second-Region provider `__main__.py`
creates. The log archive's replica is also the server access log target of every replica in that
Region (S3 delivers server access logs only within a Region).

Permissions and settings follow the S3 User Guide, "Setting up permissions for live replication"
and "Replicating objects created with server-side encryption (SSE-C, SSE-S3, SSE-KMS, DSSE-KMS)":
the role reads the source's replication configuration and object versions and replicates into
the destination; for SSE-KMS sources the rule sets `SourceSelectionCriteria.SseKmsEncryptedObjects`
(S3 skips SSE-KMS objects otherwise) and `ReplicaKmsKeyID` (a key in the destination Region), and
the role may decrypt with the source key and encrypt with the destination key, each only through
S3 in its Region (`kms:ViaService`) and for these buckets (`kms:EncryptionContext:aws:s3:arn`).

A bucket whose default encryption is SSE-S3 can still hold SSE-KMS objects: a writer may name its
own key on each PUT (CloudTrail does, with the trail's `kms_key_id`). Such a source replicates with
`kms_writers=True`: the rule opts in to SSE-KMS objects into `replica_key`, and each writer grants
the role `kms:Decrypt` on its key (`grant_source_key`), so the replication never depends on the
writers' components.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from secure_platform.core import iam
from secure_platform.core.aws_context import AwsContext
from secure_platform.core.naming import Naming
from secure_platform.core.refs import BucketRef, KeyRef, RoleRef, grant
from secure_platform.core.secure_bucket import SecureBucket
from secure_platform.storage import plan as storage_plan


@dataclass(frozen=True, eq=False)
class Replication:
    """A bucket's live replication: its rule and the role S3 assumes for it."""

    config: aws.s3.BucketReplicationConfig
    role: RoleRef


@dataclass(frozen=True, eq=False)
class RegionalProvider:
    """An `aws.Provider` for a second Region (created in `__main__.py` with the stack's tags)."""

    region: str
    provider: pulumi.ProviderResource


def regional(key: str, region: str | None, providers: Mapping[str, pulumi.ProviderResource]) -> RegionalProvider | None:
    """The provider for `region` (named by config key `key`), or None when the key is unset."""
    if region is None:
        return None
    if region not in providers:
        raise ValueError(f"platform:{key} is {region!r} but no provider for that Region was passed")
    return RegionalProvider(region, providers[region])


def replicate(
    scope: pulumi.Resource,
    name: str,
    *,
    source: SecureBucket,
    source_key: KeyRef | None,
    replica: SecureBucket,
    replica_key: KeyRef | None,
    naming: Naming,
    replica_region: str,
    ctx: AwsContext,
    kms_writers: bool = False,
) -> Replication:
    """Replicate every object of `source` into `replica` (created by the caller in the second
    Region): the role S3 assumes for this source only, its policy, and the replication rule.

    `kms_writers`: objects arrive SSE-KMS under keys other than `source_key` (their writers call
    `grant_source_key`); they replicate into `replica_key` too."""
    kms_objects = source_key is not None or kms_writers
    if kms_objects != (replica_key is not None):
        raise ValueError(
            f"{name}: SSE-KMS objects (an SSE-KMS source or kms_writers) need a replica KMS key in "
            f"{replica_region}, and only they do"
        )
    trust = pulumi.Output.all(ctx.account_id, source.arn).apply(
        lambda v: json.dumps(
            iam.document([iam.service_trust("s3.amazonaws.com", source_account=str(v[0]), source_arn_like=str(v[1]))])
        )
    )
    role = aws.iam.Role(
        f"{name}-replication",
        description=f"S3 replication of the {name} bucket of {naming.prefix} to {replica_region}",
        assume_role_policy=trust,
        opts=pulumi.ResourceOptions(parent=scope),
    )
    permissions = aws.iam.RolePolicy(
        f"{name}-replication",
        role=role.name,
        policy=iam.policy_json(
            storage_plan.replication_statements(
                source.arn,
                replica.arn,
                source_key.arn if source_key is not None else None,
                naming.region,
                replica_key.arn if replica_key is not None else None,
                replica_region,
            )
        ),
        opts=pulumi.ResourceOptions(parent=scope),
    )
    config = aws.s3.BucketReplicationConfig(
        name,
        bucket=source.bucket_name,
        role=role.arn,
        rules=[storage_plan.replication_rule(replica.arn, replica_key.arn if replica_key is not None else None)],
        # Both buckets must be versioned first, and S3 checks the role when the rule is saved.
        opts=pulumi.ResourceOptions(parent=scope, depends_on=[source, replica, permissions]),
    )
    return Replication(config, RoleRef(name=role.name, arn=role.arn))


def grant_source_key(
    scope: pulumi.Resource, name: str, *, replication: RoleRef, source: BucketRef, key: KeyRef
) -> aws.iam.RolePolicy:
    """Let `source`'s replication role decrypt the objects `scope` writes into it under `key`
    (through S3 in the key's Region, for that bucket only). Without it S3 cannot read them and
    their replication fails (S3 User Guide, "Replicating encrypted objects (SSE-S3, SSE-KMS,
    DSSE-KMS, SSE-C)")."""
    return grant(scope, name, replication, [storage_plan.replication_decrypt(source.arn, key.arn, key.region)])


def replica_ref(replica: SecureBucket) -> BucketRef:
    return replica.ref
