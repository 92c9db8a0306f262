"""Output builders: what AWS (and the other providers) would answer for one registration.

Split from `mocks` so that module keeps only the `Mocks` protocol (planned vs created state,
remote components, stack references, invokes) while this one holds the per-type knowledge of
real ids, ARNs, endpoints and names. Every value is derived from the resource's URN so that two
runs of the same program produce the same capture (golden inventories stay stable).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from typing import Any

from pulumi.runtime.mocks import MockResourceArgs

from .invokes import ACCOUNT_ID, PARTITION
from .sdk_schema import computed_outputs, plausible


def _digest(seed: str, length: int, alphabet: str = "0123456789abcdef") -> str:
    raw = hashlib.sha256(seed.encode()).digest()
    out = ""
    counter = 0
    while len(out) < length:
        for byte in raw:
            out += alphabet[byte % len(alphabet)]
            if len(out) == length:
                break
        counter += 1
        raw = hashlib.sha256(raw + bytes([counter])).digest()
    return out


def _uuid(seed: str) -> str:
    return str(uuid.UUID(hashlib.md5(seed.encode()).hexdigest()))  # noqa: S324 - not security


_SIG_KEY = "4dabf18193072939515e22adb298388d"
_RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e"
_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
_MIXED = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


class Ctx:
    """What an output builder needs to know about one registration."""

    def __init__(self, args: MockResourceArgs, urn: str, region: str) -> None:
        self.type = args.typ
        self.name = args.name
        self.inputs = dict(args.inputs)
        self.urn = urn
        self.region = region
        self.account = ACCOUNT_ID
        self.children: list[tuple[str, str, dict[str, Any]]] = []
        """(urn, id, state) of resources a remote component's outputs refer to (see `resource_ref`)."""
        self.child_inputs: dict[str, dict[str, Any]] = {}

    def resource_ref(
        self, child_type: str, child_name: str, builder: Builder, inputs: dict[str, Any]
    ) -> dict[str, Any]:
        """A reference to a child the real component would create, answered from `builder`.

        The SDK turns the reference into a resource object (e.g. `aws.eks.Cluster`) and reads its
        state back through the monitor's `getResource`; the capturing monitor registers the state
        under the child's URN for that. The child itself is not a captured registration: offline,
        a remote component stays one registration, as documented.
        """
        head, _ = self.urn.rsplit("::", 1)
        urn = f"{head}${child_type}::{child_name}"
        child = Ctx(
            MockResourceArgs(typ=child_type, name=child_name, inputs=inputs, provider=None, resource_id=None),
            urn,
            self.region,
        )
        rid, outputs = builder(child)
        self.children.append((urn, rid, {**inputs, **outputs, "id": rid, "urn": urn}))
        self.child_inputs[urn] = dict(inputs)
        return {_SIG_KEY: _RESOURCE_SIG, "urn": urn, "id": rid}

    def hex(self, n: int, salt: str = "") -> str:
        return _digest(self.urn + salt, n)

    def upper(self, n: int, salt: str = "") -> str:
        return _digest(self.urn + salt, n, _UPPER)

    def uuid(self, salt: str = "") -> str:
        return _uuid(self.urn + salt)

    def physical(self, field: str = "name", max_len: int = 255) -> str:
        """The given name, or Pulumi's auto-name: logical name plus a 7-character suffix."""
        given = self.inputs.get(field)
        if isinstance(given, str) and given:
            return given
        prefix = self.inputs.get(f"{field}Prefix")
        if isinstance(prefix, str) and prefix:
            return (prefix + self.hex(26))[:max_len]
        return self.name[: max_len - 8] + "-" + self.hex(7)

    def arn(self, service: str, resource: str, region: str | None = None, account: str | None = None) -> str:
        reg = self.region if region is None else region
        acct = self.account if account is None else account
        return f"arn:{PARTITION}:{service}:{reg}:{acct}:{resource}"


Builder = Callable[[Ctx], tuple[str, dict[str, Any]]]


def _ec2(prefix: str, kind: str) -> Builder:
    def build(c: Ctx) -> tuple[str, dict[str, Any]]:
        rid = f"{prefix}-{c.hex(17)}"
        return rid, {"arn": c.arn("ec2", f"{kind}/{rid}"), "ownerId": c.account}

    return build


