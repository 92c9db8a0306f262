"""EC2 mistakes: public IPs nobody asked for (a public subnet, the default VPC) or asked for by a
spot fleet, IMDSv1, unencrypted volumes, SSH and RDP open to the world, and a load balancer's
world-open group that instances share."""

import pulumi_aws as aws

AMI = "ami-0123456789abcdef0"
public_subnet = aws.ec2.Subnet(
    "auto-public-subnet", vpc_id="vpc-0123456789abcdef0", cidr_block="10.0.1.0/24", map_public_ip_on_launch=True
)
admin = aws.ec2.SecurityGroup(
    "ssh-rdp-world-sg",
    vpc_id="vpc-0123456789abcdef0",
    ingress=[
        {"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_blocks": ["0.0.0.0/0"]},
        {"protocol": "tcp", "from_port": 3389, "to_port": 3389, "ipv6_cidr_blocks": ["::/0"]},
    ],
)
web = aws.ec2.SecurityGroup(
    "shared-web-sg",
    vpc_id="vpc-0123456789abcdef0",
    ingress=[{"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": ["0.0.0.0/0"]}],
)
aws.lb.LoadBalancer(
    "shared-sg-alb", load_balancer_type="application", security_groups=[web.id], subnets=["subnet-a", "subnet-b"]
)
aws.ec2.Instance(
    "implicit-public-instance",
    ami=AMI,
    instance_type="t3.micro",
    subnet_id=public_subnet.id,
    vpc_security_group_ids=[web.id],
)
aws.ec2.Instance("default-vpc-instance", ami=AMI, instance_type="t3.micro", vpc_security_group_ids=[admin.id])
aws.ec2.SpotInstanceRequest("default-vpc-spot", ami=AMI, instance_type="t3.micro", spot_price="0.01")
aws.ebs.Volume("unencrypted-volume", availability_zone="us-east-1a", size=20, type="gp3")
aws.ec2.SpotFleetRequest(
    "public-spot-fleet",
    iam_fleet_role="arn:aws:iam::123456789012:role/aws-ec2-spot-fleet-tagging-role",
    target_capacity=2,
    launch_specifications=[
        {
            "ami": AMI,
            "instance_type": "t3.micro",
            "associate_public_ip_address": True,
            "root_block_devices": [{"encrypted": False, "volume_size": 20, "volume_type": "gp3"}],
            "ebs_block_devices": [{"device_name": "/dev/xvdb", "volume_size": 50, "volume_type": "gp3"}],
        }
    ],
)

# ECS tasks started by EventBridge (a rule's target, a schedule, a pipe) with public IPs, and
# Elastic IPs bound straight to an instance and to a network interface.
CLUSTER = "arn:aws:ecs:us-east-1:123456789012:cluster/jobs"
TASK = "arn:aws:ecs:us-east-1:123456789012:task-definition/report:3"
nightly = aws.cloudwatch.EventRule("nightly-rule", schedule_expression="cron(0 2 * * ? *)")
aws.cloudwatch.EventTarget(
    "public-event-task",
    rule=nightly.name,
    arn=CLUSTER,
    role_arn="arn:aws:iam::123456789012:role/events-run-task",
    ecs_target={
        "task_definition_arn": TASK,
        "launch_type": "FARGATE",
        "network_configuration": {"subnets": ["subnet-0123456789abcdef0"], "assign_public_ip": True},
    },
)
aws.scheduler.Schedule(
    "public-scheduled-task",
    flexible_time_window={"mode": "OFF"},
    schedule_expression="rate(1 hour)",
    target={
        "arn": CLUSTER,
        "role_arn": "arn:aws:iam::123456789012:role/scheduler-run-task",
        "ecs_parameters": {
            "task_definition_arn": TASK,
            "launch_type": "FARGATE",
            "network_configuration": {"subnets": ["subnet-0123456789abcdef0"], "assign_public_ip": True},
        },
    },
)
aws.pipes.Pipe(
    "public-pipe-task",
    role_arn="arn:aws:iam::123456789012:role/pipe-run-task",
    source="arn:aws:sqs:us-east-1:123456789012:report-requests",
    target=CLUSTER,
    target_parameters={
        "ecs_task_parameters": {
            "task_definition_arn": TASK,
            "launch_type": "FARGATE",
            "network_configuration": {
                "aws_vpc_configuration": {"subnets": ["subnet-0123456789abcdef0"], "assign_public_ip": "ENABLED"}
            },
        }
    },
)
aws.ec2.Eip("instance-eip", domain="vpc", instance="i-0123456789abcdef0")
aws.ec2.EipAssociation(
    "interface-eip-association",
    allocation_id="eipalloc-0123456789abcdef0",
    network_interface_id="eni-0123456789abcdef0",
)
