"""CloudFront mistakes: plain HTTP to viewers and to a custom origin with TLS 1.0, an S3 origin
without origin access control, no logs, no WAF."""

import pulumi_aws as aws

aws.cloudfront.Distribution(
    "open-distribution",
    enabled=True,
    origins=[
        {
            "origin_id": "s3",
            "domain_name": "cf-insecure-origin.s3.us-east-1.amazonaws.com",
            "s3_origin_config": {"origin_access_identity": ""},
        },
        {
            "origin_id": "legacy-api",
            "domain_name": "api.example.com",
            "custom_origin_config": {
                "http_port": 80,
                "https_port": 443,
                "origin_protocol_policy": "match-viewer",
                "origin_ssl_protocols": ["TLSv1", "TLSv1.2"],
            },
        },
    ],
    default_cache_behavior={
        "target_origin_id": "s3",
        "viewer_protocol_policy": "allow-all",
        "allowed_methods": ["GET", "HEAD"],
        "cached_methods": ["GET", "HEAD"],
        "cache_policy_id": "658327ea-f89d-4fab-a63d-7e88639e58f6",
    },
    restrictions={"geo_restriction": {"restriction_type": "none"}},
    viewer_certificate={
        "acm_certificate_arn": "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000",
        "ssl_support_method": "sni-only",
        "minimum_protocol_version": "TLSv1",
    },
)
