"""Invoke arguments reach the offline answers as they reach the provider: an unknown nested where
the SDK does not look is Terraform's unknown placeholder, a switched-off (empty) source document is
skipped, and a failed invoke is blamed on the call whose arguments failed."""

from __future__ import annotations

import json
from pathlib import Path

from offline_preview.cli import main
from offline_preview.mocks import TERRAFORM_UNKNOWN
from offline_preview.policy_documents import render_policy_document


def _preview(tmp_path: Path, body: str) -> tuple[int, dict]:
    program = tmp_path / "p"
    program.mkdir()
    (program / "Pulumi.yaml").write_text("name: invoke-args\nruntime: python\n")
    (program / "Pulumi.dev.yaml").write_text("config:\n  aws:region: eu-west-1\n")
    (program / "__main__.py").write_text("import pulumi\nimport pulumi_aws as aws\n\n" + body)
    out = tmp_path / "report.json"
    code = main(["dev", "--program", str(program), "--no-policy", "--quiet", "--json", str(out)])
    return code, json.loads(out.read_text())


_STATEMENT_ON_A_NEW_BUCKET = """\
bucket = aws.s3.Bucket("logs", bucket_prefix="logs-")
objects = pulumi.Output.concat("arn:aws:s3:::", bucket.id, "/*")
doc = aws.iam.get_policy_document(statements=[aws.iam.GetPolicyDocumentStatementArgs(
    actions=["s3:PutObject"],
    resources=[objects],
    principals=[aws.iam.GetPolicyDocumentStatementPrincipalArgs(type="Service", identifiers=["logs.amazonaws.com"])],
)])
"""


def test_an_unknown_inside_a_list_of_strings_reaches_the_answer_as_terraforms_placeholder(tmp_path):
    code, doc = _preview(
        tmp_path,
        _STATEMENT_ON_A_NEW_BUCKET + 'aws.s3.BucketPolicy("logs", bucket=bucket.id, policy=doc.json)\n',
    )
    assert code == 0, doc["error"]
    policy = next(r for r in doc["resources"] if r["type"] == "aws:s3/bucketPolicy:BucketPolicy")
    statement = json.loads(policy["inputs"]["policy"])["Statement"][0]
    assert statement["Resource"] == TERRAFORM_UNKNOWN
    assert "Unknown object" not in json.dumps(doc)


def test_an_empty_source_document_is_skipped_as_the_provider_skips_it():
    source = json.dumps({"Statement": [{"Sid": "A", "Effect": "Deny", "Action": "s3:*", "Resource": "*"}]})
    doc = render_policy_document({"sourcePolicyDocuments": ["", source, ""], "overridePolicyDocuments": [""]})
    assert [s["Sid"] for s in doc["Statement"]] == ["A"]


def test_a_failed_invoke_names_the_call_whose_arguments_failed(tmp_path):
    code, doc = _preview(
        tmp_path,
        _STATEMENT_ON_A_NEW_BUCKET
        + 'merged = aws.iam.get_policy_document_output(source_policy_documents=["not a document"])\n'
        + 'pulumi.export("policy", merged.json)\n',
    )
    assert code == 2
    assert doc["error"]["kind"] == "program"
    assert doc["error"]["location"] == "__main__.py:11", doc["error"]
