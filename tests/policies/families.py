"""Insecure/compliant program pairs per service family (tests/examples/families/<family>/).

FAMILIES: family -> policy -> the resources (logical names) of the family's insecure program that
the policy must catch, exactly, under INSECURE_CONFIG. The compliant twin must raise no finding of
these policies and no mandatory finding at all under the pack's defaults for foreign programs.
"""

from __future__ import annotations

from pathlib import Path

FAMILY_DIR = Path(__file__).resolve().parents[1] / "examples" / "families"

INSECURE_CONFIG: dict = {
    "all": "mandatory",
    "required-tags": {"requiredTags": ["Environment", "Project", "Owner", "CostCenter"]},
    "s3-public-access-block-all": {"requireExplicitBlock": True, "allowPublicWebsites": False},
    "s3-bucket-not-public": {"allowPublicWebsites": False},
    "no-untrusted-account-access": {"trustedAccountIds": ["123456789012", "210987654321"]},
}
"""Every policy mandatory, with the stricter options this repository's stacks use (and the
example programs' two accounts trusted, as the stacks trust theirs)."""

FAMILIES: dict[str, dict[str, set[str]]] = {
    "lambda": {
        "lambda-not-public": {"open-fn-url", "open-fn-permission"},
        "lambda-no-plaintext-secrets": {"legacy-fn"},
        "lambda-supported-runtime": {"legacy-fn"},
        "lambda-dlq-and-tracing": {"legacy-fn"},
    },
    "cloudfront": {
        "cloudfront-https-only": {"open-distribution"},
        "cloudfront-s3-origin-access-control": {"open-distribution"},
        "cloudfront-logging-and-waf": {"open-distribution"},
    },
    "apigateway": {
        "api-gateway-routes-authorized": {
            "open-get-items",
            "open-http-route",
            "quick-create-api",
            "api-key-graphql",
            "api-key-fallback-graphql",
        },
        "api-gateway-access-logging": {"open-rest-stage", "open-http-stage"},
        "api-gateway-rest-waf": {"open-rest-stage"},
        "api-gateway-domain-tls12": {"tls10-domain"},
    },
    "redshift": {
        "encryption-at-rest-enabled": {"open-warehouse"},
        "redshift-not-public": {"open-warehouse", "public-logged-warehouse", "public-workgroup"},
        "redshift-audit-logging": {"open-warehouse"},
        "redshift-enhanced-vpc-routing": {"open-warehouse"},
    },
    "glue": {"glue-security-configuration": {"glue-plain-config", "plain-etl-job", "plain-crawler"}},
    "dynamodb": {
        "dynamodb-point-in-time-recovery": {"plain-orders-table"},
        "dynamodb-table-encrypted-with-cmk": {"plain-orders-table"},
        "database-deletion-protection": {"plain-orders-table"},
    },
    "messaging": {
        "encryption-at-rest-enabled": {"plaintext-queue", "plaintext-topic"},
        "resource-policy-not-public": {"anyone-sends-policy", "anyone-publishes-policy"},
        "sqs-queue-encrypted-with-cmk": {"plaintext-queue"},
        "sns-topic-encrypted-with-cmk": {"plaintext-topic"},
    },
    "efs": {
        "encryption-at-rest-enabled": {"plain-files"},
        "efs-encrypted-with-cmk": {"plain-files"},
        "security-group-no-world-sensitive-ports": {"nfs-world-sg"},
    },
    "opensearch": {
        "encryption-at-rest-enabled": {"open-search", "legacy-search"},
        "opensearch-encrypted-in-transit": {"open-search", "legacy-search"},
        "opensearch-not-public": {"open-search", "legacy-search"},
        "opensearch-domain-policy-not-public": {"open-search-policy", "legacy-search-policy"},
    },
    "stepfunctions": {"stepfunctions-logging-enabled": {"silent-workflow"}},
    "kinesis": {"encryption-at-rest-enabled": {"plain-stream"}},
    "brokers": {"dms-and-mq-not-public": {"default-public-replication", "public-replication", "public-broker"}},
    "shared_copies": {
        "snapshots-and-images-not-public": {
            "public-db-snapshot",
            "public-cluster-snapshot",
            "public-snapshot-copy",
            "public-cluster-snapshot-copy",
            "public-ami",
            "public-ami-distribution",
            "public-layer",
            "public-runbook",
            "unblocked-snapshots",
            "unblocked-images",
        }
    },
    "resource_policies": {
        "resource-policy-not-public": {
            "public-access-grants-policy",
            "public-access-point",
            "public-access-point-policy",
            "public-agent-runtime-policy",
            "public-artifact-domain-policy",
            "public-artifact-repository-policy",
            "public-build-policy",
            "public-bus-permission",
            "public-bus-policy",
            "public-ca-policy",
            "public-catalog-policy",
            "public-datashare-policy",
            "public-delivery-destination-policy",
            "public-email-identity-policy",
            "public-endpoint-principal",
            "public-endpoint-service",
            "public-external-key",
            "public-files-policy",
            "public-fsx-access-point",
            "public-function-policy",
            "public-gallery-push-policy",
            "public-ingest-policy",
            "public-kafka-policy",
            "public-log-destination-policy",
            "public-media-policy",
            "public-metrics-policy",
            "public-model-group-policy",
            "public-mrap-policy",
            "public-object-lambda-policy",
            "public-organization-policy",
            "public-outposts-bucket-policy",
            "public-replica-external-key",
            "public-replica-key",
            "public-repository-template",
            "public-rule-group-policy",
            "public-s3-table-policy",
            "public-schema-registry-policy",
            "public-search-policy",
            "public-sending-policy",
            "public-serverless-snapshot-policy",
            "public-service-network-policy",
            "public-sink-policy",
            "public-sms-pool-policy",
            "public-stream-policy",
            "public-table-bucket-policy",
            "public-table-policy",
            "public-traces-policy",
            "public-vault",
            "public-vault-lock",
            "public-vector-bucket-policy",
        }
    },
    "cross_account": {
        "no-untrusted-account-access": {
            "stranger-trust-role",
            "stranger-key",
            "stranger-key-policy",
            "stranger-grant",
            "stranger-bucket-policy",
            "stranger-push-policy",
            "stranger-invoke",
            "stranger-access-entry",
            "share-with-stranger",
            "stranger-peering",
            "stranger-logs",
            "stranger-bus",
            "stranger-replication",
            "stranger-send-policy",
            "stranger-subscribe-policy",
            "stranger-secret-policy",
            "stranger-bus-policy",
            "stranger-aws-auth",
        }
    },
    "kubernetes_rbac": {
        "k8s-rbac-no-anonymous-or-everyone-bindings": {
            "anonymous-cluster-admin",
            "anonymous-reader",
            "every-service-account-edits",
        }
    },
    "service_tls": {
        "service-connections-use-tls": {
            "plaintext-kafka",
            "plaintext-source",
            "plaintext-warehouse-params",
            "plaintext-webhook",
        }
    },
    "managed_compute": {
        "managed-compute-not-internet-facing": {"open-notebook", "emr-public-access-off", "emr-every-port"}
    },
    "credentials": {
        "iam-no-long-lived-user-credentials": {
            "ci-access-key",
            "ci-console-password",
            "ci-git-password",
            "ci-signing-certificate",
        },
        "no-plaintext-secrets-in-user-data-or-parameters": {
            "secret-boot-instance",
            "secret-boot-spot",
            "secret-boot-template",
            "secret-boot-configuration",
            "db-password",
            "deploy-key",
        },
        "threat-detection-not-disabled": {
            "detector-off",
            "config-recorder-off",
            "macie-paused",
            "s3-protection-off",
            "trail-check-off",
            "public-bucket-check-off",
        },
        "iam-password-policy-strong": {"weak-password-policy"},
    },
    "governance": {
        "no-infrastructure-hidden-from-the-pack": {
            "template-stack",
            "template-stack-set",
            "template-stack-set-instance",
            "template-stack-instances",
            "repository-app",
            "catalog-product",
            "control-ingress",
            "beanstalk-env",
            "local-admin",
            "remote-open",
            "unreviewed-chart",
            "open-exports",
            "native-bucket",
        }
    },
    "ec2": {
        "compute-no-implicit-public-ip": {"implicit-public-instance", "default-vpc-instance", "default-vpc-spot"},
        "compute-no-public-ip": {
            "public-spot-fleet",
            "public-event-task",
            "public-scheduled-task",
            "public-pipe-task",
            "instance-eip",
            "interface-eip-association",
        },
        "ec2-imdsv2-required": {
            "implicit-public-instance",
            "default-vpc-instance",
            "default-vpc-spot",
            "public-spot-fleet",
        },
        "encryption-at-rest-enabled": {
            "implicit-public-instance",
            "default-vpc-instance",
            "default-vpc-spot",
            "unencrypted-volume",
            "public-spot-fleet",
        },
        "ebs-encrypted-with-cmk": {
            "implicit-public-instance",
            "default-vpc-instance",
            "default-vpc-spot",
            "unencrypted-volume",
            "public-spot-fleet",
        },
        "security-group-no-world-sensitive-ports": {"ssh-rdp-world-sg"},
        "security-group-world-ingress-only-on-load-balancers": {"shared-web-sg", "ssh-rdp-world-sg"},
    },
    "iam": {
        "iam-no-admin-managed-policies": {
            "power-user-attachment",
            "iam-full-attachment",
            "s3-full-attachment",
            "sysadmin-attachment",
        },
        "iam-no-wildcard-actions": {"star-star-inline"},
        "iam-trust-policy-restricted": {"github-any-repository-role", "github-any-owner-role", "cognito-any-pool-role"},
    },
    "s3": {
        "s3-bucket-not-public": {"public-website-policy", "legacy-website-policy"},
        "s3-public-access-block-all": {
            "public-website-pab",
            "unblocked-data-pab",
            "legacy-website-pab",
            "external-bucket-pab",
            "computed-bucket-pab",
            "account-pab-off",
            "open-access-point",
            "open-mrap",
        },
        "s3-website-behind-cloudfront": {"public-website", "legacy-website"},
    },
    "documentdb": {"encryption-at-rest-enabled": {"plain-docdb", "plain-graph"}},
    "replication": {
        "s3-stateful-bucket-replicated-cross-region": {"kms-default-bucket", "legacy-kms-bucket", "trail-archive"},
    },
}

