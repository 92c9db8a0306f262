"""Migration and messaging endpoints on the internet: a DMS replication instance left to AWS's
default (public), one made public, and a public Amazon MQ broker."""

import pulumi_aws as aws

aws.dms.ReplicationInstance(
    "default-public-replication", replication_instance_id="default-public", replication_instance_class="dms.t3.micro"
)
aws.dms.ReplicationInstance(
    "public-replication",
    replication_instance_id="public",
    replication_instance_class="dms.t3.micro",
    publicly_accessible=True,
)
aws.mq.Broker(
    "public-broker",
    broker_name="public-broker",
    engine_type="RabbitMQ",
    engine_version="3.13",
    host_instance_type="mq.t3.micro",
    publicly_accessible=True,
    users=[{"username": "app", "password": "not-a-real-password-0"}],
)
