"""Data services talking in plaintext: a Kafka cluster taking plaintext clients and replicating
unencrypted, a DMS source endpoint without TLS, a Redshift parameter group that drops
require_ssl, and an SNS subscription delivering over HTTP."""

import pulumi_aws as aws

aws.msk.Cluster(
    "plaintext-kafka",
    cluster_name="events",
    kafka_version="3.6.0",
    number_of_broker_nodes=3,
    broker_node_group_info={
        "instance_type": "kafka.m5.large",
        "client_subnets": ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1", "subnet-0123456789abcdef2"],
        "security_groups": ["sg-0123456789abcdef0"],
    },
    encryption_info={"encryption_in_transit": {"client_broker": "TLS_PLAINTEXT", "in_cluster": False}},
)
aws.dms.Endpoint(
    "plaintext-source",
    endpoint_id="orders-source",
    endpoint_type="source",
    engine_name="postgres",
    server_name="orders.internal.example.com",
    port=5432,
    database_name="orders",
    secrets_manager_arn="arn:aws:secretsmanager:us-east-1:123456789012:secret:dms-orders",
    secrets_manager_access_role_arn="arn:aws:iam::123456789012:role/dms-secrets",
)
aws.redshift.ParameterGroup(
    "plaintext-warehouse-params", family="redshift-1.0", parameters=[{"name": "require_ssl", "value": "false"}]
)
aws.sns.TopicSubscription(
    "plaintext-webhook",
    topic="arn:aws:sns:us-east-1:123456789012:orders",
    protocol="http",
    endpoint="http://hooks.example.com/orders",
)
