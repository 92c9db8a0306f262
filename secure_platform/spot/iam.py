"""The IAM permissions the spot optimizer uses: exactly these read-only actions, nothing else.

Source for each action's resource types and condition keys: AWS Service Authorization Reference,
"Actions defined by Amazon EC2" and "Actions defined by AWS Price List"
(https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html,
https://docs.aws.amazon.com/service-authorization/latest/reference/list_awspricelist.html): none
of them has a resource type, so `Resource` must be `"*"`; each is a List/Read action.

Who needs them: the identity that runs `pulumi up` for a stack with an EKS spot node group (the
dynamic provider runs in that process, with its credentials) and a person running the CLI
without `--offline`. Who does not: previews and drift checks once a choice is held in the state.
They work without any of these actions (the held types are judged on the bundled data; a denied
market call only means no savings check), so the pull-request/preview role need not have them;
granting them there only lets previews report a saving above the thresholds early.

Every action is optional at run time: without it the optimizer falls back to the bundled data
for that part, with a warning. The policy pack's least-privilege rules still apply: no wildcard
actions.
"""

from __future__ import annotations

from typing import Any

SPOT_OPTIMIZER_ACTIONS: dict[str, str] = {
    "ec2:DescribeAvailabilityZones": "the region's zones and zone IDs",
    "ec2:DescribeInstanceTypes": "the spot-capable catalogue (vCPU, memory, architecture)",
    "ec2:DescribeInstanceTypeOfferings": "which types each zone offers",
    "ec2:DescribeSpotPriceHistory": "spot prices of the candidate pools",
    "ec2:GetSpotPlacementScores": "capacity scores per zone for the chosen set",
    "pricing:GetProducts": "on-demand prices, for savings",
}
"""Action -> what the optimizer reads with it."""

NEEDED_FOR_PREVIEW: tuple[str, ...] = ()
"""Actions a preview or drift check of a stack with a held choice needs: none."""


def optimizer_policy_document() -> dict[str, Any]:
    """The least-privilege identity policy for whoever runs `pulumi up` (or the CLI live)."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "SpotOptimizerReadMarket",
                "Effect": "Allow",
                "Action": sorted(SPOT_OPTIMIZER_ACTIONS),
                "Resource": "*",
            }
        ],
    }
