"""Which `namespace:key` entries a stack may hold besides the platform's own sections: the
namespaces of the program and of the providers it uses, and the keys of the aws provider. A key
outside them is a typo the program would otherwise never read (`platfrom:backup` silently drops
the backup settings), so it is refused with the closest known name; an AWS credential in plain text
is refused too (it would sit in the stack file, and in git, in the clear)."""

from __future__ import annotations

import difflib
import functools
import importlib
import inspect
import pkgutil
import re
from collections.abc import Collection, Mapping
from typing import Any

from secure_platform.config.limits import NAMESPACE
from secure_platform.config.problems import MISSING, ConfigProblem

PROVIDER_NAMESPACES = ("aws", "aws-native", "kubernetes", "pulumi")
"""The providers the platform uses, and the engine's own settings."""

PLAIN_CREDENTIALS = ("aws:secretKey", "aws:token")
"""aws provider keys that are credentials on their own; `aws:accessKey` is one beside them."""


@functools.cache
def installed_namespaces() -> frozenset[str]:
    """The config namespace of every Pulumi package installed (`pulumi_aws_native` -> `aws-native`)."""
    return frozenset(
        m.name.removeprefix("pulumi_").replace("_", "-")
        for m in pkgutil.iter_modules()
        if m.name.startswith("pulumi_") and m.ispkg
    )


@functools.cache
def aws_keys() -> frozenset[str]:
    """The aws provider's config keys, as its SDK reads them (`pulumi_aws.config`'s getters)."""
    config = importlib.import_module("pulumi_aws.config")
    getattr(config, "region", None)  # the SDK loads the module's getters on first use
    keys: set[str] = set()
    for member in vars(type(config)).values():
        if isinstance(member, property) and member.fget is not None:
            keys.update(re.findall(r"__config__\.get\w*\(['\"](\w+)['\"]", inspect.getsource(member.fget)))
    return frozenset(keys)


def key_problems(raw: Mapping[str, Any], secret_keys: Collection[str], project: str) -> list[ConfigProblem]:
    """Problems with the keys of `raw` themselves: an unknown namespace, an unknown key of the aws
    provider close to a known one, an AWS credential not held as a secret. No value is shown."""
    allowed = sorted({NAMESPACE, project, *PROVIDER_NAMESPACES, *installed_namespaces()})
    problems: list[ConfigProblem] = []
    for full in sorted(raw):
        namespace, colon, name = full.partition(":")
        if not colon:
            continue
        if namespace not in allowed:
            close = difflib.get_close_matches(namespace, allowed, n=1, cutoff=0.6)
            hint = f"; did you mean '{close[0]}:{name}'? " if close else "; "
            problems.append(
                ConfigProblem(
                    full,
                    MISSING,
                    f"has an unknown namespace '{namespace}' (no part of the program reads it){hint}"
                    f"allowed namespaces: {', '.join(allowed)}",
                    templated=True,
                )
            )
        elif namespace == "aws" and name not in aws_keys():
            # Only a near miss: a provider newer than the installed SDK may know keys it does not.
            close = difflib.get_close_matches(name, sorted(aws_keys()), n=1, cutoff=0.75)
            if close:
                problems.append(
                    ConfigProblem(
                        full,
                        MISSING,
                        f"is not a key of the aws provider; did you mean 'aws:{close[0]}'? allowed: the aws "
                        "provider's keys (pulumi-aws configuration)",
                        templated=True,
                    )
                )
    paired = any(k in raw for k in PLAIN_CREDENTIALS)
    for full in (*PLAIN_CREDENTIALS, "aws:accessKey"):
        if full in raw and full not in secret_keys and (full != "aws:accessKey" or paired):
            problems.append(
                ConfigProblem(
                    full,
                    MISSING,
                    "is an AWS credential in plain text in the stack file (not shown); allowed: "
                    f"pulumi config set --secret {full} ..., or credentials from the environment "
                    "(AWS_PROFILE, or an IAM role)",
                    templated=True,
                )
            )
    return problems
