"""The Fargate task-size table (pure data).

Source: "Task CPU and memory" in the Amazon ECS Developer Guide (Fargate, Linux). Memory values are
MiB; CPU values are CPU units (1024 = 1 vCPU). Kept apart from the config model so the compute
component and the cost estimate read the same table.
"""

from __future__ import annotations


def _range(start_gib: int, stop_gib: int, step_gib: int) -> tuple[int, ...]:
    return tuple(gib * 1024 for gib in range(start_gib, stop_gib + 1, step_gib))


FARGATE_MEMORY_BY_CPU: dict[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: _range(1, 4, 1),
    1024: _range(2, 8, 1),
    2048: _range(4, 16, 1),
    4096: _range(8, 30, 1),
    8192: _range(16, 60, 4),
    16384: _range(32, 120, 8),
}


def valid_fargate_pair(cpu: int, memory: int) -> bool:
    return memory in FARGATE_MEMORY_BY_CPU.get(cpu, ())


def memory_choices(cpu: int) -> str:
    """The memory sizes (MiB) Fargate accepts with `cpu`, e.g. "1024, 2048, 3072, 4096 MiB"."""
    choices = FARGATE_MEMORY_BY_CPU[cpu]
    if len(choices) <= 4:
        return ", ".join(str(m) for m in choices) + " MiB"
    step = choices[1] - choices[0]
    return f"{choices[0]}-{choices[-1]} MiB in steps of {step} MiB"


def memory_table() -> str:
    """The whole table in one line (the README's allowed values of `memory`)."""
    return "; ".join(f"cpu {cpu}: {memory_choices(cpu)}" for cpu in FARGATE_MEMORY_BY_CPU)


def describe_memory_choices(cpu: int) -> str:
    """Human-readable memory choices for a CPU size, for error messages."""
    if cpu not in FARGATE_MEMORY_BY_CPU:
        return "cpu must be one of " + ", ".join(str(c) for c in FARGATE_MEMORY_BY_CPU)
    return "memory must be " + ("one of " if len(FARGATE_MEMORY_BY_CPU[cpu]) <= 4 else "") + memory_choices(cpu)
