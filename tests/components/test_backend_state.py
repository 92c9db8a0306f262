"""BackendState: the state bucket and key, the log archive, and what operators need to log in."""

from __future__ import annotations

import fnmatch

import pytest

from secure_platform.backend.component import login_url, secrets_provider
from tests.components.helpers import (
    BACKEND,
    BUCKET,
    KEY,
    ROLE_POLICY,
    SECURE_BUCKET,
    SSE,
    of_type,
    provider_region,
    ref,
    referencing,
    refs,
    stack_capture,
    statements,
)

STACKS = ("dev", "staging", "prod")
ACCOUNT = "123456789012"


def buckets(capture):
    """name -> Bucket resource (by the logical name of its SecureBucket)."""
    return {b.name: b for b in of_type(capture, BUCKET, BACKEND)}


def attached(capture, bucket, type_):
    found = list(referencing(capture, bucket, type_, "bucket"))
    assert len(found) == 1, (bucket.name, type_, found)
    return found[0]


@pytest.mark.parametrize("stack", STACKS)
def test_state_key_and_both_buckets_are_protected_and_retained_in_every_environment(stack):
    capture = stack_capture(stack)
    keys = of_type(capture, KEY, BACKEND)
    stateful = [*keys, *buckets(capture).values()]
    # the state key and both buckets, and in prod their replicas, the state key's twin in us-west-2
    # and the key the trail's replicated files are encrypted with there
    assert len(stateful) == (7 if stack == "prod" else 3)
    for resource in stateful:
        assert resource.protect is True and resource.retain_on_delete is True, resource.urn
    for bucket in buckets(capture).values():
        assert bucket.inputs["forceDestroy"] is False


