"""The secure twin of insecure_program: a resource of every type the pack judges or reads, each
configured the way the policy pack asks (customer-managed keys, TLS, least privilege, private
networking, logs, protection, tags). `python -m offline_preview test --program <this dir>
--policy-pack policies --policy-config policies/config/prod.json` reports no findings.

Two types have no secure twin because every instance is a finding: aws.iam.UserPolicy and
aws.iam.UserPolicyAttachment (users get permissions through groups). Their compliant
counterparts are here: an empty UserPoliciesExclusive / UserPolicyAttachmentsExclusive and a group.

The resources are grouped by theme in the modules beside this file (the offline preview, like
`pulumi`, runs the program with its directory on sys.path), which this file wires together. Their
names start with `compliant_` so that they never meet the insecure program's modules in one process.
"""

import compliant_compute
import compliant_data
import compliant_iam
import compliant_network
import compliant_services
import compliant_storage

key, ebs_key = compliant_storage.keys()
buckets = compliant_storage.buckets(key)
net = compliant_network.network(key, buckets.flow_log_bucket)
compliant_network.load_balancing(
    vpc=net.vpc,
    public=net.public,
    alb_sg=net.alb_sg,
    api_alb_sg=net.api_alb_sg,
    elb_sg=net.elb_sg,
    alb_logs=buckets.alb_logs,
    api_alb_logs=buckets.api_alb_logs,
    elb_logs=buckets.elb_logs,
)
compliant_data.databases(key, net.isolated, net.db_sg)
compliant_data.caches(key, net.isolated, net.cache_sg)
compliant_data.other_stores(key)
nodes_lt = compliant_compute.instances(key, ebs_key, net.isolated, net.app_sg)
compliant_compute.eks_clusters(key, net.vpc, net.isolated, nodes_lt)
secret = compliant_services.logs_messaging_secrets_backups(key, buckets.trail_logs)
repo = compliant_services.ecr(key)
task_role, execution_role = compliant_iam.identities(key, buckets.data_bucket, secret)
compliant_compute.ecs(
    key=key,
    isolated=net.isolated,
    app_sg=net.app_sg,
    task_role=task_role,
    execution_role=execution_role,
    repo=repo,
    secret=secret,
)
compliant_compute.kubernetes()
