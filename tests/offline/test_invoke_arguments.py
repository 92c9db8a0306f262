"""Invoke arguments reach the offline answers as they reach the provider."""

from __future__ import annotations

import json

from offline_preview.policy_documents import render_policy_document


def test_an_empty_source_document_is_skipped_as_the_provider_skips_it():
    source = json.dumps({"Statement": [{"Sid": "A", "Effect": "Deny", "Action": "s3:*", "Resource": "*"}]})
    doc = render_policy_document({"sourcePolicyDocuments": ["", source, ""], "overridePolicyDocuments": [""]})
    assert [s["Sid"] for s in doc["Statement"]] == ["A"]
