"""The `offline_pulumi` fixture the distribution registers with pytest (entry point `pytest11`).

Here conftest.py imports the fixture from its module (this checkout is not installed into its own venv);
`examples/consumer`'s tests use it through the installed entry point (see test_consumer_venv.py).
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pulumi
import pytest

from offline_preview.pytest_plugin import OfflinePulumi

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "tests" / "examples"
BUCKET = "aws:s3/bucket:Bucket"


def test_the_plugin_is_registered_as_a_pytest11_entry_point() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    target = project["entry-points"]["pytest11"]["secure_platform_offline"]
    assert target == "offline_preview.pytest_plugin"


def test_a_program_run_returns_its_resources_and_the_pack_findings(offline_pulumi: OfflinePulumi) -> None:
    run = offline_pulumi.program(EXAMPLES / "insecure_program", "test")
    assert run.resources and all(r.type != "pulumi:pulumi:Stack" for r in run.resources)
    assert run.types()[BUCKET] == len(run.of_type(BUCKET))
    assert run.violations(), "the insecure example must produce findings"
    some = run.violations()[0]
    assert run.violations(policy=some.policy) and all(
        v.policy == some.policy for v in run.violations(policy=some.policy)
    )
    assert all(v.enforcement == "mandatory" for v in run.mandatory_violations())


def test_config_overrides_reach_the_program(offline_pulumi: OfflinePulumi) -> None:
    plain = offline_pulumi.program(EXAMPLES / "minimal_program", "test", policy_pack=None)
    skipped = offline_pulumi.program(
        EXAMPLES / "minimal_program", "test", config={"minimal:skipEncryption": True}, policy_pack=None
    )
    encryption = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
    assert len(plain.of_type(encryption)) == 1
    assert skipped.of_type(encryption) == []
    with pytest.raises(ValueError, match="policy_pack=None"):
        skipped.violations()


def test_a_component_runs_alone_with_query_helpers(offline_pulumi: OfflinePulumi) -> None:
    import pulumi_aws as aws

    class Pair(pulumi.ComponentResource):
        def __init__(self, name: str) -> None:
            super().__init__("test:index:Pair", name)
            aws.s3.Bucket(f"{name}-a", opts=pulumi.ResourceOptions(parent=self))
            aws.s3.Bucket(f"{name}-b", opts=pulumi.ResourceOptions(parent=self))
            self.register_outputs({})

    run = offline_pulumi.component(lambda: Pair("pair"))
    pair = run.one("test:index:Pair")
    assert {r.name for r in run.children(pair)} == {"pair-a", "pair-b"}
    assert run.one(BUCKET, "pair-a").parent == pair.urn
    assert run.named("pair-b", BUCKET)[0].urn.endswith("test:index:Pair$aws:s3/bucket:Bucket::pair-b")
    # Unencrypted, unlogged buckets: the installed pack has something to say.
    assert run.violations(urn=run.one(BUCKET, "pair-a").urn)


def test_one_fails_the_test_naming_what_exists(offline_pulumi: OfflinePulumi) -> None:
    run = offline_pulumi.component(
        lambda: [pulumi.ComponentResource("test:index:X", n) for n in ("a", "b")], policy_pack=None
    )
    with pytest.raises(pytest.fail.Exception, match=r"found 2 \(registered test:index:X: \['a', 'b'\]\)"):
        run.one("test:index:X")
