"""An encrypted, protected, backed-up file system reachable over NFS only from the app's group."""

import pulumi
import pulumi_aws as aws

key = aws.kms.Key(
    "files-key", enable_key_rotation=True, deletion_window_in_days=30, opts=pulumi.ResourceOptions(protect=True)
)
fs = aws.efs.FileSystem("app-files", encrypted=True, kms_key_id=key.arn, opts=pulumi.ResourceOptions(protect=True))
aws.efs.BackupPolicy("app-files-backup", file_system_id=fs.id, backup_policy={"status": "ENABLED"})
app = aws.ec2.SecurityGroup("files-app-sg", vpc_id="vpc-0123456789abcdef0", description="app tasks")
nfs = aws.ec2.SecurityGroup(
    "files-nfs-sg",
    vpc_id="vpc-0123456789abcdef0",
    description="NFS from the app only",
    ingress=[{"protocol": "tcp", "from_port": 2049, "to_port": 2049, "security_groups": [app.id]}],
)
aws.efs.MountTarget(
    "app-files-mount", file_system_id=fs.id, subnet_id="subnet-0123456789abcdef0", security_groups=[nfs.id]
)
