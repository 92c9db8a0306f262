"""A program that builds on another stack's outputs (the usual split of network and app stacks)."""

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
network = pulumi.StackReference(config.require("networkStack"))
vpc_id = network.get_output("vpcId")

group = aws.ec2.SecurityGroup(
    "app",
    description="app tier",
    vpc_id=vpc_id,
    tags={"Owner": "platform"},
)

pulumi.export("vpcId", vpc_id)
pulumi.export("securityGroupId", group.id)
