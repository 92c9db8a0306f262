"""The same services over TLS: Kafka clients and brokers on TLS (the defaults, said explicitly),
a DMS endpoint verifying the server certificate, require_ssl on, and an HTTPS subscription; an S3
target endpoint has no SSL mode to set."""

import pulumi_aws as aws

aws.msk.Cluster(
    "tls-kafka",
    cluster_name="events",
    kafka_version="3.6.0",
    number_of_broker_nodes=3,
    broker_node_group_info={
        "instance_type": "kafka.m5.large",
        "client_subnets": ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1", "subnet-0123456789abcdef2"],
        "security_groups": ["sg-0123456789abcdef0"],
    },
    encryption_info={"encryption_in_transit": {"client_broker": "TLS", "in_cluster": True}},
)
aws.dms.Endpoint(
    "tls-source",
    endpoint_id="orders-source",
    endpoint_type="source",
    engine_name="postgres",
    server_name="orders.internal.example.com",
    port=5432,
    database_name="orders",
    ssl_mode="verify-full",
    certificate_arn="arn:aws:dms:us-east-1:123456789012:cert:ORDERSCA",
    secrets_manager_arn="arn:aws:secretsmanager:us-east-1:123456789012:secret:dms-orders",
    secrets_manager_access_role_arn="arn:aws:iam::123456789012:role/dms-secrets",
)
aws.dms.Endpoint(
    "archive-target",
    endpoint_id="orders-archive",
    endpoint_type="target",
    engine_name="s3",
    service_access_role="arn:aws:iam::123456789012:role/dms-s3",
)
aws.redshift.ParameterGroup(
    "tls-warehouse-params", family="redshift-1.0", parameters=[{"name": "require_ssl", "value": "true"}]
)
aws.sns.TopicSubscription(
    "tls-webhook",
    topic="arn:aws:sns:us-east-1:123456789012:orders",
    protocol="https",
    endpoint="https://hooks.example.com/orders",
)
