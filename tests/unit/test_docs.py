"""The docs stay true: the README's configuration reference is current, every stack output, path,
link and URN the docs name exists, and the stack-file lines the README says to commit are harmless."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import yaml

from offline_preview import run_program
from secure_platform.config.stack_files import read_project, read_stack_config
from secure_platform.config_docs import END, START, render_reference
from tests.stack_runs import stack_capture

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_config_reference_is_current():
    text = README.read_text(encoding="utf-8")
    current = text.split(START, 1)[1].split(END, 1)[0].strip()
    assert current == render_reference().strip(), "run: venv/bin/python -m secure_platform.config_docs"


def test_reference_documents_every_key_of_the_spec():
    table = render_reference()
    for key in (
        "platform:network.cidr",
        "platform:network.azCount",
        "platform:network.natGateways",
        "platform:network.interfaceEndpoints",
        "platform:database.engine",
        "platform:database.multiAz",
        "platform:database.backupRetentionDays",
        "platform:compute.ecs.cpu",
        "platform:compute.ecs.spotWeight",
        "platform:compute.eks.version",
        "platform:compute.eks.systemNodes.desiredSize",
    ):
        assert f"`{key}`" in table, key


# --- names and paths the docs give must exist -----------------------------------------------------

REPO = README.parent
DOCS = [README, *sorted((REPO / "docs").rglob("*.md"))]
# How the docs name a stack output: the command, "stack output `x`", "`x` export", "exported `x`",
# "<x output>".
OUTPUT_MENTIONS = [
    re.compile(r"pulumi stack output(?:\s+(?:--stack|-s)\s+\S+|\s+--json|\s+--show-secrets)*\s+([A-Za-z]\w*)"),
    re.compile(r"stack output\s+`([A-Za-z]\w*)`"),
    re.compile(r"`([a-z]\w*)` export\b"),
    re.compile(r"exported\s+`([A-Za-z]\w*)`"),
    re.compile(r"<([a-z]\w*) output>"),
]
PATH = re.compile(
    r"(?<![\w/.-])((?:components|offline_preview|policies|benchmarks|tools|docs|tests|\.github)/[\w./-]*)"
)
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def exports() -> set[str]:
    """The keys of the dict `stack_outputs` returns: the outputs the stack program exports."""
    tree = ast.parse((REPO / "secure_platform" / "platform.py").read_text(encoding="utf-8"))
    (function,) = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "stack_outputs"]
    (returned,) = [n.value for n in ast.walk(function) if isinstance(n, ast.Return)]
    assert isinstance(returned, ast.Dict)
    names = {k.value for k in returned.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)}
    assert len(names) == len(returned.keys) > 10
    return names


def output_mentions(text: str) -> set[str]:
    return {m.group(1) for pattern in OUTPUT_MENTIONS for m in pattern.finditer(text)}


def test_the_output_scanner_finds_what_the_docs_name():
    assert output_mentions("aws secretsmanager rotate-secret --secret-id <databaseSecretArn output>") == {
        "databaseSecretArn"
    }
    assert output_mentions("updates the exported\n`databaseSecretArn`, and") == {"databaseSecretArn"}
    assert output_mentions("pulumi stack output --stack $ENV --json alarmTopicArns") == {"alarmTopicArns"}
    found = set().union(*(output_mentions(d.read_text(encoding="utf-8")) for d in DOCS))
    assert {"stateBackendUrl", "secretsProvider", "databaseMasterSecretArn", "dashboardUrl"} <= found


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(REPO)))
def test_every_stack_output_the_docs_name_is_exported(doc: Path):
    missing = output_mentions(doc.read_text(encoding="utf-8")) - exports()
    assert not missing, f"{doc.relative_to(REPO)} names outputs the stack program does not export: {sorted(missing)}"


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(REPO)))
def test_every_repository_path_and_link_the_docs_give_exists(doc: Path):
    text = doc.read_text(encoding="utf-8")
    missing = []
    for match in PATH.finditer(text):
        path = match.group(1).rstrip(".,:;)")
        if not any(c in path for c in "<>$*") and not (REPO / path).exists():
            missing.append(path)
    for match in LINK.finditer(text):
        target = match.group(1)
        if "://" not in target and not (doc.parent / target).exists():
            missing.append(target)
    assert not missing, f"{doc.relative_to(REPO)}: {missing}"


# --- URNs the runbooks act on are the program's --------------------------------------------------


@pytest.fixture(scope="module")
def dev_urns() -> set[str]:
    return {r.urn for r in stack_capture("dev", "preview").resources}


def runbook_urns() -> list[tuple[str, str]]:
    """(runbook, URN for the dev stack) of every URN or `replace` value in the runbooks."""
    out = []
    for doc in sorted((REPO / "docs" / "runbooks").glob("*.md")):
        text = doc.read_text(encoding="utf-8")
        for urn in re.findall(r"urn:pulumi:[^\s`\"]+", text):
            for stack in ("'$ENV'", "$ENV", "<env>", "prod", "staging"):
                urn = urn.replace(f"urn:pulumi:{stack}::", "urn:pulumi:dev::")
            out.append((doc.name, urn.strip("'")))
        for tail in re.findall(r"`(platform:index:\w+\$[\w:/$]+::[\w-]+)`", text):
            out.append((doc.name, f"urn:pulumi:dev::platform::{tail}"))
    return out


def test_runbooks_name_resources_by_urn():
    names = {(doc, urn.rsplit("::", 1)[-1]) for doc, urn in runbook_urns()}
    assert {("restore-rds.md", "database"), ("rotate-keys.md", "cache-auth-token")} <= names


@pytest.mark.parametrize("doc, urn", runbook_urns())
def test_runbook_urns_exist_in_the_program(doc: str, urn: str, dev_urns: set[str]):
    if "*" in urn:  # a --target glob, with Pulumi's semantics: ** any text, * any text without ':'
        parts = ["[^:]*".join(re.escape(p) for p in segment.split("*")) for segment in urn.split("**")]
        glob = re.compile("^" + ".*".join(parts) + "$")
        assert any(glob.match(u) for u in dev_urns), f"{doc}: {urn} matches no resource of the program"
        return
    assert urn in dev_urns, f"{doc}: {urn} is not a resource of the program"


# --- README step 3: the stack file's secrets-provider lines are committed and harmless ------------


def test_readme_says_to_commit_the_secrets_provider_lines():
    text = README.read_text(encoding="utf-8")
    deploying = text.split("## Deploying for real", 1)[1].split("\n## ", 1)[0]
    assert "secretsprovider:" in deploying and "encryptedkey:" in deploying
    assert "git add Pulumi.dev.yaml" in deploying


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_stack_files_with_secrets_provider_lines_read_the_same(stack: str, tmp_path: Path):
    """What `pulumi stack init --secrets-provider awskms://...` adds to Pulumi.<stack>.yaml is
    top-level, beside `config:`; every reader of the stack files looks at `config:` only."""
    original = REPO / f"Pulumi.{stack}.yaml"
    with_provider = tmp_path / f"Pulumi.{stack}.yaml"
    with_provider.write_text(
        f"secretsprovider: awskms://alias/platform-{stack}-state?region=us-east-1\n"
        "encryptedkey: AQICAHhLHgV0fnZk3wH2c0ZEx1pN4uZnYWJvdXQgdGhlIGRhdGEga2V5IGVuY3J5cHRlZA==\n"
        + original.read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    project = read_project(REPO)
    assert read_stack_config(project, stack, with_provider) == read_stack_config(project, stack)
    data = yaml.safe_load(with_provider.read_text(encoding="utf-8"))
    assert data["config"] == yaml.safe_load(original.read_text(encoding="utf-8"))["config"]


def test_the_program_runs_with_a_committed_secrets_provider(tmp_path: Path):
    stack_file = tmp_path / "Pulumi.dev.yaml"
    stack_file.write_text(
        "secretsprovider: awskms://alias/platform-dev-state?region=us-east-1\nencryptedkey: AQICAHh=\n"
        + (REPO / "Pulumi.dev.yaml").read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    capture = run_program(REPO, "dev", config_file=stack_file)
    assert capture.outputs["secretsProvider"] == "awskms://alias/platform-dev-state?region=us-east-1"
    assert not any("secretsprovider" in key or "encryptedkey" in key for key in capture.config)
