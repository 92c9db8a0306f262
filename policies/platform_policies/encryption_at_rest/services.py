"""Customer-managed keys on the other stores, each named by a property of one resource: EKS
secrets, CloudWatch log groups, SNS topics, SQS queues, DynamoDB tables, ECR repositories, secrets
and SecureString parameters, EFS, CloudTrail and backup vaults; and rotation of the keys themselves.
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import ResourceValidationArgs, Severity

from ..helpers import as_list, get, key_ref, truthy
from ..registry import Controls, Report, resource_policy
from .shared import CRYPTO, _cmk


def _eks_secrets(args: ResourceValidationArgs, report: Report) -> None:
    p = args.props
    fix = "Set encryption_config={resources: ['secrets'], provider: {key_arn: <customer-managed key ARN>}}"
    if args.resource_type == "eks:index:Cluster":
        if not _cmk(key_ref(p, "encryptionConfigKeyArn")):
            report(
                f"EKS cluster '{args.name}' does not envelope-encrypt Kubernetes secrets with a customer-managed key. Set encryption_config_key_arn=<customer-managed key ARN>."
            )
        return
    configs = as_list(get(p, "encryptionConfig"))
    if not any("secrets" in as_list(get(c, "resources")) and _cmk(key_ref(c, "provider", "keyArn")) for c in configs):
        report(
            f"EKS cluster '{args.name}' does not envelope-encrypt Kubernetes secrets with a customer-managed key. {fix}."
        )


eks_secrets = resource_policy(
    "eks-secrets-encrypted-with-cmk",
    category="encryption-at-rest",
    description="EKS clusters envelope-encrypt Kubernetes secrets with a customer-managed KMS key.",
    severity=Severity.HIGH,
    controls=CRYPTO,
    remediation="aws.eks.Cluster: encryption_config={resources: ['secrets'], provider: {key_arn: key.arn}}; eks.Cluster: encryption_config_key_arn=key.arn.",
    validate=_eks_secrets,
    types=("aws:eks/cluster:Cluster", "eks:index:Cluster"),
    covers=("CKV_AWS_58",),
)


def _simple_cmk(prop: str, kind: str, fix: str) -> Any:
    def check(args: ResourceValidationArgs, report: Report) -> None:
        if not _cmk(key_ref(args.props, prop)):
            value = get(args.props, prop)
            how = "with an AWS-managed key" if isinstance(value, str) and value else "without a customer-managed key"
            report(f"{kind} '{args.name}' is encrypted {how}. {fix}")

    return check


log_groups = resource_policy(
    "cloudwatch-log-group-encrypted-with-cmk",
    category="encryption-at-rest",
    description="CloudWatch log groups are encrypted with a customer-managed KMS key.",
    severity=Severity.MEDIUM,
    controls=CRYPTO,
    remediation="Set kms_key_id=<customer-managed key ARN> on aws.cloudwatch.LogGroup; the key policy must allow logs.<region>.amazonaws.com with an kms:EncryptionContext:aws:logs:arn condition.",
    validate=_simple_cmk("kmsKeyId", "CloudWatch log group", "Set kms_key_id=<customer-managed key ARN>."),
    types=("aws:cloudwatch/logGroup:LogGroup",),
    covers=("CKV_AWS_158",),
)

sns_topics = resource_policy(
    "sns-topic-encrypted-with-cmk",
    category="encryption-at-rest",
    description="SNS topics are encrypted with a customer-managed KMS key (not alias/aws/sns).",
    severity=Severity.MEDIUM,
    controls=CRYPTO,
    remediation="Set kms_master_key_id=<customer-managed key ARN> on aws.sns.Topic; allow the publishing services (e.g. cloudwatch.amazonaws.com) kms:GenerateDataKey* and kms:Decrypt in the key policy.",
    validate=_simple_cmk("kmsMasterKeyId", "SNS topic", "Set kms_master_key_id=<customer-managed key ARN>."),
    types=("aws:sns/topic:Topic",),
    covers=("CKV_AWS_26",),
)

sqs_queues = resource_policy(
    "sqs-queue-encrypted-with-cmk",
    category="encryption-at-rest",
    description="SQS queues are encrypted with a customer-managed KMS key (SQS-managed SSE and alias/aws/sqs are not enough).",
    severity=Severity.MEDIUM,
    controls=CRYPTO,
    remediation="Set kms_master_key_id=<customer-managed key ARN> on aws.sqs.Queue.",
    validate=_simple_cmk(
        "kmsMasterKeyId",
        "SQS queue",
        "Set kms_master_key_id=<customer-managed key ARN> (sqs_managed_sse_enabled uses an AWS-owned key).",
    ),
    types=("aws:sqs/queue:Queue",),
    covers=("AwsSolutions-SQS2", "CKV_AWS_27", "CKV2_AWS_73"),
)


def _dynamodb(args: ResourceValidationArgs, report: Report) -> None:
    sse = get(args.props, "serverSideEncryption") or {}
    if not truthy(get(sse, "enabled")) or not _cmk(key_ref(sse, "kmsKeyArn")):
        report(
            f"DynamoDB table '{args.name}' is encrypted with an AWS-owned or AWS-managed key. Set server_side_encryption={{enabled: True, kms_key_arn: <customer-managed key ARN>}}."
        )


dynamodb_tables = resource_policy(
    "dynamodb-table-encrypted-with-cmk",
    category="encryption-at-rest",
    description="DynamoDB tables are encrypted with a customer-managed KMS key.",
    severity=Severity.MEDIUM,
    controls=CRYPTO,
    remediation="Set server_side_encryption={enabled: True, kms_key_arn: key.arn} on aws.dynamodb.Table.",
    validate=_dynamodb,
    types=("aws:dynamodb/table:Table",),
    covers=("CKV_AWS_119", "awsguard:dynamodb-table-encryption-enabled"),
)


def _ecr(args: ResourceValidationArgs, report: Report) -> None:
    configs = as_list(get(args.props, "encryptionConfigurations"))
    if not any(get(c, "encryptionType") in ("KMS", "KMS_DSSE") and _cmk(key_ref(c, "kmsKey")) for c in configs):
        report(
            f"ECR repository '{args.name}' is encrypted with AES256 or the AWS-managed aws/ecr key. Set encryption_configurations=[{{encryption_type: 'KMS', kms_key: <customer-managed key ARN>}}] (replaces the repository)."
        )


ecr_repos = resource_policy(
    "ecr-repository-encrypted-with-cmk",
    category="encryption-at-rest",
    description="ECR repositories encrypt images with a customer-managed KMS key.",
    severity=Severity.MEDIUM,
    controls=CRYPTO,
    remediation="Set encryption_configurations=[{encryption_type: 'KMS', kms_key: key.arn}] on aws.ecr.Repository.",
    validate=_ecr,
    types=("aws:ecr/repository:Repository",),
    covers=("CKV_AWS_136",),
)


def _secrets(args: ResourceValidationArgs, report: Report) -> None:
    p = args.props
    t = args.resource_type
    if t == "aws:secretsmanager/secret:Secret":
        if not _cmk(key_ref(p, "kmsKeyId")):
            report(
                f"Secrets Manager secret '{args.name}' uses the AWS-managed aws/secretsmanager key. Set kms_key_id=<customer-managed key ARN>."
            )
    elif t == "aws:ssm/parameter:Parameter":
        if get(p, "type") == "SecureString" and not _cmk(key_ref(p, "keyId")):
            report(
                f"SSM SecureString parameter '{args.name}' uses the AWS-managed aws/ssm key. Set key_id=<customer-managed key ARN>."
            )
    elif truthy(get(p, "manageMasterUserPassword")) and not _cmk(key_ref(p, "masterUserSecretKmsKeyId")):
        report(
            f"The RDS-managed master user secret of '{args.name}' uses the AWS-managed key. Set master_user_secret_kms_key_id=<customer-managed key ARN>."
        )


secrets = resource_policy(
    "secrets-encrypted-with-cmk",
    category="encryption-at-rest",
    description="Secrets (Secrets Manager secrets, RDS-managed master user secrets, SSM SecureString parameters) are encrypted with a customer-managed key.",
    severity=Severity.HIGH,
    controls=Controls(soc2=("CC6.1", "C1.1"), iso27001=("A.8.24", "A.5.17"), pci=("3.5.1", "8.3.2")),
    remediation="Set kms_key_id (secretsmanager.Secret), master_user_secret_kms_key_id (rds.Instance/Cluster with manage_master_user_password) or key_id (ssm.Parameter SecureString) to a customer-managed key.",
    validate=_secrets,
    types=(
        "aws:secretsmanager/secret:Secret",
        "aws:ssm/parameter:Parameter",
        "aws:rds/instance:Instance",
        "aws:rds/cluster:Cluster",
    ),
    covers=("CKV_AWS_149", "CKV2_AWS_34"),
)


def _efs(args: ResourceValidationArgs, report: Report) -> None:
    if not truthy(get(args.props, "encrypted")):
        report(
            f"EFS file system '{args.name}' is not encrypted. Set encrypted=True and kms_key_id=<customer-managed key ARN> (cannot be changed after creation)."
        )
    elif not _cmk(key_ref(args.props, "kmsKeyId")):
        report(
            f"EFS file system '{args.name}' is encrypted with the AWS-managed aws/elasticfilesystem key. Set kms_key_id=<customer-managed key ARN>."
        )


efs = resource_policy(
    "efs-encrypted-with-cmk",
    category="encryption-at-rest",
    description="EFS file systems are encrypted with a customer-managed KMS key.",
    severity=Severity.HIGH,
    controls=Controls(soc2=("CC6.1", "C1.1"), iso27001=("A.8.24",), pci=("3.5.1",), cis=("2.4.1",)),
    remediation="Set encrypted=True and kms_key_id=key.arn on aws.efs.FileSystem.",
    validate=_efs,
    types=("aws:efs/fileSystem:FileSystem",),
    covers=("AwsSolutions-EFS1", "CKV_AWS_42", "CKV_AWS_184", "awsguard:efs-encrypted"),
)

cloudtrail = resource_policy(
    "cloudtrail-encrypted-with-cmk",
    category="encryption-at-rest",
    description="CloudTrail log files are encrypted with a customer-managed KMS key (SSE-KMS).",
    severity=Severity.HIGH,
    controls=Controls(soc2=("CC6.1", "CC7.2"), iso27001=("A.8.24", "A.8.15"), pci=("3.5.1", "10.3.2"), cis=("3.5",)),
    remediation="Set kms_key_id=<customer-managed key ARN> on aws.cloudtrail.Trail; the key policy must allow cloudtrail.amazonaws.com kms:GenerateDataKey* with the aws:SourceArn of the trail.",
    validate=_simple_cmk("kmsKeyId", "CloudTrail trail", "Set kms_key_id=<customer-managed key ARN>."),
    types=("aws:cloudtrail/trail:Trail",),
    covers=("CKV_AWS_35",),
)

backup_vaults = resource_policy(
    "backup-vault-encrypted-with-cmk",
    category="encryption-at-rest",
    description="AWS Backup vaults encrypt recovery points with a customer-managed KMS key.",
    severity=Severity.MEDIUM,
    controls=Controls(soc2=("CC6.1", "A1.2"), iso27001=("A.8.24", "A.8.13"), pci=("3.5.1",)),
    remediation="Set kms_key_arn=<customer-managed key ARN> on aws.backup.Vault.",
    validate=_simple_cmk("kmsKeyArn", "Backup vault", "Set kms_key_arn=<customer-managed key ARN>."),
    types=("aws:backup/vault:Vault",),
    covers=("CKV_AWS_166",),
)


def _rotation(args: ResourceValidationArgs, report: Report) -> None:
    p = args.props
    spec = get(p, "customerMasterKeySpec", default="SYMMETRIC_DEFAULT")
    if spec != "SYMMETRIC_DEFAULT" or get(p, "keyUsage", default="ENCRYPT_DECRYPT") != "ENCRYPT_DECRYPT":
        return  # asymmetric and HMAC keys cannot rotate automatically
    if get(p, "customKeyStoreId") or get(p, "xksKeyId"):
        return  # keys in custom key stores are rotated by their owner
    if not truthy(get(p, "enableKeyRotation")):
        report(
            f"KMS key '{args.name}' has automatic rotation off. Set enable_key_rotation=True (and optionally rotation_period_in_days)."
        )


kms_rotation = resource_policy(
    "kms-key-rotation-enabled",
    category="encryption-at-rest",
    description="Symmetric customer-managed KMS keys rotate their key material automatically.",
    severity=Severity.MEDIUM,
    controls=Controls(soc2=("CC6.1",), iso27001=("A.8.24",), pci=("3.7.4",), cis=("3.6",)),
    remediation="Set enable_key_rotation=True on aws.kms.Key.",
    validate=_rotation,
    types=("aws:kms/key:Key",),
    covers=("AwsSolutions-KMS5", "CKV_AWS_7", "awsguard:cmk-backing-key-rotation-enabled"),
)

POLICIES = [
    eks_secrets,
    log_groups,
    sns_topics,
    sqs_queues,
    dynamodb_tables,
    ecr_repos,
    secrets,
    efs,
    cloudtrail,
    backup_vaults,
    kms_rotation,
]
