"""Reading the stack's configuration: raw `namespace:key` values in, a `StackConfig` or one
`ConfigError` listing every problem out."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any

import pulumi
from pydantic import ValidationError

from secure_platform.config import aws_data
from secure_platform.config.environment_rules import environment_checks
from secure_platform.config.keys import key_problems
from secure_platform.config.limits import ACCOUNT_ID_RE, ALLOWED_REGION, NAMESPACE, REGION_RE
from secure_platform.config.model import SECTIONS, TOP_LEVEL_KEYS, StackConfig
from secure_platform.config.problems import (
    MISSING,
    ConfigError,
    ConfigProblem,
    problem_from_pydantic,
    secret_texts,
    unknown_key,
)
from secure_platform.config.rules import View, cross_checks, name_checks, platform_checks
from secure_platform.config.schema import keys_of
from secure_platform.config.yaml_meaning import from_json


def _decode(raw: Any) -> Any:
    """Config values arrive as strings; structured ones as JSON text."""
    if isinstance(raw, str):
        try:
            return from_json(raw)
        except ValueError:
            return raw
    return raw


OPAQUE_SECRET = "[secret]"  # noqa: S105 - what an offline run receives for a value it cannot decrypt
"""Offline (no secrets provider), a `secure:` value reaches the program as this text; the real
`pulumi` decrypts it first."""


def _secret_leaves(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Locations of the undecrypted (`secure:`) values inside a structured value."""
    if value == OPAQUE_SECRET:
        return [path]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _secret_leaves(v, (*path, k))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _secret_leaves(v, (*path, i))]
    return []


EMPTY = "is empty (nothing after the colon in the stack file)"


def _empty(raw: Any) -> bool:
    """A key the stack file gives with no value (`aws:region:`): the SDK hands over "null" (or "")."""
    return isinstance(raw, str) and raw.strip() in ("", "null")


def _without_placeholders(value: Any) -> Any:
    """`value` without its undecryptable (`secure:`) values."""
    if isinstance(value, dict):
        return {k: _without_placeholders(v) for k, v in value.items() if v != OPAQUE_SECRET}
    if isinstance(value, list):
        return [_without_placeholders(v) for v in value if v != OPAQUE_SECRET]
    return value


def _path_text(prefix: str, loc: tuple[Any, ...]) -> str:
    return prefix + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc)


def parse_config(
    raw: Mapping[str, Any],
    *,
    project: str = "platform",
    stack: str = "",
    secret_keys: Collection[str] = (),
    deploying: bool = True,
    warn: Callable[[str], None] | None = None,
) -> StackConfig:
    """Validate raw config (keys `platform:<key>`, `aws:region` and `aws:allowedAccountIds`) into a `StackConfig`.

    Every problem is collected; a `ConfigError` lists them all. `secret_keys` are the keys the
    stack holds encrypted: their values are never shown in a problem. No setting of this model
    carries a credential, so a `secure:` value is refused (a secret in a plain setting would be
    written into resource inputs and logs in the clear).

    `deploying` is false in a preview: deploy blockers (values that are well-formed but cannot work
    in a real deployment, such as documentation placeholders) then go to `warn` instead of failing,
    so the stack can be previewed and reviewed; `pulumi up` refuses them before any registration.
    """
    problems: list[ConfigProblem] = []
    ns = f"{NAMESPACE}:"
    ours = {k[len(ns) :]: v for k, v in raw.items() if k.startswith(ns)}
    secret = set(secret_keys)
    for full in sorted(secret):
        if not (full.startswith(ns) or full == "aws:region"):
            continue
        value = _decode(raw.get(full))
        for loc in _secret_leaves(value) or [()]:
            problems.append(
                ConfigProblem(
                    _path_text(full, loc),
                    MISSING,
                    "is a secret (secure:) but this setting is not one; allowed: the plain value "
                    f"(pulumi config set {full} ... without --secret)",
                    templated=True,
                )
            )

    problems.extend(key_problems(raw, secret, project))
    for key in ours:
        if key not in TOP_LEVEL_KEYS:
            problems.append(
                ConfigProblem(f"{ns}{key}", MISSING, unknown_key(key, list(TOP_LEVEL_KEYS)), templated=True)
            )

    region = raw.get("aws:region")
    if region is None:
        problems.append(ConfigProblem("aws:region", MISSING, f"is required but missing; allowed: {ALLOWED_REGION}"))
    elif _empty(region):
        problems.append(ConfigProblem("aws:region", MISSING, f"{EMPTY}; allowed: {ALLOWED_REGION}", templated=True))
        region = None
    elif not REGION_RE.match(str(region)) or str(region) not in aws_data.regions():
        problems.append(
            ConfigProblem("aws:region", region, f"{aws_data.unknown_region(str(region))}; allowed: {ALLOWED_REGION}")
        )

    accounts = _allowed_accounts(raw.get("aws:allowedAccountIds"), problems)

    environment = ours.get("environment")
    if _empty(environment):
        problems.append(
            ConfigProblem(f"{ns}environment", MISSING, f"{EMPTY}; allowed: dev, staging, prod", templated=True)
        )
    elif environment is None:
        problems.append(
            ConfigProblem(f"{ns}environment", MISSING, "is required but missing; allowed: dev, staging, prod")
        )
    elif environment not in ("dev", "staging", "prod"):
        problems.append(ConfigProblem(f"{ns}environment", environment, "is not allowed; allowed: dev, staging, prod"))

    protect_raw = _decode(ours.get("protect", "false"))
    if _empty(ours.get("protect")):
        problems.append(ConfigProblem(f"{ns}protect", MISSING, f"{EMPTY}; allowed: true, false", templated=True))
        protect_raw = False
    elif not isinstance(protect_raw, bool):
        problems.append(ConfigProblem(f"{ns}protect", protect_raw, "must be true or false; allowed: true, false"))
        protect_raw = False

    sections: dict[str, Any] = {}
    views: dict[str, View] = {}
    for key, (model, required) in SECTIONS.items():
        value = _decode(ours[key]) if key in ours and not _empty(ours[key]) else None
        if value is None:
            if required:
                problems.append(
                    ConfigProblem(
                        f"{ns}{key}",
                        MISSING,
                        f"{EMPTY if _empty(ours.get(key)) else 'is required but missing'}; allowed: an object with keys {keys_of(model)} "
                        f"({(model.__doc__ or '').strip().rstrip('.')})",
                    )
                )
                continue
            value = {}
        if not isinstance(value, dict):
            problems.append(
                ConfigProblem(f"{ns}{key}", value, f"must be an object; allowed: an object with keys {keys_of(model)}")
            )
            continue
        bad: set[tuple[Any, ...]] = set()
        # An undecryptable value is already reported as a secret. Its placeholder is not the
        # user's value, so no check judges it: it leaves its list or object before validation.
        opaque = set(_secret_leaves(value)) if f"{ns}{key}" in secret else set()
        value = _without_placeholders(value) if opaque else value
        try:
            sections[key] = model.model_validate(value)
        except ValidationError as exc:
            for e in exc.errors():
                loc = tuple(e["loc"])
                bad.add(loc)
                # What is left of it: a required value now missing, a list now too short.
                unknown = loc in opaque or (e["type"] == "too_short" and any(o[: len(loc)] == loc for o in opaque))
                if not unknown:
                    problems.append(problem_from_pydantic(f"{ns}{key}", model, e))
        views[key] = View(model, value, bad)

    problems.extend(cross_checks(views, environment, bool(protect_raw), str(region or "")))
    problems.extend(platform_checks(views, environment, str(region or "")))
    problems.extend(name_checks(project, environment, str(region or "")))
    problems.extend(environment_checks(views, environment, stack, str(region or "")))

    # A decrypted secret must never reach a log: its key is named, its value is not.
    texts = {t for k in secret for t in secret_texts(_decode(raw.get(k)))} - {OPAQUE_SECRET}
    problems = [p.hiding(secret, texts) for p in problems]
    if not deploying:
        for p in (p for p in problems if p.deploy_blocker):
            if warn is not None:
                warn(f"{p} (a preview runs; `pulumi up` refuses this value before creating anything)")
        problems = [p for p in problems if not p.deploy_blocker]
    if problems:
        raise ConfigError(problems, stack)
    return StackConfig(
        project=project,
        stack=stack,
        region=str(region),
        environment=environment,  # type: ignore[arg-type]  # checked above
        protect=bool(protect_raw),
        allowed_account_ids=accounts,
        **sections,
    )