def _named(service: str, fmt: str, field: str = "name", id_is: str = "name") -> Builder:
    def build(c: Ctx) -> tuple[str, dict[str, Any]]:
        name = c.physical(field)
        arn = c.arn(service, fmt.format(name=name, uuid=c.uuid(), hex=c.hex(8)))
        return (arn if id_is == "arn" else name), {field: name, "arn": arn}

    return build


def _global(service: str, fmt: str, field: str = "name") -> Builder:
    def build(c: Ctx) -> tuple[str, dict[str, Any]]:
        name = c.physical(field)
        path = c.inputs.get("path") or "/"
        arn = c.arn(service, fmt.format(name=name, path=path), region="")
        return name, {field: name, "arn": arn, "uniqueId": "AROA" + c.upper(17)}

    return build


def _vpc(c: Ctx) -> tuple[str, dict[str, Any]]:
    rid = f"vpc-{c.hex(17)}"
    return rid, {
        "arn": c.arn("ec2", f"vpc/{rid}"),
        "defaultSecurityGroupId": f"sg-{c.hex(17, 'sg')}",
        "defaultNetworkAclId": f"acl-{c.hex(17, 'acl')}",
        "defaultRouteTableId": f"rtb-{c.hex(17, 'rtb')}",
        "mainRouteTableId": f"rtb-{c.hex(17, 'rtb')}",
        "ownerId": c.account,
    }


def _eip(c: Ctx) -> tuple[str, dict[str, Any]]:
    rid = f"eipalloc-{c.hex(17)}"
    octets = [int(c.hex(2, str(i)), 16) for i in range(3)]
    return rid, {"allocationId": rid, "publicIp": f"52.{octets[0]}.{octets[1]}.{octets[2]}", "domain": "vpc"}


def _vpc_endpoint(c: Ctx) -> tuple[str, dict[str, Any]]:
    """Gateway endpoints expose the AWS-managed prefix list of their service (security groups use it)."""
    rid = f"vpce-{c.hex(17)}"
    out: dict[str, Any] = {"arn": c.arn("ec2", f"vpc-endpoint/{rid}"), "ownerId": c.account, "state": "available"}
    if c.inputs.get("vpcEndpointType") == "Gateway":
        out["prefixListId"] = f"pl-{c.hex(8, 'pl')}"
    return rid, out


def _bucket(c: Ctx) -> tuple[str, dict[str, Any]]:
    name = c.physical("bucket", 63).lower()
    return name, {
        "bucket": name,
        "arn": f"arn:{PARTITION}:s3:::{name}",
        "bucketDomainName": f"{name}.s3.amazonaws.com",
        "bucketRegionalDomainName": f"{name}.s3.{c.region}.amazonaws.com",
        "region": c.region,
        "hostedZoneId": "Z3AQBSTGFYJSTF",
    }


def _kms_key(c: Ctx) -> tuple[str, dict[str, Any]]:
    kid = c.uuid()
    return kid, {"keyId": kid, "arn": c.arn("kms", f"key/{kid}")}


def _kms_alias(c: Ctx) -> tuple[str, dict[str, Any]]:
    name = c.physical()
    return name, {
        "name": name,
        "arn": c.arn("kms", name),
        "targetKeyArn": c.arn("kms", f"key/{c.inputs.get('targetKeyId', c.uuid())}"),
    }


def _log_group(c: Ctx) -> tuple[str, dict[str, Any]]:
    name = c.physical()
    return name, {"name": name, "arn": c.arn("logs", f"log-group:{name}")}


def _load_balancer(c: Ctx) -> tuple[str, dict[str, Any]]:
    name = c.physical(max_len=32)
    kind = "net" if c.inputs.get("loadBalancerType") == "network" else "app"
    suffix = f"{kind}/{name}/{c.hex(16)}"
    arn = c.arn("elasticloadbalancing", f"loadbalancer/{suffix}")
    return arn, {
        "name": name,
        "arn": arn,
        "arnSuffix": suffix,
        "dnsName": f"{name}-{int(c.hex(9), 16) % 10**10}.{c.region}.elb.amazonaws.com",
        "zoneId": "Z35SXDOTRQ7X7K",
    }


def _target_group(c: Ctx) -> tuple[str, dict[str, Any]]:
    name = c.physical(max_len=32)
    suffix = f"targetgroup/{name}/{c.hex(16)}"
    arn = c.arn("elasticloadbalancing", suffix)
    return arn, {"name": name, "arn": arn, "arnSuffix": suffix}


