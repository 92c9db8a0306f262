"""A Step Functions state machine logging errors to an encrypted log group."""

import json

import pulumi
import pulumi_aws as aws

key = aws.kms.Key(
    "workflow-logs-key", enable_key_rotation=True, deletion_window_in_days=30, opts=pulumi.ResourceOptions(protect=True)
)
logs = aws.cloudwatch.LogGroup("workflow-logs", retention_in_days=365, kms_key_id=key.arn)
aws.sfn.StateMachine(
    "logged-workflow",
    role_arn="arn:aws:iam::123456789012:role/workflow",
    definition=json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}),
    logging_configuration={
        "level": "ERROR",
        "include_execution_data": False,
        "log_destination": logs.arn.apply(lambda a: f"{a}:*"),
    },
)
