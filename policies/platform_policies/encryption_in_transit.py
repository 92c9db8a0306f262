"""Encryption in transit: TLS 1.2+ on load balancers, HTTP only as a redirect, TLS to caches and
databases, buckets that refuse plain HTTP, and TLS on the connections of data services (Kafka
clients and brokers, DMS endpoints, Redshift, SNS deliveries)."""

from __future__ import annotations

import re
from typing import Any

from pulumi_policy import ResourceValidationArgs, Severity, StackValidationArgs

from .helpers import Deferred, as_list, get, given, matches_any, number, of_type, targets, truthy
from .iam_documents import DocumentError, parse_document
from .registry import Controls, Report, config_value, resource_policy, stack_policy

TRANSIT = Controls(soc2=("CC6.7",), iso27001=("A.8.24", "A.8.20"), pci=("4.2.1",))

LISTENERS = ("aws:lb/listener:Listener", "aws:alb/listener:Listener")
LISTENER_RULES = ("aws:lb/listenerRule:ListenerRule", "aws:alb/listenerRule:ListenerRule")
LOAD_BALANCERS = ("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer")

# ELB security policies that negotiate only TLS 1.2 or newer (Elastic Load Balancing docs,
# "Security policies for your Application/Network Load Balancer"). ELBSecurityPolicy-2016-08,
# the API default, still accepts TLS 1.0; ...-TLS13-1-0-... and ...-TLS13-1-1-... accept 1.0/1.1.
DEFAULT_TLS_POLICIES = [
    "ELBSecurityPolicy-TLS13-1-2-*",
    "ELBSecurityPolicy-TLS13-1-3-*",
    "ELBSecurityPolicy-TLS-1-2-*",
    "ELBSecurityPolicy-FS-1-2-*",
]


def _tls_policy(args: ResourceValidationArgs, report: Report) -> None:
    protocol = str(get(args.props, "protocol", default="")).upper()
    if protocol not in ("HTTPS", "TLS"):
        return
    allowed = list(config_value(args, "allowedSslPolicies", DEFAULT_TLS_POLICIES))
    policy = get(args.props, "sslPolicy")
    if policy is None:
        report(
            f"{protocol} listener '{args.name}' sets no ssl_policy, so ELB applies ELBSecurityPolicy-2016-08, which accepts TLS 1.0 and 1.1. "
            "Set ssl_policy='ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09' (or another TLS 1.2+ policy)."
        )
    elif not matches_any(str(policy), allowed):
        report(
            f"{protocol} listener '{args.name}' uses ssl_policy '{policy}', which is not an allowed TLS 1.2+ policy "
            f"({', '.join(allowed)}). Set ssl_policy='ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09'."
        )


lb_tls_policy = resource_policy(
    "lb-listener-modern-tls-policy",
    category="encryption-in-transit",
    description="HTTPS/TLS listeners of load balancers use a security policy that allows only TLS 1.2 or newer.",
    severity=Severity.HIGH,
    controls=Controls(soc2=("CC6.7",), iso27001=("A.8.24",), pci=("4.2.1",)),
    remediation="Set ssl_policy to a TLS 1.2+ policy such as ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09 on aws.lb.Listener.",
    validate=_tls_policy,
    types=LISTENERS,
    covers=("CKV_AWS_103", "CKV2_AWS_74"),
    config={
        "allowedSslPolicies": {
            "type": "array",
            "items": {"type": "string"},
            "default": DEFAULT_TLS_POLICIES,
            "description": "Shell-style patterns of allowed ELB security policy names.",
        }
    },
)


def _redirects_to_https(actions: Any) -> bool:
    items = as_list(actions)
    return bool(items) and all(
        str(get(a, "type", default="")).lower() == "redirect"
        and str(get(a, "redirect", "protocol", default="")).upper() == "HTTPS"
        for a in items
    )


