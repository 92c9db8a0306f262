"""`no-infrastructure-hidden-from-the-pack`: what it allows by config and by default, and how it
reads a dynamic provider's pickle without running it. The planted cases are the governance family
(tests/examples/families/governance)."""

from __future__ import annotations

import base64
import pickle
from collections import OrderedDict
from pathlib import Path

import pulumi_aws as aws
import pulumi_kubernetes as k8s
import pytest
from pulumi.dynamic import Resource, ResourceProvider
from pulumi.dynamic.dynamic import serialize_provider

from offline_preview import evaluate, load_policy_pack, run_program
from offline_preview.policy_runner import LoadedPack
from platform_policies.governance import DEFAULT_DYNAMIC_PROVIDERS, DEFAULT_HELM_CHARTS, pickled_globals
from secure_platform.compute.eks.versions import CHARTS
from secure_platform.spot.provider import SpotSelectionProvider

REPO = Path(__file__).resolve().parents[2]
POLICY = "no-infrastructure-hidden-from-the-pack"


@pytest.fixture(scope="module")
def pack() -> LoadedPack:
    return load_policy_pack(REPO / "policies")


def findings(pack: LoadedPack, tmp_path: Path, program, policy_config: dict | None = None) -> list[str]:
    cap = run_program(tmp_path, "test", config={"aws:region": "us-east-1"}, program=program)
    report = evaluate(pack, cap, {"all": "mandatory", **({POLICY: policy_config} if policy_config else {})}, cap.config)
    index = cap.by_urn()
    return sorted(index[v.urn].name for v in report.violations if v.policy == POLICY)


BASE_PROVIDER = "pulumi.dynamic.dynamic.ResourceProvider"
"""An importable provider class dill pickles by reference. (A class of this test module would be
pickled by value once a program with a `tests` package of its own has run in the session: the
capture drops the modules such a program shadows.)"""


def test_the_librarys_spot_provider_pickles_to_one_allowed_global() -> None:
    assert pickled_globals(serialize_provider(SpotSelectionProvider())) == {
        "secure_platform.spot.provider.SpotSelectionProvider"
    }
    assert "secure_platform.spot.provider.SpotSelectionProvider" in DEFAULT_DYNAMIC_PROVIDERS


def test_another_importable_provider_is_named_and_not_allowed() -> None:
    found = pickled_globals(serialize_provider(ResourceProvider())) or set()
    assert found == {BASE_PROVIDER}
    assert not found & set(DEFAULT_DYNAMIC_PROVIDERS)


@pytest.mark.parametrize(
    "payload",
    [
        "not base64 at all!",
        base64.b64encode(b"plain bytes, not a pickle").decode(),
        # A global whose module name is built at load time: STACK_GLOBAL after a call's result.
        base64.b64encode(b"\x80\x04cbuiltins\nstr\n)R\x8c\x03abc\x93.").decode(),
        # An extension-registry code names a global only the unpickling process knows.
        base64.b64encode(b"\x80\x02\x82\x01.").decode(),
    ],
    ids=["not-base64", "not-a-pickle", "computed-global", "extension-code"],
)
def test_a_pickle_whose_globals_cannot_be_told_is_unreadable(payload: str) -> None:
    assert pickled_globals(payload) is None


def test_globals_through_the_memo_are_read() -> None:
    payload = pickle.dumps([OrderedDict, OrderedDict, pickle.loads], protocol=4)
    assert pickled_globals(base64.b64encode(payload).decode()) == {"collections.OrderedDict", "_pickle.loads"}


def test_the_default_charts_are_the_ones_the_library_installs() -> None:
    assert set(DEFAULT_HELM_CHARTS) == {f"{pin.repository.rstrip('/')}/{pin.chart}" for pin in CHARTS.values()}


def test_allowed_types_charts_and_providers_come_from_the_config(pack: LoadedPack, tmp_path: Path) -> None:
    class Dynamic(Resource):
        def __init__(self, name: str) -> None:
            super().__init__(ResourceProvider(), name, {"value": name})

    def program() -> None:
        aws.cloudformation.Stack("legacy-stack", template_body='{"Resources": {}}')
        k8s.helm.v3.Release("oci-chart", chart="oci://registry.example.com/charts/agent", version="1.0.0")
        k8s.helm.v3.Release(
            "listed-chart",
            chart="metrics-server",
            repository_opts={"repo": "https://kubernetes-sigs.github.io/metrics-server/"},
        )
        Dynamic("reviewed-provider")

    assert findings(pack, tmp_path, program) == ["legacy-stack", "oci-chart", "reviewed-provider"]
    allowed = {
        "allowedTypes": ["aws:cloudformation/*"],
        "allowedHelmCharts": ["oci://registry.example.com/charts/agent"],
        "allowedDynamicProviders": [BASE_PROVIDER],
    }
    assert findings(pack, tmp_path, program, allowed) == ["listed-chart"]
