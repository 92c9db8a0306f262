"""Infrastructure out of the pack's sight: the open security group, admin policy and public
database of one template deployed through every wrapper that hides it (CloudFormation stacks and
stack sets, the Serverless Application Repository, Service Catalog, Cloud Control, Elastic
Beanstalk), commands, a Helm chart nobody reviewed, a dynamic provider pickled by value and an
aws-native bucket. Each is one registration to the engine; what it creates is never judged."""

import json

import pulumi_aws as aws
import pulumi_aws_native as aws_native
import pulumi_command as command
import pulumi_kubernetes as k8s
from pulumi.dynamic import CreateResult, Resource, ResourceProvider

TEMPLATE = json.dumps(
    {
        "Resources": {
            "Ssh": {
                "Type": "AWS::EC2::SecurityGroup",
                "Properties": {
                    "GroupDescription": "ssh from anywhere",
                    "SecurityGroupIngress": [
                        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "0.0.0.0/0"}
                    ],
                },
            },
            "Admin": {
                "Type": "AWS::IAM::ManagedPolicy",
                "Properties": {
                    "PolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
                    }
                },
            },
        }
    }
)

aws.cloudformation.Stack("template-stack", template_body=TEMPLATE, capabilities=["CAPABILITY_IAM"])
stack_set = aws.cloudformation.StackSet(
    "template-stack-set",
    template_body=TEMPLATE,
    permission_model="SERVICE_MANAGED",
    capabilities=["CAPABILITY_IAM"],
    auto_deployment={"enabled": True, "retain_stacks_on_account_removal": False},
)
aws.cloudformation.StackSetInstance(
    "template-stack-set-instance",
    stack_set_name=stack_set.name,
    deployment_targets={"organizational_unit_ids": ["ou-ab12-cdefgh34"]},
)
aws.cloudformation.StackInstances(
    "template-stack-instances",
    stack_set_name=stack_set.name,
    deployment_targets={"organizational_unit_ids": ["ou-ab12-cdefgh34"]},
)
aws.serverlessrepository.CloudFormationStack(
    "repository-app",
    application_id="arn:aws:serverlessrepo:us-east-1:123456789012:applications/open-proxy",
    capabilities=["CAPABILITY_IAM"],
)
aws.servicecatalog.ProvisionedProduct("catalog-product", product_name="open-database", provisioning_artifact_name="v1")
aws.cloudcontrol.Resource(
    "control-ingress",
    type_name="AWS::EC2::SecurityGroupIngress",
    desired_state=json.dumps({"GroupId": "sg-0123456789abcdef0", "IpProtocol": "-1", "CidrIp": "0.0.0.0/0"}),
)
aws.elasticbeanstalk.Environment(
    "beanstalk-env", application="shop", solution_stack_name="64bit Amazon Linux 2023 v4.3.0 running Python 3.11"
)

command.local.Command(
    "local-admin",
    create="aws iam attach-role-policy --role-name app --policy-arn arn:aws:iam::aws:policy/AdministratorAccess",
)
command.remote.Command("remote-open", connection={"host": "10.0.1.10", "user": "ec2-user"}, create="sudo iptables -F")

k8s.helm.v3.Release(
    "unreviewed-chart",
    chart="privileged-agent",
    version="1.0.0",
    repository_opts={"repo": "https://charts.example.com"},
    namespace="default",
)


class OpenBucketPolicy(ResourceProvider):
    """Deletes a bucket's Block Public Access at deploy time: code no policy reads."""

    def create(self, props):
        import boto3

        boto3.client("s3").delete_public_access_block(Bucket=props["bucket"])
        return CreateResult(id_=props["bucket"], outs=props)


class OpenBucket(Resource):
    def __init__(self, name: str, bucket: str) -> None:
        super().__init__(OpenBucketPolicy(), name, {"bucket": bucket})


OpenBucket("open-exports", "prod-customer-exports")

aws_native.s3.Bucket("native-bucket", public_access_block_configuration={"block_public_policy": False})