def _https_only(args: StackValidationArgs, report: Report) -> None:
    plain_ports = {float(p) for p in config_value(args, "allowedPlainTcpPorts", [])}
    listeners = list(of_type(args.resources, *LISTENERS))
    deferred = Deferred()

    def check_listener(r: Any) -> None:
        protocol = str(get(r.props, "protocol", default="HTTP")).upper()
        port = number(get(r.props, "port"))
        if protocol == "HTTP" and not _redirects_to_https(get(r.props, "defaultActions")):
            report(
                f"HTTP listener '{r.name}' (port {int(port or 80)}) serves traffic instead of redirecting it. "
                "Make its only default action a redirect: {type: 'redirect', redirect: {protocol: 'HTTPS', port: '443', status_code: 'HTTP_301'}}.",
                r.urn,
            )
        elif protocol in ("TCP", "UDP", "TCP_UDP") and port not in plain_ports:
            report(
                f"{protocol} listener '{r.name}' (port {int(port or 0)}) carries unencrypted traffic. "
                "Use a TLS listener with a certificate, or list the port in allowedPlainTcpPorts if the protocol encrypts end to end.",
                r.urn,
            )

    def check_rule(rule: Any) -> None:
        for listener in targets(rule, "listenerArn", listeners, match_props=("arn", "id")):
            if str(get(listener.props, "protocol", default="HTTP")).upper() == "HTTP" and not _redirects_to_https(
                get(rule.props, "actions")
            ):
                report(
                    f"Listener rule '{rule.name}' on HTTP listener '{listener.name}' forwards plain HTTP. "
                    "Rules on HTTP listeners may only redirect to HTTPS; move the rule to the HTTPS listener.",
                    rule.urn,
                )

    def check_classic(elb: Any) -> None:
        for lst in as_list(get(elb.props, "listeners")):
            proto = str(get(lst, "lbProtocol", default="")).upper()
            if proto in ("HTTP", "TCP"):
                report(
                    f"Classic load balancer '{elb.name}' has a plain {proto} listener on port {int(number(get(lst, 'lbPort')) or 0)}, and a classic "
                    "ELB cannot redirect it to HTTPS. Use HTTPS/SSL listeners with a certificate (better: migrate to an Application Load Balancer).",
                    elb.urn,
                )

    for r in listeners:
        deferred.run(check_listener, r)
    for rule in of_type(args.resources, *LISTENER_RULES):
        deferred.run(check_rule, rule)
    for elb in of_type(args.resources, "aws:elb/loadBalancer:LoadBalancer"):
        deferred.run(check_classic, elb)
    deferred.finish()


lb_https_only = stack_policy(
    "lb-http-redirects-to-https",
    category="encryption-in-transit",
    description="Load balancers accept plain HTTP only to redirect it to HTTPS (listeners and their rules); no plain TCP or classic HTTP listeners.",
    severity=Severity.HIGH,
    controls=TRANSIT,
    remediation="Give HTTP listeners a single redirect action to HTTPS:443 (HTTP_301), keep forwarding rules on the HTTPS listener, and terminate TLS on NLB listeners.",
    validate=_https_only,
    types=(*LISTENERS, *LISTENER_RULES, "aws:elb/loadBalancer:LoadBalancer"),
    covers=("CKV_AWS_2", "CKV2_AWS_20", "AwsSolutions-ELB5", "awsguard:alb-http-to-https-redirection"),
    config={
        "allowedPlainTcpPorts": {
            "type": "array",
            "items": {"type": "number"},
            "default": [],
            "description": "NLB TCP ports whose protocol encrypts end to end (e.g. TLS passthrough).",
        }
    },
)


