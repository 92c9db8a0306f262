"""Autoscaling of the ECS service (pure): bounds, target tracking, scale-in, the weekday schedule.

The requirement is "CPU: scale out at 70 %, in at 30 %; memory: out at 80 %, in at 40 %". Target
tracking cannot express the lower numbers: a target-tracking policy removes a task as soon as the
remaining tasks would stay at the target, i.e. when utilisation u <= target * (n - 1) / n (35 % CPU
with 2 tasks, 47 % with 3, approaching 70 % for large fleets), and it has no separate scale-in
threshold. So scaling is split, the way AWS documents `DisableScaleIn` for:

* **Scale-out**: two target-tracking policies (CPU 70 %, memory 80 %) with scale-in disabled and a
  short scale-out cooldown. Either one adds tasks; they never remove any.
* **Scale-in**: one step policy, fired by one metric-math alarm `IF(cpu < 30 AND memory < 40, 1, 0)`
  that must hold for `SCALE_IN_EVALUATION_MINUTES` minutes, removing one task per
  `SCALE_IN_COOLDOWN_SECONDS` (CloudWatch re-invokes Auto Scaling actions every minute while the
  alarm stays in ALARM; the cooldown paces them). Both metrics must be low: a memory-bound service
  idling on CPU is not shrunk.

Why these cooldowns give the design's *effective* scale-in at 30 % / 40 % without flapping: removing
one task from n (n >= 2) at utilisation u spreads the same load over n - 1 tasks, so the new
utilisation is u * n / (n - 1) <= 2u. Below 30 % CPU that is < 60 % (< 70 %, the scale-out target);
below 40 % memory it is < 80 % (the memory target). So a scale-in never provokes a scale-out, and the
5-minute cooldown lets five one-minute datapoints of the smaller fleet arrive before the next step.
`utilisation_after_scale_in` states that math and the tests check it for every fleet size.

Scheduled actions raise the floor (`minCapacity`) on weekdays at `weekdayScaleUpAt` and lower it at
`weekdayScaleDownAt`, both in the stack's time zone; Friday's scale-down keeps the weekend at
`minTasks`. Raising the floor scales out at once; lowering it only lets the scale-in policy drain.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

from secure_platform.config import EcsConfig

KEY = "platform:compute.ecs"

CPU_TARGET_PERCENT = 70.0
MEMORY_TARGET_PERCENT = 80.0
CPU_SCALE_IN_PERCENT = 30.0
MEMORY_SCALE_IN_PERCENT = 40.0
SCALE_OUT_COOLDOWN_SECONDS = 60
SCALE_IN_COOLDOWN_SECONDS = 300
SCALE_IN_EVALUATION_MINUTES = 15
"""Like the low alarm target tracking itself creates: 15 one-minute datapoints."""
SCALE_IN_STEP = -1

WEEKDAYS = "MON-FRI"
_DAY_INDEX = {"MON": 0, "TUE": 1, "WED": 2, "THU": 3, "FRI": 4, "SAT": 5, "SUN": 6}


@dataclass(frozen=True)
class TargetTracking:
    name: str
    predefined_metric: str
    """`ECSServiceAverageCPUUtilization` / `ECSServiceAverageMemoryUtilization`."""
    target_percent: float
    scale_out_cooldown_seconds: int
    disable_scale_in: bool = True


@dataclass(frozen=True)
class ScaleIn:
    cpu_below_percent: float
    memory_below_percent: float
    evaluation_minutes: int
    cooldown_seconds: int
    step: int

    def expression(self, cpu_id: str = "cpu", memory_id: str = "memory") -> str:
        """CloudWatch metric math: 1 while both utilisations are below their thresholds."""
        return f"IF({cpu_id} < {self.cpu_below_percent:g} AND {memory_id} < {self.memory_below_percent:g}, 1, 0)"


@dataclass(frozen=True)
class ScheduledFloor:
    name: str
    hour: int
    minute: int
    days: str
    min_capacity: int
    timezone: str

    @property
    def cron(self) -> str:
        """Application Auto Scaling's six-field cron: minutes hours day-of-month month day-of-week year."""
        return f"cron({self.minute} {self.hour} ? * {self.days} *)"

    def runs_on(self, weekday: int) -> bool:
        start, _, end = self.days.partition("-")
        first, last = _DAY_INDEX[start], _DAY_INDEX[end or start]
        return first <= weekday <= last


