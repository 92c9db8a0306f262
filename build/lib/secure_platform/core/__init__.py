"""Shared building blocks of every component: naming, typed references and grants, IAM and KMS
policy documents, log delivery, child-resource options, and the secure S3 bucket."""