def _elasticache_transit(args: ResourceValidationArgs, report: Report) -> None:
    p = args.props
    if args.resource_type == "aws:elasticache/cluster:Cluster":
        if given(p, "replicationGroupId"):
            return  # a member of a replication group: judged on the group
        if str(get(p, "engine", default="")).lower() != "memcached":
            report(
                f"ElastiCache cluster '{args.name}' is a standalone Redis/Valkey cluster, which cannot use TLS (only Memcached "
                "clusters take transit_encryption_enabled). Use aws.elasticache.ReplicationGroup with transit_encryption_enabled=True."
            )
            return
    if not truthy(get(p, "transitEncryptionEnabled")):
        report(
            f"ElastiCache '{args.name}' accepts unencrypted connections. Set transit_encryption_enabled=True (clients must then use TLS)."
        )
    elif str(get(p, "transitEncryptionMode", default="required")).lower() == "preferred":
        report(
            f"ElastiCache '{args.name}' has transit_encryption_mode 'preferred', which still accepts plaintext clients. Set it to 'required' once clients use TLS."
        )


elasticache_transit = resource_policy(
    "elasticache-encrypted-in-transit",
    category="encryption-in-transit",
    description="ElastiCache replication groups and Memcached clusters require TLS from clients (standalone Redis/Valkey clusters cannot, and are refused; serverless caches always do).",
    severity=Severity.HIGH,
    controls=TRANSIT,
    remediation="Set transit_encryption_enabled=True (and transit_encryption_mode='required') on aws.elasticache.ReplicationGroup.",
    validate=_elasticache_transit,
    types=("aws:elasticache/replicationGroup:ReplicationGroup", "aws:elasticache/cluster:Cluster"),
    covers=("AwsSolutions-AEC3", "CKV_AWS_30"),
)


# --- S3: deny non-TLS requests --------------------------------------------------------------------

BUCKETS = ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")


def _denies_insecure_transport(document: Any) -> bool:
    try:
        doc = parse_document(document)
    except DocumentError:
        return False
    for s in doc.statements:
        if s.effect != "Deny" or not any(ident == "*" for _, ident in s.principal_ids()):
            continue
        if not any(a in ("*", "s3:*") for a in s.actions):
            continue
        if not (any(r.endswith("/*") for r in s.resources) and any(not r.endswith("/*") for r in s.resources)):
            continue
        for op, values in s.condition_keys().get("aws:securetransport", []):
            if op.lower() in ("bool", "boolifexists") and "false" in [v.lower() for v in values]:
                return True
    return False


def _s3_tls(args: StackValidationArgs, report: Report) -> None:
    buckets = list(of_type(args.resources, *BUCKETS))
    policies: dict[str, list[Any]] = {b.urn: [] for b in buckets}
    for pol in of_type(args.resources, "aws:s3/bucketPolicy:BucketPolicy"):
        for b in targets(pol, "bucket", buckets):
            policies[b.urn].append(pol)
    deferred = Deferred()

    def check(bucket: Any) -> None:
        attached = [get(pol.props, "policy") for pol in policies[bucket.urn]]
        docs = [d for d in [*attached, get(bucket.props, "policy")] if d is not None]
        if not any(_denies_insecure_transport(d) for d in docs):
            report(
                f"S3 bucket '{bucket.name}' does not refuse plain-HTTP requests. Add to its aws.s3.BucketPolicy a statement "
                '{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": [<bucket ARN>, <bucket ARN>/*], '
                '"Condition": {"Bool": {"aws:SecureTransport": "false"}}}.',
                bucket.urn,
            )

    for bucket in buckets:
        deferred.run(check, bucket)
    deferred.finish()


s3_tls = stack_policy(
    "s3-bucket-denies-insecure-transport",
    category="encryption-in-transit",
    description="Every S3 bucket policy denies requests that do not use TLS (aws:SecureTransport = false) on the bucket and its objects.",
    severity=Severity.HIGH,
    controls=Controls(soc2=("CC6.7",), iso27001=("A.8.24",), pci=("4.2.1",), cis=("2.1.1",)),
    remediation="Attach an aws.s3.BucketPolicy with a Deny of s3:* for Principal * on the bucket ARN and ARN/* when aws:SecureTransport is false.",
    validate=_s3_tls,
    types=BUCKETS,
    links=("aws:s3/bucketPolicy:BucketPolicy",),
    covers=("AwsSolutions-S10", "CKV_AWS_379"),
)


