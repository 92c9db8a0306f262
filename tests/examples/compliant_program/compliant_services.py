"""Logs, messaging, secrets, backups and ECR configured the way the pack asks: encrypted with the
customer-managed key, policies that admit only the services that need them, rotated secrets, a
multi-Region trail, a locked backup vault and immutable, scanned repositories with lifecycles."""

import json

import pulumi
import pulumi_aws as aws
import pulumi_random as random
from compliant_common import ACCOUNT, PROTECT, REGION, ROOT, doc


# --- logs, messaging, secrets, backups ------------------------------------------------------------
def logs_messaging_secrets_backups(
    key: aws.kms.Key, trail_logs: aws.s3.Bucket | aws.s3.BucketV2
) -> aws.secretsmanager.Secret:
    """Returns the API token secret the ECS task reads."""
    aws.cloudwatch.LogGroup("app-logs", kms_key_id=key.arn, retention_in_days=365)
    aws.cloudwatch.LogResourcePolicy(
        "route53-query-logs",
        policy_name="route53-query-logs",
        policy_document=doc(
            {
                "Effect": "Allow",
                "Principal": {"Service": "route53.amazonaws.com"},
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/route53/*",
                "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
            }
        ),
    )
    topic = aws.sns.Topic("alerts", kms_master_key_id=key.arn)
    aws.sns.TopicPolicy(
        "alerts-policy",
        arn=topic.arn,
        policy=topic.arn.apply(
            lambda arn: doc(
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudwatch.amazonaws.com"},
                    "Action": "sns:Publish",
                    "Resource": arn,
                    "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
                }
            )
        ),
    )
    queue = aws.sqs.Queue("jobs", kms_master_key_id=key.arn)
    aws.sqs.QueuePolicy(
        "jobs-policy",
        queue_url=queue.url,
        policy=pulumi.Output.all(queue.arn, topic.arn).apply(
            lambda a: doc(
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "sns.amazonaws.com"},
                    "Action": "sqs:SendMessage",
                    "Resource": a[0],
                    "Condition": {"ArnEquals": {"aws:SourceArn": a[1]}},
                }
            )
        ),
    )
    secret = aws.secretsmanager.Secret("api-token", kms_key_id=key.arn, opts=PROTECT)
    aws.secretsmanager.SecretRotation(
        "api-token-rotation",
        secret_id=secret.id,
        rotation_lambda_arn=f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:rotate-api-token",
        rotation_rules={"automatically_after_days": 30},
    )
    # A secret the stack regenerates itself: a new value at the first deployment of every 30-day period.
    session_value = random.RandomPassword(
        "session-key-value", length=48, special=False, keepers={"rotation": "30d-24659"}
    )
    session_secret = aws.secretsmanager.Secret(
        "session-key", kms_key_id=key.arn, tags={"RotationDays": "30"}, opts=PROTECT
    )
    aws.secretsmanager.SecretVersion(
        "session-key-version", secret_id=session_secret.id, secret_string=session_value.result
    )
    aws.ssm.Parameter("feature-flags", type="SecureString", value="{}", key_id=key.arn)
    aws.cloudtrail.Trail(
        "trail",
        s3_bucket_name=trail_logs.id,
        kms_key_id=key.arn,
        is_multi_region_trail=True,
        include_global_service_events=True,
        enable_log_file_validation=True,
    )
    vault = aws.backup.Vault("vault", kms_key_arn=key.arn, opts=PROTECT)
    aws.backup.VaultPolicy(
        "vault-policy",
        backup_vault_name=vault.name,
        policy=vault.arn.apply(
            lambda arn: doc(
                {
                    "Sid": "NoDeletes",
                    "Effect": "Deny",
                    "Principal": {"AWS": "*"},
                    "Action": ["backup:DeleteRecoveryPoint", "backup:UpdateRecoveryPointLifecycle"],
                    "Resource": arn,
                }
            )
        ),
    )
    aws.backup.Plan(
        "plan",
        rules=[
            {
                "rule_name": "daily",
                "target_vault_name": "vault",
                "schedule": "cron(0 5 * * ? *)",
                "lifecycle": {"delete_after": 35},
            }
        ],
    )
    return secret


# --- ECR ------------------------------------------------------------------------------------------
EXPIRE_UNTAGGED = json.dumps(
    {
        "rules": [
            {
                "rulePriority": 1,
                "description": "expire untagged",
                "selection": {
                    "tagStatus": "untagged",
                    "countType": "sinceImagePushed",
                    "countUnit": "days",
                    "countNumber": 7,
                },
                "action": {"type": "expire"},
            }
        ]
    }
)


def ecr(key: aws.kms.Key) -> aws.ecr.Repository:
    """Returns the repository the ECS task pulls from."""
    repo = aws.ecr.Repository(
        "app",
        image_tag_mutability="IMMUTABLE",
        image_scanning_configuration={"scan_on_push": True},
        encryption_configurations=[{"encryption_type": "KMS", "kms_key": key.arn}],
        opts=PROTECT,
    )
    aws.ecr.LifecyclePolicy("app-lifecycle", repository=repo.name, policy=EXPIRE_UNTAGGED)
    aws.ecr.RepositoryPolicy(
        "app-pull",
        repository=repo.name,
        policy=doc(
            {
                "Sid": "AccountPull",
                "Effect": "Allow",
                "Principal": {"AWS": ROOT},
                "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"],
            }
        ),
    )
    # Scanned by the registry's enhanced scanning rule rather than its own scan-on-push setting.
    worker_repo = aws.ecr.Repository(
        "worker",
        image_tag_mutability="IMMUTABLE",
        encryption_configurations=[{"encryption_type": "KMS", "kms_key": key.arn}],
        opts=PROTECT,
    )
    aws.ecr.LifecyclePolicy("worker-lifecycle", repository=worker_repo.name, policy=EXPIRE_UNTAGGED)
    aws.ecr.RegistryScanningConfiguration(
        "enhanced-scanning",
        scan_type="ENHANCED",
        rules=[
            {"scan_frequency": "CONTINUOUS_SCAN", "repository_filters": [{"filter": "*", "filter_type": "WILDCARD"}]}
        ],
    )
    aws.ecr.RegistryPolicy(
        "replication-from-build-account",
        policy=doc(
            {
                "Sid": "BuildAccountReplication",
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::210987654321:root"},
                "Action": ["ecr:CreateRepository", "ecr:ReplicateImage"],
                "Resource": f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/*",
            }
        ),
    )
    return repo
