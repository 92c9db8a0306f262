"""OpenSearch mistakes: no encryption at rest or between nodes, HTTP allowed, a public endpoint
without fine-grained access control whose access policy (on the domain, and again in a standalone
domain policy) lets anyone in."""

import json

import pulumi_aws as aws

domain = aws.opensearch.Domain(
    "open-search",
    domain_name="open-search",
    engine_version="OpenSearch_2.13",
    cluster_config={"instance_type": "t3.small.search", "instance_count": 1},
    ebs_options={"ebs_enabled": True, "volume_size": 10},
    access_policies=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": "*"},
                    "Action": "es:*",
                    "Resource": "arn:aws:es:us-east-1:123456789012:domain/open-search/*",
                }
            ],
        }
    ),
)
legacy = aws.elasticsearch.Domain(
    "legacy-search",
    domain_name="legacy-search",
    elasticsearch_version="7.10",
    cluster_config={"instance_type": "t3.small.elasticsearch"},
    ebs_options={"ebs_enabled": True, "volume_size": 10},
    domain_endpoint_options={"enforce_https": True},
    node_to_node_encryption={"enabled": True},
    access_policies=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": "es:ESHttpGet",
                    "Resource": "arn:aws:es:us-east-1:123456789012:domain/legacy-search/*",
                }
            ],
        }
    ),
)


def anyone(domain_name: str) -> str:
    statement = {
        "Effect": "Allow",
        "Principal": "*",
        "Action": "es:ESHttpGet",
        "Resource": f"arn:aws:es:us-east-1:123456789012:domain/{domain_name}/*",
    }
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


aws.opensearch.DomainPolicy("open-search-policy", domain_name=domain.domain_name, access_policies=anyone("open-search"))
aws.elasticsearch.DomainPolicy(
    "legacy-search-policy", domain_name=legacy.domain_name, access_policies=anyone("legacy-search")
)
