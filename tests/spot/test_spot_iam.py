"""The optimizer's IAM actions are exactly the AWS operations the code calls, all read-only."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import botocore.session

from secure_platform.spot import aws as aws_module
from secure_platform.spot.iam import NEEDED_FOR_PREVIEW, SPOT_OPTIMIZER_ACTIONS, optimizer_policy_document


def _called_operations() -> set[str]:
    """`ec2:DescribeInstanceTypes`... for every client method or paginator the boto3 market uses."""
    tree = ast.parse(Path(aws_module.__file__).read_text(encoding="utf-8"))
    methods: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr == "get_paginator" and isinstance(node.args[0], ast.Constant):
                methods.add(str(node.args[0].value))
            elif re.match(r"^(describe|get)_[a-z_]+$", node.func.attr) and node.func.attr != "get_credentials":
                methods.add(node.func.attr)
    session = botocore.session.get_session()
    found: set[str] = set()
    for prefix, service in (("ec2", "ec2"), ("pricing", "pricing")):
        model = session.get_service_model(service)
        by_method = {botocore.xform_name(name): name for name in list(model.operation_names)}  # type: ignore[arg-type]
        found |= {f"{prefix}:{by_method[m]}" for m in methods if m in by_method}
    return found


def test_the_policy_grants_exactly_the_operations_the_code_calls():
    assert set(SPOT_OPTIMIZER_ACTIONS) == _called_operations()


def test_every_action_is_a_read_and_none_is_needed_for_previews():
    assert all(re.match(r"^(ec2|pricing):(Describe|Get)[A-Za-z]+$", a) for a in SPOT_OPTIMIZER_ACTIONS)
    assert NEEDED_FOR_PREVIEW == ()
    statement = optimizer_policy_document()["Statement"]
    assert len(statement) == 1 and statement[0]["Resource"] == "*"
    assert statement[0]["Action"] == sorted(SPOT_OPTIMIZER_ACTIONS) and "*" not in "".join(statement[0]["Action"])
