"""Every resource here breaks at least one policy of the pack (see tests/policies/expectations.py),
except the few link resources listed there (a bucket's encryption configuration, a flow log, a
route...), which are judged through the resource they attach to.

Not a real deployment: a catalogue of mistakes, at least one resource of every resource type the
pack judges (tests/policies/test_coverage.py computes that list from the policies themselves).

The mistakes are grouped by theme in the modules beside this file (the offline preview, like
`pulumi`, runs the program with its directory on sys.path), which this file wires together. Their
names start with `insecure_` so that they never meet the compliant twin's modules in one process.
"""

import insecure_compute
import insecure_data
import insecure_iam
import insecure_network
import insecure_services
import insecure_storage

weak_key = insecure_storage.kms()
open_bucket = insecure_storage.buckets(weak_key)
net = insecure_network.network(open_bucket)
insecure_network.load_balancing(net.vpc, net.public_a, net.public_b, net.alb_sg)
insecure_data.databases(weak_key, net.db_subnets)
insecure_data.caches(net.cache_subnets)
insecure_data.other_stores()
insecure_compute.instances(net.public_a)
insecure_compute.eks_clusters(net.vpc, net.public_a, net.public_b)
insecure_services.logs_messaging_secrets_backups(open_bucket)
insecure_services.ecr()
insecure_iam.roles()
insecure_iam.users_and_groups()
insecure_compute.ecs(net.public_a)
insecure_compute.kubernetes()
insecure_services.untagged_log_group(weak_key)
