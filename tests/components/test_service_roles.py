"""Every role an AWS service assumes, checked against AWS's documented trust and permissions
policies (one test per role; the documents each is compared with are named in the component)."""

from __future__ import annotations

from tests.components.helpers import (
    MONITORING,
    NETWORKING,
    ROLE,
    ROLE_POLICY,
    SECURITY,
    STORAGE,
    as_list,
    of_type,
    ref,
    referencing,
    stack_capture,
    statements,
)

ACCOUNT = "123456789012"


def role(capture, component: str, name: str):
    (found,) = [r for r in of_type(capture, ROLE, component) if r.name == name]
    return found


def trust(r) -> dict:
    (stmt,) = statements(r.inputs["assumeRolePolicy"])
    assert stmt["Effect"] == "Allow" and stmt["Action"] == "sts:AssumeRole"
    return stmt


def test_flow_logs_role_is_the_documented_one_with_describe_log_groups():
    """VPC User Guide, "IAM role for publishing flow logs to CloudWatch Logs"."""
    capture = stack_capture("prod")
    r = role(capture, SECURITY, "flow-logs")
    stmt = trust(r)
    assert stmt["Principal"] == {"Service": "vpc-flow-logs.amazonaws.com"}
    assert stmt["Condition"] == {
        "StringEquals": {"aws:SourceAccount": ACCOUNT},
        "ArnLike": {"aws:SourceArn": f"arn:aws:ec2:us-east-1:{ACCOUNT}:vpc-flow-log/*"},
    }
    (policy,) = [p for p in referencing(capture, r, ROLE_POLICY, "role") if p.name == "flow-logs-write"]
    by_sid = {s["Sid"]: s for s in statements(policy.inputs["policy"])}
    assert as_list(by_sid["DescribeLogGroups"]["Action"]) == ["logs:DescribeLogGroups"]
    assert by_sid["DescribeLogGroups"]["Resource"] == "*"
    write = by_sid["WriteLogGroup"]
    assert set(as_list(write["Action"])) == {"logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"}
    group = ref(capture, policy, "policy")
    assert group.name == "flow-logs" and group.inputs["name"].endswith("/vpc-flow-logs")
    assert not [p for p in referencing(capture, r, ROLE_POLICY, "role") if p.name != "flow-logs-write"]
    (flow_log,) = of_type(capture, "aws:ec2/flowLog:FlowLog", NETWORKING)
    assert policy.urn in flow_log.dependencies


def test_rds_monitoring_role_trusts_rds_for_our_instance_only():
    """RDS User Guide, "Setting up and enabling Enhanced Monitoring": SourceAccount + SourceArn of the instance."""
    capture = stack_capture("prod")
    r = role(capture, SECURITY, "rds-monitoring")
    stmt = trust(r)
    assert stmt["Principal"] == {"Service": "monitoring.rds.amazonaws.com"}
    (db,) = capture.of_type("aws:rds/instance:Instance")
    assert stmt["Condition"] == {
        "StringEquals": {"aws:SourceAccount": ACCOUNT},
        "ArnLike": {"aws:SourceArn": f"arn:aws:rds:us-east-1:{ACCOUNT}:db:{db.inputs['identifier']}"},
    }
    assert ref(capture, db, "monitoringRoleArn").urn == r.urn


def test_cloudtrail_role_trusts_cloudtrail_for_our_trail_only():
    capture = stack_capture("prod")
    r = role(capture, MONITORING, "cloudtrail-to-logs")
    stmt = trust(r)
    assert stmt["Principal"] == {"Service": "cloudtrail.amazonaws.com"}
    (trail,) = capture.of_type("aws:cloudtrail/trail:Trail")
    trail_arn = f"arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/{trail.inputs['name']}"
    assert stmt["Condition"] == {
        "StringEquals": {"aws:SourceAccount": ACCOUNT},
        "ArnLike": {"aws:SourceArn": trail_arn},
    }


def test_backup_role_trust_is_awss_documented_one():
    """AWS Backup Developer Guide, "IAM service roles": backup.amazonaws.com, no condition (see storage.py)."""
    capture = stack_capture("prod")
    r = role(capture, STORAGE, "backup")
    stmt = trust(r)
    assert stmt["Principal"] == {"Service": "backup.amazonaws.com"}
    assert "Condition" not in stmt


def test_replication_roles_trust_s3_for_their_source_bucket_only():
    capture = stack_capture("prod")
    replication = [r for r in capture.of_type(ROLE) if r.name.endswith("-replication")]
    assert replication
    for r in replication:
        stmt = trust(r)
        assert stmt["Principal"] == {"Service": "s3.amazonaws.com"}
        assert stmt["Condition"]["StringEquals"] == {"aws:SourceAccount": ACCOUNT}
        assert stmt["Condition"]["ArnLike"]["aws:SourceArn"].startswith("arn:aws:s3:::")


def test_every_service_role_of_every_stack_is_covered_here():
    known = {"flow-logs", "rds-monitoring", "cloudtrail-to-logs", "backup", "ecs-task", "ecs-task-execution"}
    known |= {"eks-node", "eks-cluster"}
    for stack in ("dev", "staging", "prod"):
        for r in stack_capture(stack).of_type(ROLE):
            stmt = statements(r.inputs["assumeRolePolicy"])[0]
            if "Service" not in stmt["Principal"]:
                continue
            assert r.name in known or r.name.endswith("-replication"), (stack, r.name)
