"""Encryption at rest with customer-managed KMS keys.

AWS encrypts most services by default with AWS-owned or AWS-managed keys; those keys cannot be
scoped by a key policy, audited per use, or revoked. Every store here must name a customer-managed
key (a key ARN/id/alias that is not `alias/aws/...`).

One module per kind of store: `s3` (bucket default encryption), `databases` (RDS, Aurora,
ElastiCache), `ebs` (volumes wherever they are defined) and `services` (the stores whose key is
one property of one resource, and key rotation); `shared` holds what they have in common.
"""

from __future__ import annotations

from . import databases, ebs, s3, services

POLICIES = [*s3.POLICIES, *databases.POLICIES, *ebs.POLICIES, *services.POLICIES]
