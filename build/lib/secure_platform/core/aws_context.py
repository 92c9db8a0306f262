"""Account and partition of the deployment, looked up once per component through its provider."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws


@dataclass(frozen=True, eq=False)
class AwsContext:
    account_id: pulumi.Output[str]
    partition: pulumi.Output[str]
    region: str

    @staticmethod
    def lookup(parent: pulumi.Resource, region: str) -> AwsContext:
        """Invokes parented to `parent`, so they use the provider the component was given."""
        opts = pulumi.InvokeOptions(parent=parent)
        identity = aws.get_caller_identity_output(opts=opts)
        partition = aws.get_partition_output(opts=opts)
        return AwsContext(account_id=identity.account_id, partition=partition.partition, region=region)