def _listener(c: Ctx) -> tuple[str, dict[str, Any]]:
    lb = str(c.inputs.get("loadBalancerArn", ""))
    lb_part = lb.split("loadbalancer/", 1)[-1] if "loadbalancer/" in lb else f"app/lb/{c.hex(16, 'lb')}"
    arn = c.arn("elasticloadbalancing", f"listener/{lb_part}/{c.hex(16)}")
    return arn, {"arn": arn}


def _listener_rule(c: Ctx) -> tuple[str, dict[str, Any]]:
    listener = str(c.inputs.get("listenerArn", ""))
    part = (
        listener.split("listener/", 1)[-1] if "listener/" in listener else f"app/lb/{c.hex(16, 'l')}/{c.hex(16, 'x')}"
    )
    arn = c.arn("elasticloadbalancing", f"listener-rule/{part}/{c.hex(16)}")
    return arn, {"arn": arn}


def _rds_instance(c: Ctx) -> tuple[str, dict[str, Any]]:
    ident = c.physical("identifier", 63).lower()
    port = c.inputs.get("port") or (3306 if str(c.inputs.get("engine", "")).startswith("mysql") else 5432)
    address = f"{ident}.{c.hex(12)}.{c.region}.rds.amazonaws.com"
    outputs: dict[str, Any] = {
        "identifier": ident,
        "arn": c.arn("rds", f"db:{ident}"),
        "address": address,
        "endpoint": f"{address}:{int(port)}",
        "port": port,
        "resourceId": "db-" + c.upper(26),
        "hostedZoneId": "Z2R2ITUGPM61AM",
    }
    if c.inputs.get("manageMasterUserPassword"):
        outputs["masterUserSecrets"] = [
            {
                "secretArn": c.arn("secretsmanager", f"secret:rds!db-{c.uuid('s')}-{_digest(c.urn, 6, _MIXED)}"),
                "kmsKeyId": c.inputs.get("masterUserSecretKmsKeyId") or "",
                "secretStatus": "active",
            }
        ]
    return ident, outputs


def _replication_group(c: Ctx) -> tuple[str, dict[str, Any]]:
    rid = str(c.inputs.get("replicationGroupId") or c.physical()).lower()
    return rid, {
        "replicationGroupId": rid,
        "arn": c.arn("elasticache", f"replicationgroup:{rid}"),
        "primaryEndpointAddress": f"master.{rid}.{c.hex(6)}.{c.region[:4]}.cache.amazonaws.com",
        "readerEndpointAddress": f"replica.{rid}.{c.hex(6)}.{c.region[:4]}.cache.amazonaws.com",
        "memberClusters": [f"{rid}-00{i + 1}" for i in range(int(c.inputs.get("numCacheClusters") or 1))],
    }


def _ecr_repo(c: Ctx) -> tuple[str, dict[str, Any]]:
    name = c.physical()
    return name, {
        "name": name,
        "arn": c.arn("ecr", f"repository/{name}"),
        "registryId": c.account,
        "repositoryUrl": f"{c.account}.dkr.ecr.{c.region}.amazonaws.com/{name}",
    }


def _ecs_service(c: Ctx) -> tuple[str, dict[str, Any]]:
    name = c.physical()
    cluster = str(c.inputs.get("cluster", "cluster")).rsplit("/", 1)[-1]
    arn = c.arn("ecs", f"service/{cluster}/{name}")
    return arn, {"name": name, "arn": arn}


def _task_definition(c: Ctx) -> tuple[str, dict[str, Any]]:
    family = str(c.inputs.get("family") or c.physical())
    arn = c.arn("ecs", f"task-definition/{family}:1")
    return arn, {"arn": arn, "arnWithoutRevision": c.arn("ecs", f"task-definition/{family}"), "revision": 1}


def _secret(c: Ctx) -> tuple[str, dict[str, Any]]:
    name = c.physical()
    arn = c.arn("secretsmanager", f"secret:{name}-{_digest(c.urn, 6, _MIXED)}")
    return arn, {"name": name, "arn": arn}


def _sns_topic(c: Ctx) -> tuple[str, dict[str, Any]]:
    name = c.physical()
    arn = c.arn("sns", name)
    return arn, {"name": name, "arn": arn, "owner": c.account}


def _web_acl(c: Ctx) -> tuple[str, dict[str, Any]]:
    name = c.physical()
    wid = c.uuid()
    scope = "global" if c.inputs.get("scope") == "CLOUDFRONT" else "regional"
    return wid, {"name": name, "arn": c.arn("wafv2", f"{scope}/webacl/{name}/{wid}"), "capacity": 700}


