"""EFS mistakes: an unencrypted file system whose mount target group opens NFS to the world."""

import pulumi_aws as aws

fs = aws.efs.FileSystem("plain-files")
sg = aws.ec2.SecurityGroup(
    "nfs-world-sg",
    vpc_id="vpc-0123456789abcdef0",
    ingress=[{"protocol": "tcp", "from_port": 2049, "to_port": 2049, "cidr_blocks": ["0.0.0.0/0"]}],
)
aws.efs.MountTarget(
    "plain-files-mount", file_system_id=fs.id, subnet_id="subnet-0123456789abcdef0", security_groups=[sg.id]
)
