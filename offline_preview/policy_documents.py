"""Render `aws.iam.get_policy_document` arguments to IAM JSON, as the AWS provider does.

The provider (like Terraform's `aws_iam_policy_document`) deduplicates and sorts action, resource
and principal sets, writes a one-element set as a plain string, and writes the `*` principal type
as `"Principal": "*"`. Policies then judge the same JSON they would see after a real deploy.
"""

from __future__ import annotations

import json
from typing import Any


def _set(values: Any) -> Any:
    items = sorted({str(v) for v in (values or [])})
    return items[0] if len(items) == 1 else items


def _principals(entries: Any) -> Any:
    grouped: dict[str, set[str]] = {}
    for entry in entries or []:
        kind, ids = entry.get("type"), entry.get("identifiers") or []
        if kind == "*" and list(ids) == ["*"]:
            return "*"
        grouped.setdefault(kind, set()).update(str(i) for i in ids)
    return {kind: _set(ids) for kind, ids in sorted(grouped.items())}


def _conditions(entries: Any) -> dict[str, Any]:
    out: dict[str, dict[str, Any]] = {}
    for entry in entries or []:
        values = [str(v) for v in entry.get("values") or []]
        out.setdefault(entry["test"], {})[entry["variable"]] = values[0] if len(values) == 1 else values
    return out


def render_statement(stmt: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if stmt.get("sid"):
        out["Sid"] = stmt["sid"]
    out["Effect"] = stmt.get("effect") or "Allow"
    for key, field in (
        ("Action", "actions"),
        ("NotAction", "notActions"),
        ("Resource", "resources"),
        ("NotResource", "notResources"),
    ):
        if stmt.get(field):
            out[key] = _set(stmt[field])
    if stmt.get("principals"):
        out["Principal"] = _principals(stmt["principals"])
    if stmt.get("notPrincipals"):
        out["NotPrincipal"] = _principals(stmt["notPrincipals"])
    if stmt.get("conditions"):
        out["Condition"] = _conditions(stmt["conditions"])
    return out


def render_policy_document(args: dict[str, Any]) -> dict[str, Any]:
    """The policy document JSON object for the invoke's arguments."""
    statements: list[dict[str, Any]] = []
    by_sid: dict[str, int] = {}

    def add(stmt: dict[str, Any]) -> None:
        sid = stmt.get("Sid")
        if sid and sid in by_sid:
            statements[by_sid[sid]] = stmt
            return
        if sid:
            by_sid[sid] = len(statements)
        statements.append(stmt)

    for source in _documents(args.get("sourcePolicyDocuments")):
        for stmt in _statements_of(source):
            add(stmt)
    for stmt in args.get("statements") or []:
        add(render_statement(stmt))
    for override in _documents(args.get("overridePolicyDocuments")):
        for stmt in _statements_of(override):
            add(stmt)

    doc: dict[str, Any] = {"Version": args.get("version") or "2012-10-17"}
    if args.get("policyId"):
        doc["Id"] = args["policyId"]
    doc["Statement"] = statements
    return doc


def _documents(texts: Any) -> list[dict[str, Any]]:
    """The parsed source or override documents. An empty element is skipped, as the provider skips
    it: Terraform's SDK reads an empty string in a list of strings as null, and
    `dataSourcePolicyDocumentRead` (terraform-provider-aws, iam/policy_document_data_source.go)
    `continue`s past a nil document, so `["", doc]` (a document switched off) merges only `doc`."""
    return [json.loads(text) for text in texts or [] if text]


def _statements_of(doc: dict[str, Any]) -> list[dict[str, Any]]:
    stmts = doc.get("Statement", [])
    return [stmts] if isinstance(stmts, dict) else list(stmts)
