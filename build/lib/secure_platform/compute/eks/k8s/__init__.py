"""Kubernetes objects and Helm values of the EKS platform, as plain data (pure).

`workloads` builds manifests in the Kubernetes API's own field names (camelCase, exactly what the
API server, `kubectl diff` and CrossGuard see); `charts` builds the values of the cluster
services' Helm charts. Values may contain `pulumi.Output`s (ARNs, image URLs); nothing here
creates a resource.
"""