def _certificate(c: Ctx) -> tuple[str, dict[str, Any]]:
    cid = c.uuid()
    domain = str(c.inputs.get("domainName") or "example.com")
    names = [domain, *[str(s) for s in c.inputs.get("subjectAlternativeNames") or []]]
    options = [
        {
            "domainName": d,
            "resourceRecordName": f"_{c.hex(32, d)}.{d.lstrip('*.')}.",
            "resourceRecordType": "CNAME",
            "resourceRecordValue": f"_{c.hex(32, d + 'v')}.acm-validations.aws.",
        }
        for d in names
    ]
    arn = c.arn("acm", f"certificate/{cid}")
    return arn, {"arn": arn, "domainValidationOptions": options, "status": "ISSUED"}


def _record(c: Ctx) -> tuple[str, dict[str, Any]]:
    name = str(c.inputs.get("name", c.name)).rstrip(".")
    return f"{c.inputs.get('zoneId', 'Z')}_{name}_{c.inputs.get('type', 'A')}", {"fqdn": name}


def _eks_cluster(c: Ctx) -> tuple[str, dict[str, Any]]:
    name = c.physical()
    oidc = f"https://oidc.eks.{c.region}.amazonaws.com/id/{c.upper(32)}"
    return name, {
        "name": name,
        "arn": c.arn("eks", f"cluster/{name}"),
        "endpoint": f"https://{c.upper(32)}.gr7.{c.region}.eks.amazonaws.com",
        "certificateAuthority": {"data": "TU9DSy1DQQ=="},
        "identities": [{"oidcs": [{"issuer": oidc}]}],
        "vpcConfig": {**(c.inputs.get("vpcConfig") or {}), "clusterSecurityGroupId": f"sg-{c.hex(17, 'csg')}"},
        "platformVersion": "eks.1",
        "status": "ACTIVE",
    }


def _remote_eks_cluster(c: Ctx) -> tuple[str, dict[str, Any]]:
    """pulumi-eks `Cluster` is a remote component: under mocks it has no children, so its outputs
    (kubeconfig, OIDC provider, security groups) are answered here."""
    name = str(c.inputs.get("name") or c.physical())
    endpoint = f"https://{c.upper(32)}.gr7.{c.region}.eks.amazonaws.com"
    issuer = f"oidc.eks.{c.region}.amazonaws.com/id/{c.upper(32)}"
    kubeconfig = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": name, "cluster": {"server": endpoint, "certificate-authority-data": "TU9DSy1DQQ=="}}],
        "contexts": [{"name": "aws", "context": {"cluster": name, "user": "aws"}}],
        "current-context": "aws",
        "users": [
            {
                "name": "aws",
                "user": {
                    "exec": {
                        "apiVersion": "client.authentication.k8s.io/v1beta1",
                        "command": "aws",
                        "args": ["eks", "get-token", "--cluster-name", name],
                    }
                },
            }
        ],
    }
    cluster_sg = f"sg-{c.hex(17, 'csg')}"
    vpc = {
        k: c.inputs[k]
        for k in ("endpointPrivateAccess", "endpointPublicAccess", "publicAccessCidrs")
        if c.inputs.get(k) is not None
    }
    child_inputs: dict[str, Any] = {
        "name": name,
        "vpcConfig": {**vpc, "subnetIds": c.inputs.get("privateSubnetIds") or c.inputs.get("subnetIds") or []},
        "enabledClusterLogTypes": c.inputs.get("enabledClusterLogTypes") or [],
    }
    if c.inputs.get("version"):
        child_inputs["version"] = c.inputs["version"]
    if c.inputs.get("encryptionConfigKeyArn"):
        child_inputs["encryptionConfig"] = {
            "resources": ["secrets"],
            "provider": {"keyArn": c.inputs["encryptionConfigKeyArn"]},
        }
    eks_cluster = c.resource_ref("aws:eks/cluster:Cluster", f"{c.name}-eksCluster", _eks_cluster, child_inputs)
    return name, {
        "kubeconfig": kubeconfig,
        "kubeconfigJson": json.dumps(kubeconfig),
        "oidcProviderArn": f"arn:{PARTITION}:iam::{c.account}:oidc-provider/{issuer}",
        "oidcProviderUrl": issuer,
        "oidcIssuer": issuer,
        "clusterSecurityGroupId": cluster_sg,
        "nodeSecurityGroupId": f"sg-{c.hex(17, 'nsg')}",
        "clusterIngressRuleId": f"sgr-{c.hex(17, 'ing')}",
        "defaultNodeGroupAsgName": "",
        "fargateProfileId": "",
        "fargateProfileStatus": "",
        # `eksCluster` is a resource reference (the SDK types it as aws.eks.Cluster; a plain dict
        # failed its output type check and crashed every program using eks.Cluster offline).
        # `core` (CoreData, holding more resources) is still not answered.
        "eksCluster": eks_cluster,
    }


