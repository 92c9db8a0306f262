"""OpenSearch in a VPC with fine-grained access control, encrypted at rest and in transit; their
standalone domain policies open to every caller the VPC lets through, as AWS advises for such
domains."""

import json

import pulumi_aws as aws

common = {
    "encrypt_at_rest": {
        "enabled": True,
        "kms_key_id": "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555",
    },
    "node_to_node_encryption": {"enabled": True},
    "domain_endpoint_options": {"enforce_https": True, "tls_security_policy": "Policy-Min-TLS-1-2-2019-07"},
    "ebs_options": {"ebs_enabled": True, "volume_size": 10},
    "vpc_options": {"subnet_ids": ["subnet-0123456789abcdef0"], "security_group_ids": ["sg-0123456789abcdef0"]},
}
search = aws.opensearch.Domain(
    "search",
    domain_name="search",
    engine_version="OpenSearch_2.13",
    cluster_config={"instance_type": "r6g.large.search", "instance_count": 2},
    advanced_security_options={
        "enabled": True,
        "internal_user_database_enabled": False,
        "master_user_options": {"master_user_arn": "arn:aws:iam::123456789012:role/search-admin"},
    },
    **common,
)
legacy = aws.elasticsearch.Domain(
    "legacy-search-private",
    domain_name="legacy-search-private",
    elasticsearch_version="7.10",
    cluster_config={"instance_type": "r6g.large.elasticsearch"},
    **common,
)


def everyone_in_the_vpc(domain_name: str) -> str:
    statement = {
        "Effect": "Allow",
        "Principal": {"AWS": "*"},
        "Action": "es:ESHttp*",
        "Resource": f"arn:aws:es:us-east-1:123456789012:domain/{domain_name}/*",
    }
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


aws.opensearch.DomainPolicy(
    "search-policy", domain_name=search.domain_name, access_policies=everyone_in_the_vpc("search")
)
aws.elasticsearch.DomainPolicy(
    "legacy-search-private-policy",
    domain_name=legacy.domain_name,
    access_policies=everyone_in_the_vpc("legacy-search-private"),
)
