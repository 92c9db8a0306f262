"""A private bucket served through CloudFront with origin access control, HTTPS only with TLS 1.2,
access logs and a WAF web ACL."""

import pulumi_aws as aws

oac = aws.cloudfront.OriginAccessControl(
    "site-oac", origin_access_control_origin_type="s3", signing_behavior="always", signing_protocol="sigv4"
)
aws.cloudfront.Distribution(
    "site-distribution",
    enabled=True,
    origins=[
        {"origin_id": "s3", "domain_name": "cf-site.s3.us-east-1.amazonaws.com", "origin_access_control_id": oac.id},
        {
            "origin_id": "api",
            "domain_name": "api.example.com",
            "custom_origin_config": {
                "http_port": 80,
                "https_port": 443,
                "origin_protocol_policy": "https-only",
                "origin_ssl_protocols": ["TLSv1.2"],
            },
        },
    ],
    default_cache_behavior={
        "target_origin_id": "s3",
        "viewer_protocol_policy": "redirect-to-https",
        "allowed_methods": ["GET", "HEAD"],
        "cached_methods": ["GET", "HEAD"],
        "cache_policy_id": "658327ea-f89d-4fab-a63d-7e88639e58f6",
    },
    ordered_cache_behaviors=[
        {
            "path_pattern": "/api/*",
            "target_origin_id": "api",
            "viewer_protocol_policy": "https-only",
            "allowed_methods": ["GET", "HEAD"],
            "cached_methods": ["GET", "HEAD"],
            "cache_policy_id": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
        }
    ],
    restrictions={"geo_restriction": {"restriction_type": "none"}},
    viewer_certificate={
        "acm_certificate_arn": "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000",
        "ssl_support_method": "sni-only",
        "minimum_protocol_version": "TLSv1.2_2021",
    },
    logging_config={"bucket": "cf-logs.s3.amazonaws.com", "include_cookies": False},
    web_acl_id="arn:aws:wafv2:us-east-1:123456789012:global/webacl/edge/a1b2c3d4-0000-0000-0000-000000000000",
)
