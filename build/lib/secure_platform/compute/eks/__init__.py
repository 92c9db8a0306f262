"""EKS: the private cluster, node groups (spot types from the optimizer), cluster services and
workloads bound to the load balancer's target groups."""
