"""Network and public exposure: resource policies, security groups, data stores, the EKS API
endpoint, instance metadata, public IPs, load balancer hardening and WAF.

One module per theme: `resource_policies` (policies that allow the world), `security_groups`,
`data_stores` (public access and subnet placement), `compute` (the EKS endpoint, IMDSv2, public
IPs) and `load_balancers` (header hardening, WAF); `shared` holds what several of them use. S3
buckets are judged in `s3_exposure`.
"""

from __future__ import annotations

from . import compute, data_stores, load_balancers, resource_policies, security_groups

POLICIES = [
    *resource_policies.POLICIES,
    *security_groups.POLICIES,
    *data_stores.POLICIES,
    *compute.POLICIES,
    *load_balancers.POLICIES,
]