# --- RDS: force SSL ---------------------------------------------------------------------------

PARAMETER_GROUPS = ("aws:rds/parameterGroup:ParameterGroup", "aws:rds/clusterParameterGroup:ClusterParameterGroup")


def _ssl_parameter(family: str) -> tuple[str, tuple[str, ...]] | None:
    """The parameter that refuses non-TLS clients for a parameter group family, and its good values."""
    f = family.lower()
    if f.startswith(("postgres", "aurora-postgresql", "sqlserver")):
        return "rds.force_ssl", ("1", "true", "on")
    if f.startswith(("mysql", "aurora-mysql", "mariadb")):
        return "require_secure_transport", ("1", "on", "true")
    return None


def _forces_ssl(group: Any) -> bool | None:
    """True/False for families we know, None for others."""
    rule = _ssl_parameter(str(get(group.props, "family", default="")))
    if rule is None:
        return None
    name, good = rule
    for param in as_list(get(group.props, "parameters")):
        if str(get(param, "name", default="")).lower() == name:
            return str(get(param, "value", default="")).lower() in good
    return False


def _default_forces_ssl(engine: str, version: str) -> bool:
    """RDS for PostgreSQL 15+ defaults rds.force_ssl to 1; no other engine forces TLS by default."""
    if engine == "postgres":
        m = re.match(r"(\d+)", version)
        return bool(m) and int(m.group(1)) >= 15
    return False


def _rds_ssl(args: StackValidationArgs, report: Report) -> None:
    groups = list(of_type(args.resources, *PARAMETER_GROUPS))
    deferred = Deferred()

    def check_group(g: Any) -> None:
        if _forces_ssl(g) is False:
            name, _ = _ssl_parameter(str(get(g.props, "family", default=""))) or ("?", ())
            report(
                f"DB parameter group '{g.name}' (family {get(g.props, 'family')}) does not force TLS. "
                f"Add the parameter {{name: '{name}', value: '1'}} (apply_method 'pending-reboot' if static).",
                g.urn,
            )

    def check_db(db: Any) -> None:
        engine = str(get(db.props, "engine", default=""))
        if not _ssl_parameter(engine):
            return
        prop = "dbClusterParameterGroupName" if db.resource_type == "aws:rds/cluster:Cluster" else "parameterGroupName"
        version = str(get(db.props, "engineVersion", default=""))
        if get(db.props, prop) is None and not _default_forces_ssl(engine, version):
            report(
                f"Database '{db.name}' ({engine} {get(db.props, 'engineVersion', default='')}) uses the default parameter group, "
                "which accepts unencrypted connections. Give it a parameter group that forces TLS "
                "(rds.force_ssl=1 for PostgreSQL, require_secure_transport=1 for MySQL/MariaDB).",
                db.urn,
            )

    for g in groups:
        deferred.run(check_group, g)
    for db in of_type(args.resources, "aws:rds/instance:Instance", "aws:rds/cluster:Cluster"):
        deferred.run(check_db, db)
    deferred.finish()


rds_ssl = stack_policy(
    "rds-enforces-tls",
    category="encryption-in-transit",
    description="Databases refuse unencrypted connections: their parameter groups force TLS (rds.force_ssl / require_secure_transport), and none relies on a default group that does not.",
    severity=Severity.HIGH,
    controls=TRANSIT,
    remediation="Create an aws.rds.ParameterGroup (or ClusterParameterGroup) with rds.force_ssl=1 (PostgreSQL) or require_secure_transport=1 (MySQL/MariaDB) and set parameter_group_name on the database.",
    validate=_rds_ssl,
    types=(*PARAMETER_GROUPS, "aws:rds/instance:Instance", "aws:rds/cluster:Cluster"),
    covers=("CKV2_AWS_69",),
)