ALLOWED_ACCOUNTS = 'a list of 12-digit AWS account ids, e.g. ["210987654321"]'


def _allowed_accounts(value: Any, problems: list[ConfigProblem]) -> tuple[str, ...]:
    """`aws:allowedAccountIds`, the AWS provider's own pin to the accounts a stack may deploy into.
    The platform gives it to every provider it creates (an explicit provider does not read the
    `aws:` config), so a stack run with another account's credentials stops before it changes
    anything, and the policy pack takes these as the platform's own accounts."""
    if value is None:
        return ()
    decoded = _decode(value)
    if _empty(value) or not isinstance(decoded, list) or not decoded:
        problems.append(
            ConfigProblem(
                "aws:allowedAccountIds",
                MISSING,
                f"must be a non-empty list; allowed: {ALLOWED_ACCOUNTS}",
                templated=True,
            )
        )
        return ()
    accounts = []
    for i, account in enumerate(decoded):
        # YAML reads an unquoted id as a number: 012345678901 loses its leading zero, so a number
        # is written back with twelve digits.
        number = isinstance(account, int) and not isinstance(account, bool)
        text = f"{account:012d}" if number else str(account).strip() if isinstance(account, str) else ""
        if not ACCOUNT_ID_RE.fullmatch(text):
            problems.append(
                ConfigProblem(
                    f"aws:allowedAccountIds[{i}]", account, f"is not an AWS account id; allowed: {ALLOWED_ACCOUNTS}"
                )
            )
            continue
        accounts.append(text)
    return tuple(accounts)


def read_secret_keys() -> list[str]:
    """The config keys the engine marked secret (`secure:` in the stack file)."""
    from pulumi.runtime import config as runtime_config

    # Under the engine the list arrives in the environment; set_all_config (tests, offline) keeps its own.
    return sorted(
        {*runtime_config.get_config_secret_keys_env(), *filter(runtime_config.is_config_secret, read_raw_config())}
    )


def read_raw_config() -> dict[str, Any]:
    """All config values visible to the program (engine environment, then values set in-process)."""
    from pulumi.runtime import config as runtime_config

    return {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}


def load_config() -> StackConfig:
    """Read and validate the current stack's configuration (raises `ConfigError`)."""
    return parse_config(
        read_raw_config(),
        project=pulumi.get_project(),
        stack=pulumi.get_stack(),
        secret_keys=read_secret_keys(),
        deploying=not pulumi.runtime.is_dry_run(),
        warn=pulumi.log.warn,
    )