def _oidc_provider(c: Ctx) -> tuple[str, dict[str, Any]]:
    url = str(c.inputs.get("url", "oidc.example.com")).removeprefix("https://")
    arn = f"arn:{PARTITION}:iam::{c.account}:oidc-provider/{url}"
    return arn, {"arn": arn}


def _launch_template(c: Ctx) -> tuple[str, dict[str, Any]]:
    rid = f"lt-{c.hex(17)}"
    return rid, {
        "arn": c.arn("ec2", f"launch-template/{rid}"),
        "latestVersion": 1,
        "defaultVersion": 1,
        "name": c.physical(),
    }


def _random_password(c: Ctx) -> tuple[str, dict[str, Any]]:
    length = int(c.inputs.get("length") or 32)
    return c.hex(8), {"result": _digest(c.urn + "pw", length, _MIXED + "0123456789")}


def _kubernetes(c: Ctx) -> tuple[str, dict[str, Any]]:
    meta = dict(c.inputs.get("metadata") or {})
    name = meta.get("name") or f"{c.name}-{c.hex(8)}"
    meta["name"] = name
    ns = meta.get("namespace")
    out: dict[str, Any] = {"metadata": meta}
    if c.type == "kubernetes:helm.sh/v3:Release":
        out["status"] = {
            "status": "deployed",
            "version": 1,
            "namespace": c.inputs.get("namespace", "default"),
            "name": c.inputs.get("name") or name,
        }
        return f"{c.inputs.get('namespace', 'default')}/{c.inputs.get('name') or name}", {
            "name": c.inputs.get("name") or name,
            **out,
        }
    return (f"{ns}/{name}" if ns else name), out