@pytest.mark.parametrize("stack", STACKS)
def test_state_bucket_is_kms_encrypted_versioned_private_and_logged(stack):
    capture = stack_capture(stack)
    state = buckets(capture)["state"]
    assert state.inputs["bucket"] == f"platform-{stack}-state-{ACCOUNT}-us-east-1"
    sse = attached(capture, state, SSE)
    (rule,) = sse.inputs["rules"]
    assert rule["applyServerSideEncryptionByDefault"]["sseAlgorithm"] == "aws:kms"
    assert rule["bucketKeyEnabled"] is True and rule["blockedEncryptionTypes"] == ["SSE-C"]
    assert ref(capture, sse, "rules").type == KEY  # the state key, not an AWS-managed one
    versioning = attached(capture, state, "aws:s3/bucketVersioning:BucketVersioning")
    assert versioning.inputs["versioningConfiguration"]["status"] == "Enabled"
    pab = attached(capture, state, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
    for flag in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"):
        assert pab.inputs[flag] is True
    ownership = attached(capture, state, "aws:s3/bucketOwnershipControls:BucketOwnershipControls")
    assert ownership.inputs["rule"] == {"objectOwnership": "BucketOwnerEnforced"}
    (lifecycle,) = attached(capture, state, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs[
        "rules"
    ]
    assert "expiration" not in lifecycle  # current state never expires
    assert lifecycle["noncurrentVersionExpiration"]["noncurrentDays"] == {"dev": 30, "staging": 60, "prod": 90}[stack]
    logging = attached(capture, state, "aws:s3/bucketLogging:BucketLogging")
    assert logging.inputs["targetBucket"] == f"platform-{stack}-logs-{ACCOUNT}-us-east-1"
    assert logging.inputs["targetPrefix"].startswith("s3-access/")


@pytest.mark.parametrize("stack", STACKS)
def test_every_bucket_policy_denies_plain_http(stack):
    capture = stack_capture(stack)
    for bucket in buckets(capture).values():
        policy = attached(capture, bucket, "aws:s3/bucketPolicy:BucketPolicy")
        (deny,) = [s for s in statements(policy.inputs["policy"]) if s.get("Sid") == "DenyInsecureTransport"]
        arn = bucket.outputs["arn"]
        assert deny["Effect"] == "Deny" and deny["Principal"] == "*"
        assert deny["Resource"] == [arn, f"{arn}/*"]
        assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_log_archive_uses_sse_s3_because_alb_access_logs_require_it():
    capture = stack_capture("prod")
    archive = buckets(capture)["log-archive"]
    (rule,) = attached(capture, archive, SSE).inputs["rules"]
    assert rule["applyServerSideEncryptionByDefault"] == {"sseAlgorithm": "AES256"}


@pytest.mark.parametrize(
    ("stack", "transitions", "expiry"),
    [("dev", [], 30), ("staging", [(30, "STANDARD_IA")], 90), ("prod", [(30, "STANDARD_IA"), (90, "GLACIER")], 365)],
)
def test_log_archive_lifecycle_per_environment(stack, transitions, expiry):
    capture = stack_capture(stack)
    archive = buckets(capture)["log-archive"]
    lifecycle = attached(capture, archive, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")
    (rule,) = lifecycle.inputs["rules"]
    assert [(t["days"], t["storageClass"]) for t in rule.get("transitions", [])] == transitions
    assert rule["expiration"] == {"days": expiry}
    assert "noncurrentVersionExpiration" in rule
    # S3 needs versioning before a lifecycle with noncurrent rules.
    versioning = attached(capture, archive, "aws:s3/bucketVersioning:BucketVersioning")
    assert versioning.urn in lifecycle.dependencies


def test_log_archive_grants_each_log_service_exactly_its_prefix_and_source():
    capture = stack_capture("dev")
    archive = buckets(capture)["log-archive"]
    arn = archive.outputs["arn"]
    policy = attached(capture, archive, "aws:s3/bucketPolicy:BucketPolicy")
    allows = {s["Sid"]: s for s in statements(policy.inputs["policy"]) if s["Effect"] == "Allow"}
    assert set(allows) == {"AlbAccessLogsWrite", "S3ServerAccessLogsWrite", "CloudTrailAclCheck", "CloudTrailWrite"}
    assert allows["AlbAccessLogsWrite"]["Principal"] == {"AWS": "arn:aws:iam::127311923021:root"}
    assert allows["AlbAccessLogsWrite"]["Resource"] == f"{arn}/alb/AWSLogs/{ACCOUNT}/*"
    (sources,) = allows["S3ServerAccessLogsWrite"]["Condition"]["ArnLike"]["aws:SourceArn"]
    assert sources == f"arn:aws:s3:::platform-dev-*-{ACCOUNT}-us-east-1"
    for bucket in buckets(capture).values():
        assert fnmatch.fnmatchcase(bucket.outputs["arn"], sources)
    assert not fnmatch.fnmatchcase(f"arn:aws:s3:::platform-prod-state-{ACCOUNT}-us-east-1", sources)
    trail = f"arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/platform-dev-trail"
    assert allows["CloudTrailWrite"]["Condition"]["StringEquals"]["aws:SourceArn"] == trail
    for stmt in allows.values():
        assert "*" not in (stmt["Principal"], stmt["Resource"])
        assert stmt["Action"] in ("s3:PutObject", "s3:GetBucketAcl")


def test_bucket_policies_wait_for_the_public_access_block():
    capture = stack_capture("dev")
    for bucket in buckets(capture).values():
        policy = attached(capture, bucket, "aws:s3/bucketPolicy:BucketPolicy")
        pab = attached(capture, bucket, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
        assert pab.urn in policy.dependencies


def test_login_url_and_secrets_provider_are_exact():
    capture = stack_capture("staging")
    assert capture.outputs["stateBackendUrl"] == (
        f"s3://platform-staging-state-{ACCOUNT}-us-east-1?region=us-east-1&awssdk=v2"
    )
    assert capture.outputs["secretsProvider"] == "awskms://alias/platform-staging-state?region=us-east-1"
    (alias,) = of_type(capture, "aws:kms/alias:Alias", BACKEND)
    assert alias.inputs["name"] == "alias/platform-staging-state"
    assert login_url("b", "eu-west-1") == "s3://b?region=eu-west-1&awssdk=v2"
    assert secrets_provider("alias/x", "eu-west-1") == "awskms://alias/x?region=eu-west-1"


def test_buckets_are_built_from_the_secure_bucket_block():
    capture = stack_capture("dev")
    for bucket in buckets(capture).values():
        parent = capture.by_urn()[bucket.parent or ""]
        assert parent.type == SECURE_BUCKET


# --- a copy in the second Region (prod) --------------------------------------------------------------

REPLICATION = "aws:s3/bucketReplicationConfig:BucketReplicationConfig"


def test_only_prod_replicates_the_state_bucket_and_the_log_archive():
    for stack in ("dev", "staging"):
        assert not of_type(stack_capture(stack), REPLICATION, BACKEND), stack
    capture = stack_capture("prod")
    configs = {c.name: c for c in of_type(capture, REPLICATION, BACKEND)}
    assert set(configs) == {"state", "log-archive"}


def test_the_state_replica_is_encrypted_with_a_state_key_in_the_second_region():
    capture = stack_capture("prod")
    config = next(c for c in of_type(capture, REPLICATION, BACKEND) if c.name == "state")
    all_buckets = buckets(capture)
    source, replica = all_buckets["state"], all_buckets["state-us-west-2"]
    assert ref(capture, config, "bucket").urn == source.urn
    assert provider_region(capture, replica) == "us-west-2" and provider_region(capture, source) == "us-east-1"
    assert replica.inputs["bucket"] == f"platform-prod-state-{ACCOUNT}-us-west-2"
    (rule,) = config.inputs["rules"]
    key = next(k for k in of_type(capture, KEY, BACKEND) if k.name == "state-us-west-2")
    assert provider_region(capture, key) == "us-west-2" and key.protect is True
    assert rule["destination"]["encryptionConfiguration"]["replicaKmsKeyId"] == key.outputs["arn"]
    # Without SseKmsEncryptedObjects, S3 replicates no SSE-KMS object (all state objects are).
    assert rule["sourceSelectionCriteria"] == {"sseKmsEncryptedObjects": {"status": "Enabled"}}
    assert rule["deleteMarkerReplication"] == {"status": "Enabled"} and rule["filter"] == {}
    assert ref(capture, attached(capture, replica, SSE), "rules").urn == key.urn


def test_the_state_replication_role_decrypts_and_encrypts_only_through_s3_of_each_region():
    """S3 User Guide, "Replicating objects created with server-side encryption": kms:Decrypt on the
    source key via s3.<source Region>, kms:Encrypt on the replica key via s3.<replica Region>, both
    limited by kms:EncryptionContext:aws:s3:arn to these buckets."""
    capture = stack_capture("prod")
    (policy,) = [p for p in of_type(capture, ROLE_POLICY, BACKEND) if p.name == "state-replication"]
    by_sid = {s["Sid"]: s for s in statements(policy.inputs["policy"])}
    keys = {k.name: k for k in of_type(capture, KEY, BACKEND)}
    all_buckets = buckets(capture)
    decrypt, encrypt = by_sid["DecryptSource"], by_sid["EncryptReplicas"]
    assert decrypt["Action"] == "kms:Decrypt" and decrypt["Resource"] == keys["state"].outputs["arn"]
    assert decrypt["Condition"]["StringEquals"] == {"kms:ViaService": "s3.us-east-1.amazonaws.com"}
    source_arn = all_buckets["state"].outputs["arn"]
    assert decrypt["Condition"]["StringLike"] == {"kms:EncryptionContext:aws:s3:arn": [source_arn, f"{source_arn}/*"]}
    assert encrypt["Resource"] == keys["state-us-west-2"].outputs["arn"]
    assert encrypt["Condition"]["StringEquals"] == {"kms:ViaService": "s3.us-west-2.amazonaws.com"}
    replica_arn = all_buckets["state-us-west-2"].outputs["arn"]
    assert encrypt["Condition"]["StringLike"] == {"kms:EncryptionContext:aws:s3:arn": [replica_arn, f"{replica_arn}/*"]}
    assert by_sid["ReplicateIntoDestination"]["Resource"] == f"{replica_arn}/*"
    assert set(by_sid) == {
        "SourceBucket",
        "SourceObjectVersions",
        "ReplicateIntoDestination",
        "DecryptSource",
        "EncryptReplicas",
    }


def test_the_log_archive_replica_is_sse_s3_and_receives_the_regions_access_logs():
    capture = stack_capture("prod")
    all_buckets = buckets(capture)
    replica = all_buckets["log-archive-us-west-2"]
    (rule,) = attached(capture, replica, SSE).inputs["rules"]
    assert rule["applyServerSideEncryptionByDefault"] == {"sseAlgorithm": "AES256"}
    # the state replica logs into it (Storage's replicas too: tests/components/test_storage.py)
    logging = attached(capture, all_buckets["state-us-west-2"], "aws:s3/bucketLogging:BucketLogging")
    assert replica.urn in {r.urn for r in refs(capture, logging, "targetBucket")}


def test_protected_stacks_put_the_state_bucket_and_the_log_archive_in_the_backup_plan():
    for stack in STACKS:
        tagged = {b.name for b in buckets(stack_capture(stack)).values() if (b.inputs.get("tags") or {}).get("Backup")}
        assert tagged == (set() if stack == "dev" else {"state", "log-archive"}), stack


def test_the_log_archive_replicates_the_trails_sse_kms_files_into_a_logs_key_of_the_second_region():
    """CloudTrail writes SSE-KMS files (logs key) into the SSE-S3 archive: S3 replicates them only
    when the rule opts in to SSE-KMS objects and names a replica key, and the role may encrypt
    with that key through S3 there (S3 User Guide, "Replicating encrypted objects")."""
    capture = stack_capture("prod")
    all_buckets = buckets(capture)
    config = next(c for c in of_type(capture, REPLICATION, BACKEND) if c.name == "log-archive")
    (rule,) = config.inputs["rules"]
    key = next(k for k in of_type(capture, KEY, BACKEND) if k.name == "logs-us-west-2")
    assert provider_region(capture, key) == "us-west-2" and key.protect is True
    assert key.inputs["enableKeyRotation"] is True
    assert rule["sourceSelectionCriteria"] == {"sseKmsEncryptedObjects": {"status": "Enabled"}}
    assert rule["destination"]["encryptionConfiguration"]["replicaKmsKeyId"] == key.outputs["arn"]
    assert rule["filter"] == {}  # every object: the SSE-S3 access logs as well
    (policy,) = [p for p in of_type(capture, ROLE_POLICY, BACKEND) if p.name == "log-archive-replication"]
    by_sid = {s["Sid"]: s for s in statements(policy.inputs["policy"])}
    replica_arn = all_buckets["log-archive-us-west-2"].outputs["arn"]
    encrypt = by_sid["EncryptReplicas"]
    assert encrypt["Resource"] == key.outputs["arn"]
    assert encrypt["Condition"]["StringEquals"] == {"kms:ViaService": "s3.us-west-2.amazonaws.com"}
    assert encrypt["Condition"]["StringLike"] == {"kms:EncryptionContext:aws:s3:arn": [replica_arn, f"{replica_arn}/*"]}
    # decrypting with the logs key is Monitoring's grant (tests/components/test_monitoring.py)
    assert "DecryptSource" not in by_sid
    key_statements = {s["Sid"]: s for s in statements(key.inputs["policy"])}
    assert set(key_statements) == {"KeyAdministration", "UseThroughAwsServices"}
    use = key_statements["UseThroughAwsServices"]["Condition"]["StringEquals"]
    assert use["kms:ViaService"] == ["s3.us-west-2.amazonaws.com"]
    aliases = {a.inputs["name"] for a in of_type(capture, "aws:kms/alias:Alias", BACKEND)}
    assert "alias/platform-prod-logs" in aliases