FAMILY_SUPPORTING: dict[str, set[str]] = {
    "lambda": {"legacy-fn-role"},
    "cross_account": {"pinned"},
    "apigateway": {
        "open-rest-api",
        "open-items",
        "open-get-items-mock",
        "open-rest-deployment",
        "cors-preflight",
        "open-http-api",
        "http-preflight",
    },
    "efs": {"plain-files-mount"},
    "redshift": {"public-logged-audit"},
    "ec2": {"auto-public-subnet", "nightly-rule"},
    "credentials": {"ci-bot", "config-recorder"},
    "iam": {"ops-role"},
    "s3": {"public-website-config", "legacy-website-config", "bucket-namer-role"},
    "replication": {
        "kms-default-sse",
        "kms-default-replication",
        "legacy-kms-sse",
        "legacy-kms-replication",
        "trail-archive-replication",
        "kms-trail",
    },
}
"""Resources of an insecure program that are not findings themselves (the role a function runs
as, an API's resources, a CORS preflight, the subnet an instance's public IP comes from)."""

WEBSITE_LINKS = {
    "aws:s3/bucketWebsiteConfiguration:BucketWebsiteConfiguration": "a website bucket is always advice",
    "aws:s3/bucketWebsiteConfigurationV2:BucketWebsiteConfigurationV2": "a website bucket is always advice",
}
"""Link types no compliant program holds: a public website bucket is advice by construction (a
private site is served by CloudFront from a bucket without a website configuration)."""
