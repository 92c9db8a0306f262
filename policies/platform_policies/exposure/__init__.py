"""Network and public exposure: resource policies, security groups, data stores, the EKS API
endpoint, instance metadata, public IPs, load balancer hardening and WAF.

One module per theme: `resource_policies` (policies that allow the world), `security_groups`,
`data_stores` (public access and subnet placement), `compute` (the EKS endpoint, IMDSv2, public
IPs), `load_balancers` (header hardening, WAF) and `shared_copies` (snapshots, AMIs, Lambda layers
and SSM documents shared with everyone); `shared` holds what several of them use. S3 buckets are
judged in `s3_exposure`.
"""

from __future__ import annotations

from . import compute, data_stores, load_balancers, resource_policies, security_groups, shared_copies

POLICIES = [
    *resource_policies.POLICIES,
    *security_groups.POLICIES,
    *data_stores.POLICIES,
    *compute.POLICIES,
    *load_balancers.POLICIES,
    *shared_copies.POLICIES,
]
