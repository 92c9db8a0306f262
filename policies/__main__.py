"""Entry point the Pulumi CLI runs (cwd and sys.path[0] are this directory).

Constructing `PolicyPack` starts the analyzer's gRPC server and blocks forever, so this file
does nothing else; the rules live in the importable `platform_policies` package.
"""

from pulumi_policy import EnforcementLevel, PolicyPack

from platform_policies import PACK_NAME, POLICIES, foreign_initial_config

PolicyPack(
    name=PACK_NAME,
    enforcement_level=EnforcementLevel.ADVISORY,
    policies=POLICIES,
    # Levels for programs without a --policy-pack-config of their own; config/<stack>.json names
    # every policy and so overrides all of them.
    initial_config=foreign_initial_config(),
    description="Encryption, least privilege, exposure, logging, data protection, Kubernetes and cost guardrails for AWS programs (pulumi-aws 7, pulumi-eks, pulumi-kubernetes).",
    provider="aws",
    tags=["aws", "security", "compliance", "cost"],
)