@dataclass(frozen=True)
class ScalingPlan:
    min_tasks: int
    max_tasks: int
    initial_tasks: int
    """The service's first `desiredCount`; Auto Scaling owns it afterwards (`ignore_changes`)."""
    target_tracking: tuple[TargetTracking, ...]
    scale_in: ScaleIn
    schedule: tuple[ScheduledFloor, ...]
    timezone: str

    def floor_at(self, local: datetime) -> int:
        """The task floor (`minCapacity`) in force at a local time of the stack's time zone."""
        events: list[tuple[int, int, int]] = []  # (days back, minutes into day, floor)
        minute_now = local.hour * 60 + local.minute
        for back in range(8):
            weekday = (local.weekday() - back) % 7
            for action in self.schedule:
                at = action.hour * 60 + action.minute
                if action.runs_on(weekday) and (back > 0 or at <= minute_now):
                    events.append((back, -at, action.min_capacity))
            if events:
                break
        if not events:
            return self.min_tasks
        events.sort()
        return events[0][2]


def _hhmm(value: str) -> time:
    hour, minute = value.split(":")
    return time(int(hour), int(minute))


def plan_scaling(ecs: EcsConfig, timezone: str, *, prefix: str) -> ScalingPlan:
    """The scaling plan from validated config: the bounds, the time zone, the business-hours floor
    and the schedule's order are config rules (`secure_platform.config.rules`), checked before any
    resource is registered."""
    schedule: tuple[ScheduledFloor, ...] = ()
    sched = ecs.schedule
    if sched.enabled:
        up, down = _hhmm(sched.weekday_scale_up_at), _hhmm(sched.weekday_scale_down_at)
        schedule = (
            ScheduledFloor(
                f"{prefix}-business-hours-start", up.hour, up.minute, WEEKDAYS, sched.business_hours_min_tasks, timezone
            ),
            ScheduledFloor(f"{prefix}-business-hours-end", down.hour, down.minute, WEEKDAYS, ecs.min_tasks, timezone),
        )

    return ScalingPlan(
        min_tasks=ecs.min_tasks,
        max_tasks=ecs.max_tasks,
        initial_tasks=min(max(ecs.min_tasks, 1), ecs.max_tasks),
        target_tracking=(
            TargetTracking("cpu", "ECSServiceAverageCPUUtilization", CPU_TARGET_PERCENT, SCALE_OUT_COOLDOWN_SECONDS),
            TargetTracking(
                "memory", "ECSServiceAverageMemoryUtilization", MEMORY_TARGET_PERCENT, SCALE_OUT_COOLDOWN_SECONDS
            ),
        ),
        scale_in=ScaleIn(
            cpu_below_percent=CPU_SCALE_IN_PERCENT,
            memory_below_percent=MEMORY_SCALE_IN_PERCENT,
            evaluation_minutes=SCALE_IN_EVALUATION_MINUTES,
            cooldown_seconds=SCALE_IN_COOLDOWN_SECONDS,
            step=SCALE_IN_STEP,
        ),
        schedule=schedule,
        timezone=timezone,
    )


def utilisation_after_scale_in(utilisation: float, tasks: int, step: int = SCALE_IN_STEP) -> float:
    """Average utilisation once `-step` of `tasks` are gone and the same load is spread over the rest."""
    remaining = tasks + step
    if remaining < 1:
        raise ValueError(f"cannot scale {tasks} task(s) in by {-step}")
    return utilisation * tasks / remaining


def target_tracking_scale_in_point(target_percent: float, tasks: int) -> float:
    """The utilisation below which a target-tracking policy would remove one of `tasks` tasks."""
    if tasks < 2:
        return 0.0
    return target_percent * (tasks - 1) / tasks