BUILDERS: dict[str, Builder] = {
    "aws:ec2/vpc:Vpc": _vpc,
    "aws:ec2/subnet:Subnet": _ec2("subnet", "subnet"),
    "aws:ec2/securityGroup:SecurityGroup": _ec2("sg", "security-group"),
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": _ec2("sg", "security-group"),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": _ec2("sgr", "security-group-rule"),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": _ec2("sgr", "security-group-rule"),
    "aws:ec2/internetGateway:InternetGateway": _ec2("igw", "internet-gateway"),
    "aws:ec2/natGateway:NatGateway": _ec2("nat", "natgateway"),
    "aws:ec2/eip:Eip": _eip,
    "aws:ec2/routeTable:RouteTable": _ec2("rtb", "route-table"),
    "aws:ec2/route:Route": _ec2("r", "route"),
    "aws:ec2/routeTableAssociation:RouteTableAssociation": _ec2("rtbassoc", "route-table-association"),
    "aws:ec2/networkAcl:NetworkAcl": _ec2("acl", "network-acl"),
    "aws:ec2/defaultNetworkAcl:DefaultNetworkAcl": _ec2("acl", "network-acl"),
    "aws:ec2/networkAclRule:NetworkAclRule": _ec2("nacl", "network-acl-rule"),
    "aws:ec2/networkAclAssociation:NetworkAclAssociation": _ec2("aclassoc", "network-acl-association"),
    "aws:ec2/vpcEndpoint:VpcEndpoint": _vpc_endpoint,
    "aws:ec2/flowLog:FlowLog": _ec2("fl", "vpc-flow-log"),
    "aws:ec2/launchTemplate:LaunchTemplate": _launch_template,
    "aws:ec2/instance:Instance": _ec2("i", "instance"),
    "aws:ec2/volume:Volume": _ec2("vol", "volume"),
    "aws:s3/bucket:Bucket": _bucket,
    "aws:s3/bucketV2:BucketV2": _bucket,
    "aws:kms/key:Key": _kms_key,
    "aws:kms/alias:Alias": _kms_alias,
    "aws:iam/role:Role": _global("iam", "role{path}{name}"),
    "aws:iam/policy:Policy": _global("iam", "policy{path}{name}"),
    "aws:iam/user:User": _global("iam", "user{path}{name}"),
    "aws:iam/group:Group": _global("iam", "group{path}{name}"),
    "aws:iam/instanceProfile:InstanceProfile": _global("iam", "instance-profile{path}{name}"),
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": _oidc_provider,
    "aws:cloudwatch/logGroup:LogGroup": _log_group,
    "aws:cloudwatch/metricAlarm:MetricAlarm": _named("cloudwatch", "alarm:{name}", "name"),
    "aws:cloudwatch/compositeAlarm:CompositeAlarm": _named("cloudwatch", "alarm:{name}", "alarmName"),
    "aws:cloudwatch/dashboard:Dashboard": _named("cloudwatch", "dashboard/{name}", "dashboardName"),
    "aws:lb/loadBalancer:LoadBalancer": _load_balancer,
    "aws:lb/targetGroup:TargetGroup": _target_group,
    "aws:lb/listener:Listener": _listener,
    "aws:lb/listenerRule:ListenerRule": _listener_rule,
    "aws:rds/instance:Instance": _rds_instance,
    "aws:rds/subnetGroup:SubnetGroup": _named("rds", "subgrp:{name}"),
    "aws:rds/parameterGroup:ParameterGroup": _named("rds", "pg:{name}"),
    "aws:elasticache/replicationGroup:ReplicationGroup": _replication_group,
    "aws:elasticache/subnetGroup:SubnetGroup": _named("elasticache", "subnetgroup:{name}"),
    "aws:elasticache/parameterGroup:ParameterGroup": _named("elasticache", "parametergroup:{name}"),
    "aws:ecr/repository:Repository": _ecr_repo,
    "aws:ecs/cluster:Cluster": _named("ecs", "cluster/{name}", id_is="arn"),
    "aws:ecs/service:Service": _ecs_service,
    "aws:ecs/taskDefinition:TaskDefinition": _task_definition,
    "aws:secretsmanager/secret:Secret": _secret,
    "aws:sns/topic:Topic": _sns_topic,
    "aws:sqs/queue:Queue": _named("sqs", "{name}", id_is="arn"),
    "aws:wafv2/webAcl:WebAcl": _web_acl,
    "aws:acm/certificate:Certificate": _certificate,
    "aws:route53/record:Record": _record,
    "aws:cloudtrail/trail:Trail": _named("cloudtrail", "trail/{name}"),
    "aws:backup/vault:Vault": _named("backup", "backup-vault:{name}"),
    "aws:backup/plan:Plan": _named("backup", "backup-plan:{uuid}"),
    "aws:eks/cluster:Cluster": _eks_cluster,
    "aws:eks/nodeGroup:NodeGroup": _named("eks", "nodegroup/{name}/{uuid}", "nodeGroupName"),
    "aws:eks/addon:Addon": _named("eks", "addon/{name}/{uuid}", "addonName"),
    "aws:budgets/budget:Budget": _global("budgets", "budget/{name}"),
    "aws:dynamodb/table:Table": _named("dynamodb", "table/{name}"),
    "aws:efs/fileSystem:FileSystem": _named("elasticfilesystem", "file-system/fs-{hex}"),
    "aws:ssm/parameter:Parameter": _named("ssm", "parameter/{name}"),
    "eks:index:Cluster": _remote_eks_cluster,
    "random:index/randomPassword:RandomPassword": _random_password,
}


def _generic(c: Ctx) -> tuple[str, dict[str, Any]]:
    """Any other type: `<package>:<module>/...` -> an ARN of that service, named after the resource."""
    if c.type.startswith("kubernetes:"):
        return _kubernetes(c)
    if c.type.startswith("pulumi:providers:"):
        return c.uuid(), {}
    parts = c.type.split(":")
    service = parts[1].split("/")[0] if len(parts) > 1 else "service"
    name = c.physical()
    outputs: dict[str, Any] = {"name": name}
    if parts[0] == "aws":
        outputs["arn"] = c.arn(service, f"{parts[-1][:1].lower()}{parts[-1][1:]}/{name}")
    return f"{name}", with_computed_outputs(c, outputs)


def with_computed_outputs(c: Ctx, outputs: dict[str, Any]) -> dict[str, Any]:
    """`outputs` with a `plausible` value of its shape for every other output the provider
    computes for `c.type` (an output the program gave as an input keeps that value)."""
    for key, kind in computed_outputs(c.type).items():
        if key not in outputs and key not in c.inputs:
            value = plausible(key, kind, c)
            if value is not None:
                outputs[key] = value
    return outputs
