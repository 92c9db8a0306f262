"""An instance in a private subnet: no public IP, IMDSv2 required, encrypted volumes with a
customer-managed key, reachable only from another security group; a spot fleet launching from the
same launch template (launch specifications cannot require IMDSv2)."""

import pulumi
import pulumi_aws as aws

AMI = "ami-0123456789abcdef0"
key = aws.kms.Key(
    "ebs-key", enable_key_rotation=True, deletion_window_in_days=30, opts=pulumi.ResourceOptions(protect=True)
)
private_subnet = aws.ec2.Subnet(
    "private-subnet", vpc_id="vpc-0123456789abcdef0", cidr_block="10.0.11.0/24", map_public_ip_on_launch=False
)
clients = aws.ec2.SecurityGroup("app-clients-sg", vpc_id="vpc-0123456789abcdef0", description="callers")
app = aws.ec2.SecurityGroup(
    "app-sg",
    vpc_id="vpc-0123456789abcdef0",
    description="app from its callers only",
    ingress=[{"protocol": "tcp", "from_port": 8443, "to_port": 8443, "security_groups": [clients.id]}],
)
aws.ec2.Instance(
    "private-instance",
    ami=AMI,
    instance_type="t3.micro",
    subnet_id=private_subnet.id,
    vpc_security_group_ids=[app.id],
    metadata_options={"http_tokens": "required", "http_endpoint": "enabled"},
    root_block_device={"encrypted": True, "kms_key_id": key.arn, "volume_type": "gp3"},
)
aws.ec2.SpotInstanceRequest(
    "private-spot",
    ami=AMI,
    instance_type="t3.micro",
    spot_price="0.01",
    subnet_id=private_subnet.id,
    associate_public_ip_address=False,
    metadata_options={"http_tokens": "required", "http_endpoint": "enabled"},
    root_block_device={"encrypted": True, "kms_key_id": key.arn, "volume_type": "gp3"},
)
aws.ebs.Volume(
    "data-volume",
    availability_zone="us-east-1a",
    size=20,
    type="gp3",
    encrypted=True,
    kms_key_id=key.arn,
    opts=pulumi.ResourceOptions(protect=True),
)

# EBS encryption by default with the customer-managed key: volumes of launch templates that do not
# say `encrypted` are encrypted with it.
aws.ebs.EncryptionByDefault("account-ebs-encryption", enabled=True)
aws.ebs.DefaultKmsKey("account-ebs-key", key_arn=key.arn)
template = aws.ec2.LaunchTemplate(
    "private-template",
    image_id=AMI,
    instance_type="t3.micro",
    metadata_options={"http_tokens": "required", "http_endpoint": "enabled"},
    block_device_mappings=[{"device_name": "/dev/xvda", "ebs": {"volume_size": 20, "volume_type": "gp3"}}],
    vpc_security_group_ids=[app.id],
)
aws.ec2.SpotFleetRequest(
    "private-spot-fleet",
    iam_fleet_role="arn:aws:iam::123456789012:role/aws-ec2-spot-fleet-tagging-role",
    target_capacity=2,
    launch_template_configs=[
        {
            "launch_template_specification": {"id": template.id, "version": template.latest_version.apply(str)},
            "overrides": [{"subnet_id": private_subnet.id}],
        }
    ],
)

# ECS tasks started by EventBridge in private subnets, and an Elastic IP kept for a NAT gateway.
CLUSTER = "arn:aws:ecs:us-east-1:123456789012:cluster/jobs"
TASK = "arn:aws:ecs:us-east-1:123456789012:task-definition/report:3"
nightly = aws.cloudwatch.EventRule("nightly-rule", schedule_expression="cron(0 2 * * ? *)")
aws.cloudwatch.EventTarget(
    "private-event-task",
    rule=nightly.name,
    arn=CLUSTER,
    role_arn="arn:aws:iam::123456789012:role/events-run-task",
    ecs_target={
        "task_definition_arn": TASK,
        "launch_type": "FARGATE",
        "network_configuration": {
            "subnets": [private_subnet.id],
            "security_groups": [app.id],
            "assign_public_ip": False,
        },
    },
)
aws.scheduler.Schedule(
    "private-scheduled-task",
    flexible_time_window={"mode": "OFF"},
    schedule_expression="rate(1 hour)",
    target={
        "arn": CLUSTER,
        "role_arn": "arn:aws:iam::123456789012:role/scheduler-run-task",
        "ecs_parameters": {
            "task_definition_arn": TASK,
            "launch_type": "FARGATE",
            "network_configuration": {
                "subnets": [private_subnet.id],
                "security_groups": [app.id],
                "assign_public_ip": False,
            },
        },
    },
)
aws.pipes.Pipe(
    "private-pipe-task",
    role_arn="arn:aws:iam::123456789012:role/pipe-run-task",
    source="arn:aws:sqs:us-east-1:123456789012:report-requests",
    target=CLUSTER,
    target_parameters={
        "ecs_task_parameters": {
            "task_definition_arn": TASK,
            "launch_type": "FARGATE",
            "network_configuration": {
                "aws_vpc_configuration": {"subnets": [private_subnet.id], "assign_public_ip": "DISABLED"}
            },
        }
    },
)
aws.ec2.Eip("nat-eip", domain="vpc")
