"""Preflight: read-only AWS checks of everything a first `pulumi up` needs and no preview can see.

`python -m secure_platform.preflight STACK` (or `make preflight STACK=...`) checks the hosted zone and
its delegation, placeholder values, service-linked roles, cost-allocation tags, alarm
subscriptions, the runner's reach to the EKS API and the interface endpoints, the image tags in
ECR and the quotas the stack needs; each finding names its fix. See docs/runbooks/first-deploy.md.
"""