MSK_CLUSTER = "aws:msk/cluster:Cluster"
DMS_ENDPOINT = "aws:dms/endpoint:Endpoint"
REDSHIFT_PARAMETER_GROUP = "aws:redshift/parameterGroup:ParameterGroup"
SNS_SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription"

DMS_SSL_ENGINES = frozenset(
    {
        "aurora", "aurora-postgresql", "aurora-serverless", "aurora-postgresql-serverless", "azuredb",
        "azure-sql-managed-instance", "babelfish", "db2", "db2-zos", "docdb", "mariadb", "mongodb", "mysql",
        "oracle", "postgres", "sqlserver", "sybase",
    }
)  # fmt: skip
"""DMS engines whose connection takes `ssl_mode` (default "none"). S3, DynamoDB, Kinesis, Neptune,
OpenSearch and Redshift endpoints encrypt by default or have no SSL mode; Kafka and Redis carry
their own settings (https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Security.SSL.html)."""


def _service_tls(args: ResourceValidationArgs, report: Report) -> None:
    rtype, p = args.resource_type, args.props
    if rtype == MSK_CLUSTER:
        # client_broker defaults to TLS and in_cluster to true; PLAINTEXT and TLS_PLAINTEXT let
        # clients send records unencrypted (FSBP MSK.1).
        transit = get(p, "encryptionInfo", "encryptionInTransit")
        client = str(get(transit, "clientBroker", default="TLS")).upper()
        if client != "TLS":
            report(
                f"MSK cluster '{args.name}' accepts plaintext client connections (client_broker '{client}'). "
                "Set encryption_info.encryption_in_transit.client_broker='TLS'."
            )
        if get(transit, "inCluster") is False:
            report(
                f"MSK cluster '{args.name}' replicates between brokers unencrypted (in_cluster=False). Leave in_cluster=True."
            )
    elif rtype == DMS_ENDPOINT:
        engine = str(get(p, "engineName", default="")).lower()
        mode = str(get(p, "sslMode", default="none")).lower()
        if engine in DMS_SSL_ENGINES and mode == "none":
            report(
                f"DMS endpoint '{args.name}' ({engine}) connects without TLS (ssl_mode '{mode}'): the migrated data "
                "and the database credentials cross the network in plaintext. Set ssl_mode='verify-full' "
                "(or 'require') with certificate_arn."
            )
    elif rtype == REDSHIFT_PARAMETER_GROUP:
        for param in as_list(get(p, "parameters")):
            if str(get(param, "name", default="")).lower() == "require_ssl" and not truthy(get(param, "value")):
                report(
                    f"Redshift parameter group '{args.name}' sets require_ssl={get(param, 'value')!r}: clusters using it "
                    "accept unencrypted connections (FSBP Redshift.2). Set require_ssl to 'true'."
                )
    elif rtype == SNS_SUBSCRIPTION and str(get(p, "protocol", default="")).lower() == "http":
        report(
            f"SNS subscription '{args.name}' delivers messages over plain HTTP to {get(p, 'endpoint')!r}. "
            "Use protocol='https' (or an SQS / Lambda subscription)."
        )


service_tls = resource_policy(
    "service-connections-use-tls",
    category="encryption-in-transit",
    description="Data services connect over TLS: MSK clients and brokers, DMS endpoints of database engines, clusters using a Redshift parameter group, and SNS HTTP(S) subscriptions.",
    severity=Severity.HIGH,
    controls=TRANSIT.with_fsbp("MSK.1", "DMS.9", "Redshift.2"),
    remediation="client_broker='TLS' and in_cluster=True on MSK clusters; ssl_mode='verify-full' on DMS endpoints; require_ssl='true' in Redshift parameter groups; protocol='https' on SNS subscriptions.",
    validate=_service_tls,
    types=(MSK_CLUSTER, DMS_ENDPOINT, REDSHIFT_PARAMETER_GROUP, SNS_SUBSCRIPTION),
)

POLICIES = [lb_tls_policy, lb_https_only, elasticache_transit, s3_tls, rds_ssl, service_tls]
