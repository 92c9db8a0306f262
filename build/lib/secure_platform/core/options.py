"""Resource options the components share."""

from __future__ import annotations

from collections.abc import Sequence

import pulumi


def stateful_options(protect: bool) -> pulumi.ResourceOptions:
    """Options for resources that hold data: `protect` so `pulumi destroy` refuses, and
    `retain_on_delete` so that even a deliberate removal from the program keeps the data."""
    return pulumi.ResourceOptions(protect=protect, retain_on_delete=protect)


def child(
    parent: pulumi.Resource,
    *,
    stateful: bool = False,
    depends_on: Sequence[pulumi.Resource] | None = None,
    ignore_changes: Sequence[str] | None = None,
    delete_before_replace: bool | None = None,
) -> pulumi.ResourceOptions:
    """Options of a component's child; `stateful=True` adds `protect` and `retain_on_delete`."""
    opts = pulumi.ResourceOptions(
        parent=parent,
        depends_on=list(depends_on) if depends_on else None,
        ignore_changes=list(ignore_changes) if ignore_changes else None,
        delete_before_replace=delete_before_replace,
    )
    return pulumi.ResourceOptions.merge(opts, stateful_options(True)) if stateful else opts
