"""Logs, messaging, secrets, backups and ECR that are unencrypted, open to everyone, never rotated or
kept too briefly; and one compliant log group on a provider without default tags."""

import json

import pulumi
import pulumi_aws as aws
import pulumi_random as random
from insecure_common import ACCOUNT, REGION, public_resource


# --- logs, messaging, secrets, backups ------------------------------------------------------------
def logs_messaging_secrets_backups(open_bucket: aws.s3.Bucket) -> None:
    aws.cloudwatch.LogGroup("plain-logs")
    aws.cloudwatch.LogResourcePolicy("public-log-policy", policy_name="anyone", policy_document=public_resource("logs"))
    topic = aws.sns.Topic("plain-topic", name="insecure-plain-topic", policy=public_resource("sns"))
    aws.sns.TopicPolicy(
        "public-topic-policy",
        arn=topic.arn,
        policy=public_resource("sns", f"arn:aws:sns:{REGION}:{ACCOUNT}:insecure-plain-topic"),
    )
    queue = aws.sqs.Queue("plain-queue", sqs_managed_sse_enabled=True, policy=public_resource("sqs"))
    aws.sqs.QueuePolicy("public-queue-policy", queue_url=queue.url, policy=public_resource("sqs"))
    secret = aws.secretsmanager.Secret("plain-secret", policy=public_resource("secretsmanager"))
    aws.secretsmanager.SecretPolicy(
        "public-secret-policy", secret_arn=secret.arn, policy=public_resource("secretsmanager")
    )
    aws.secretsmanager.SecretRotation(
        "slow-rotation",
        secret_id=secret.id,
        rotation_lambda_arn="arn:aws:lambda:us-east-1:123456789012:function:rotate-plain-secret",
        rotation_rules={"automatically_after_days": 365},
    )
    plain_value = random.RandomPassword("plain-secret-password", length=32)  # no keepers: never regenerated
    aws.secretsmanager.SecretVersion("plain-secret-value", secret_id=secret.id, secret_string=plain_value.result)
    aws.ssm.Parameter("plain-param", type="SecureString", value="not-a-real-secret")
    aws.cloudtrail.Trail("weak-trail", s3_bucket_name=open_bucket.id)
    vault = aws.backup.Vault("plain-vault")
    aws.backup.VaultPolicy("public-vault-policy", backup_vault_name=vault.name, policy=public_resource("backup"))
    aws.backup.Plan(
        "short-plan",
        rules=[
            {
                "rule_name": "daily",
                "target_vault_name": "plain-vault",
                "schedule": "cron(0 5 * * ? *)",
                "lifecycle": {"delete_after": 1},
            }
        ],
    )


# --- ECR ------------------------------------------------------------------------------------------
def ecr() -> None:
    repo = aws.ecr.Repository("mutable-repo")
    aws.ecr.RepositoryPolicy("public-repo-policy", repository=repo.name, policy=public_resource("ecr"))
    aws.ecr.RegistryPolicy("public-registry-policy", policy=public_resource("ecr"))
    # Scans only on request: covers no repository for ecr-image-scanning, which keeps judging each one.
    aws.ecr.RegistryScanningConfiguration(
        "manual-scanning",
        scan_type="BASIC",
        rules=[{"scan_frequency": "MANUAL", "repository_filters": [{"filter": "*", "filter_type": "WILDCARD"}]}],
    )
    # A lifecycle policy for a repository this program does not manage: the repositories above still lack one.
    aws.ecr.LifecyclePolicy(
        "other-team-lifecycle",
        repository="other-team-repo",
        policy=json.dumps(
            {
                "rules": [
                    {
                        "rulePriority": 1,
                        "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 1000},
                        "action": {"type": "expire"},
                    }
                ]
            }
        ),
    )


# --- a compliant resource on a provider without default tags: only the tag policy fires -----------
def untagged_log_group(weak_key: aws.kms.Key) -> None:
    untagged = aws.Provider("untagged", region=REGION)
    aws.cloudwatch.LogGroup(
        "untagged-log-group",
        kms_key_id=weak_key.arn,
        retention_in_days=400,
        opts=pulumi.ResourceOptions(provider=untagged),
    )
