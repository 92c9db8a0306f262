"""Least privilege inside IAM policy documents, trust policies and attachments.

Every document a program can write is judged: identity policies (role/user/group inline
policies, managed policies, a role's `inlinePolicies`, Identity Center permission sets' inline
policies) and resource policies (bucket, key,
repository, topic, queue, secret, backup vault, file system, log resource policies). Each
offending statement is reported on its own line (Sid or position), with the fix.

`grants` judges what the statements allow, `principals` who holds or can take permissions;
`documents` finds and parses the documents of a resource for both.
"""

from __future__ import annotations

from . import accounts, grants, principals

# In pack order, which the catalog and the generated docs follow.
POLICIES = [
    grants.wildcard_actions,
    grants.resource_wildcard,
    grants.not_action,
    grants.passrole,
    grants.escalation,
    principals.managed,
    principals.trust,
    principals.irsa,
    principals.users,
    grants.valid,
    principals.elasticache_auth,
    accounts.untrusted_accounts,
]
