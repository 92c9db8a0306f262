"""The same endpoints kept inside the VPC: publicly_accessible=False, said explicitly."""

import pulumi_aws as aws

aws.dms.ReplicationInstance(
    "private-replication",
    replication_instance_id="private",
    replication_instance_class="dms.t3.micro",
    publicly_accessible=False,
)
aws.mq.Broker(
    "private-broker",
    broker_name="private-broker",
    engine_type="RabbitMQ",
    engine_version="3.13",
    host_instance_type="mq.t3.micro",
    publicly_accessible=False,
    users=[{"username": "app", "password": "not-a-real-password-0"}],
)
