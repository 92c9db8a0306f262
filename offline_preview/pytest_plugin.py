"""pytest plugin: unit-test a Pulumi Python program or component offline, policy findings included.

Installed with the distribution (entry point `pytest11`), so any test in that environment can ask
for the `offline_pulumi` fixture::

    def test_buckets_are_encrypted(offline_pulumi):
        run = offline_pulumi.program(Path(__file__).parent.parent, "dev")
        assert run.of_type("aws:s3/bucket:Bucket")
        assert not run.mandatory_violations()

    def test_one_component(offline_pulumi):
        run = offline_pulumi.component(lambda: SecureBucket("assets", SecureBucketArgs(...)))
        bucket = run.one("aws:s3/bucket:Bucket")

Both run through `run_program`, the same capture engine the `python -m offline_preview` command
uses (the SDK's mock monitor; no cloud, no CLI), then judge what was registered with a CrossGuard
pack in-process: by default the pack installed with this distribution (`platform_policies`),
another one with `policy_pack=DIR`, none with `policy_pack=None`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from .capture import Capture, CapturedResource, run_program
from .policy_runner import LoadedPack, PolicyReport, Violation, evaluate, load_policy_pack, read_policy_config

DEFAULT_PACK = "default"
"""`policy_pack=DEFAULT_PACK`: the pack installed with the distribution."""


@dataclass
class OfflineRun:
    """What a program registered (`capture`) and what the pack said about it (`policy`)."""

    capture: Capture
    policy: PolicyReport | None

    @property
    def resources(self) -> list[CapturedResource]:
        """Every registration except the root stack, sorted by URN."""
        return [r for r in self.capture.resources if r.type != "pulumi:pulumi:Stack"]

    @property
    def outputs(self) -> dict[str, Any]:
        """The stack's exports (secret values masked)."""
        return self.capture.outputs

    def of_type(self, type_: str) -> list[CapturedResource]:
        """Registrations of one type token, e.g. `aws:s3/bucket:Bucket`."""
        return self.capture.of_type(type_)

    def named(self, name: str, type_: str | None = None) -> list[CapturedResource]:
        """Registrations with this logical name (optionally of one type)."""
        return [r for r in self.resources if r.name == name and (type_ is None or r.type == type_)]

    def one(self, type_: str, name: str | None = None) -> CapturedResource:
        """The single registration of `type_` (and `name`); fails the test with what exists otherwise."""
        found = [r for r in self.of_type(type_) if name is None or r.name == name]
        if len(found) != 1:
            names = sorted(r.name for r in self.of_type(type_))
            wanted = type_ if name is None else f"{type_} named {name!r}"
            pytest.fail(f"expected exactly one {wanted}, found {len(found)} (registered {type_}: {names})")
        return found[0]

    def children(self, resource: CapturedResource | str) -> list[CapturedResource]:
        """Direct children of a component (resource or URN)."""
        return self.capture.children(resource if isinstance(resource, str) else resource.urn)

    def descendants(self, resource: CapturedResource | str) -> list[CapturedResource]:
        """Every resource under a component (resource or URN)."""
        return self.capture.descendants(resource if isinstance(resource, str) else resource.urn)

    def types(self) -> dict[str, int]:
        """Registrations counted by type token."""
        counts: dict[str, int] = {}
        for r in self.resources:
            counts[r.type] = counts.get(r.type, 0) + 1
        return dict(sorted(counts.items()))

    def violations(self, policy: str | None = None, urn: str | None = None) -> list[Violation]:
        """Policy findings (all enforcement levels), optionally of one policy and/or one resource."""
        if self.policy is None:
            raise ValueError("this run judged nothing: it was made with policy_pack=None")
        return [
            v
            for v in self.policy.violations
            if (policy is None or v.policy == policy) and (urn is None or v.urn == urn)
        ]

    def mandatory_violations(self) -> list[Violation]:
        """Findings that would fail `pulumi preview --policy-pack`."""
        return [v for v in self.violations() if v.enforcement == "mandatory"]


@functools.cache
def _load_pack(directory: Path) -> LoadedPack:
    return load_policy_pack(directory)


def installed_pack_directory() -> Path:
    """The pack installed with this distribution (`platform_policies/pack`, or `policies/` in a checkout)."""
    from platform_policies.pack_dir import pack_directory

    return pack_directory()


class OfflinePulumi:
    """The `offline_pulumi` fixture: runs programs offline and judges them."""

    def __init__(self, workdir: Path) -> None:
        self._workdir = workdir

    def program(
        self,
        directory: str | Path,
        stack: str,
        *,
        config: Mapping[str, Any] | None = None,
        config_file: str | Path | None = None,
        stack_outputs: Mapping[str, Mapping[str, Any]] | str | Path | None = None,
        policy_pack: str | Path | None = DEFAULT_PACK,
        policy_config: str | Path | Mapping[str, Any] | None = None,
    ) -> OfflineRun:
        """Run the program in `directory` (its Pulumi.yaml and Pulumi.<stack>.yaml) for `stack`.

        `config` (`namespace:key` -> value, objects allowed) overrides the stack file's values.
        `policy_config` is a `--policy-pack-config` file or its content; by default the pack's
        `config/<stack>.json` if it has one, else every policy at its default enforcement level.
        """
        capture = run_program(
            Path(directory),
            stack,
            config=dict(config or {}),
            config_file=config_file,
            stack_outputs=stack_outputs,
        )
        return OfflineRun(capture, self._judge(capture, policy_pack, policy_config))

    def component(
        self,
        build: Callable[[], object],
        *,
        project: str = "test",
        stack: str = "test",
        config: Mapping[str, Any] | None = None,
        policy_pack: str | Path | None = DEFAULT_PACK,
        policy_config: str | Path | Mapping[str, Any] | None = None,
    ) -> OfflineRun:
        """Run `build()` as the whole program of stack `stack` in project `project`: construct the
        component(s) under test there (exports via `pulumi.export` work too). `config` as above;
        `aws:region` defaults to us-east-1."""
        directory = self._workdir / f"{project}-program"
        directory.mkdir(parents=True, exist_ok=True)
        manifest = directory / "Pulumi.yaml"
        if not manifest.exists():
            manifest.write_text(f"name: {project}\nruntime: python\n", encoding="utf-8")
            # A project needs an entry file; `build` replaces it for this run.
            (directory / "__main__.py").write_text('"""Replaced by the test\'s build function."""\n', encoding="utf-8")

        def body() -> None:
            build()

        capture = run_program(directory, stack, config=dict(config or {}), program=body)
        return OfflineRun(capture, self._judge(capture, policy_pack, policy_config))

    @staticmethod
    def _judge(
        capture: Capture,
        policy_pack: str | Path | None,
        policy_config: str | Path | Mapping[str, Any] | None,
    ) -> PolicyReport | None:
        if policy_pack is None:
            return None
        pack_dir = installed_pack_directory() if policy_pack == DEFAULT_PACK else Path(policy_pack).resolve()
        pack = _load_pack(pack_dir)
        if isinstance(policy_config, Mapping):
            file_config, source = dict(policy_config), "policy_config"
        else:
            path = Path(policy_config) if policy_config is not None else pack_dir / "config" / f"{capture.stack}.json"
            file_config = read_policy_config(path) if (policy_config is not None or path.exists()) else None
            source = str(path)
        return evaluate(pack, capture, file_config, capture.config, source=source)


@pytest.fixture
def offline_pulumi(tmp_path: Path) -> OfflinePulumi:
    """Run a Pulumi program or component offline: `.program(dir, stack)`, `.component(fn)`."""
    return OfflinePulumi(tmp_path)
