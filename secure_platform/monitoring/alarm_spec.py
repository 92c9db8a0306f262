"""One alarm of the table as data (`Metric`, `AlarmSpec`, checked as CloudWatch would check them)
and the arguments of the `aws.cloudwatch.MetricAlarm` it becomes (`metric_alarm_args`).

Split from `alarms` so the vocabulary the table, the dashboard and the Monitoring component share
lives apart from the table of what the stack watches: `alarms` (the table) and `dashboard` (the
drawing) both build on this module, and `alarms` re-exports its names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

import pulumi_aws as aws

Tier = Literal["critical", "warning", "info"]
TIERS: tuple[Tier, ...] = ("critical", "warning", "info")
Dim = Any
"""A dimension value: a plain string or a `pulumi.Output[str]` (never inspected here)."""

ComparisonOperator = Literal[
    "GreaterThanThreshold",
    "GreaterThanOrEqualToThreshold",
    "LessThanThreshold",
    "LessThanOrEqualToThreshold",
    "GreaterThanUpperThreshold",
    "LessThanLowerThreshold",
    "LessThanLowerOrGreaterThanUpperThreshold",
]
ANOMALY_COMPARISONS = frozenset(
    {"GreaterThanUpperThreshold", "LessThanLowerThreshold", "LessThanLowerOrGreaterThanUpperThreshold"}
)
_STATISTICS = frozenset({"SampleCount", "Average", "Sum", "Minimum", "Maximum"})
_PERCENTILE = re.compile(r"^p(\d{1,2}(\.\d{1,2})?|100)$")


class AlarmTableError(ValueError):
    """A spec CloudWatch would reject (or that could never fire)."""


@dataclass(frozen=True)
class Metric:
    namespace: str
    name: str
    dimensions: tuple[tuple[str, Dim], ...]
    stat: str
    """`Sum`, `Average`, `Minimum`, `Maximum`, `SampleCount` or a percentile such as `p95`."""
    period: int = 60
    label: str = ""

    @property
    def is_percentile(self) -> bool:
        return bool(_PERCENTILE.match(self.stat))

    def check(self) -> None:
        if self.stat not in _STATISTICS and not self.is_percentile:
            raise AlarmTableError(f"{self.namespace}/{self.name}: unknown statistic {self.stat!r}")
        if (
            self.period < 10
            or (self.period >= 60 and self.period % 60)
            or (self.period < 60 and self.period not in (10, 30))
        ):
            raise AlarmTableError(
                f"{self.namespace}/{self.name}: period {self.period} s (use 10, 30 or a multiple of 60)"
            )
        names = [k for k, _ in self.dimensions]
        if len(names) != len(set(names)) or len(names) > 30:
            raise AlarmTableError(f"{self.namespace}/{self.name}: duplicate or too many dimensions {names}")


@dataclass(frozen=True)
class AlarmSpec:
    key: str
    """Unique within the stack: the alarm's name is `<prefix>-<key>`."""
    tier: Tier
    section: str
    """Dashboard section the metric is drawn in."""
    description: str
    comparison: ComparisonOperator
    metrics: tuple[tuple[str, Metric], ...]
    """Query id -> metric. One metric and no expression: a plain metric alarm."""
    threshold: float | None = None
    expression: str | None = None
    """Metric math over the ids, the series the alarm watches."""
    anomaly_band: float | None = None
    """Standard deviations of an anomaly-detection band around the (single) metric."""
    evaluation_periods: int = 3
    datapoints_to_alarm: int = 3
    treat_missing_data: Literal["missing", "ignore", "breaching", "notBreaching"] = "notBreaching"
    unit: str = ""

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", self.key):
            raise AlarmTableError(f"alarm key {self.key!r}: lower-case letters, digits and '-' only")
        if self.tier not in TIERS:
            raise AlarmTableError(f"{self.key}: tier {self.tier!r} is not one of {TIERS}")
        if not self.metrics:
            raise AlarmTableError(f"{self.key}: needs at least one metric")
        for _, metric in self.metrics:
            metric.check()
        if not 1 <= self.datapoints_to_alarm <= self.evaluation_periods:
            raise AlarmTableError(f"{self.key}: datapoints_to_alarm must be between 1 and evaluation_periods")
        is_anomaly = self.anomaly_band is not None
        if is_anomaly != (self.comparison in ANOMALY_COMPARISONS):
            raise AlarmTableError(f"{self.key}: anomaly comparisons go with an anomaly band, and only with one")
        if is_anomaly and (len(self.metrics) != 1 or self.expression is not None or self.threshold is not None):
            raise AlarmTableError(f"{self.key}: an anomaly alarm watches exactly one metric, with no threshold")
        if not is_anomaly and self.threshold is None:
            raise AlarmTableError(f"{self.key}: a static alarm needs a threshold")
        if self.expression is None and not is_anomaly and len(self.metrics) != 1:
            raise AlarmTableError(f"{self.key}: several metrics need an expression combining them")
        if self.expression is not None:
            unknown = set(re.findall(r"\b[a-z][a-zA-Z0-9_]*\b", self.expression)) - {i for i, _ in self.metrics}
            unknown -= {"e1"}
            if unknown:
                raise AlarmTableError(f"{self.key}: expression uses unknown id(s) {sorted(unknown)}")

    @property
    def kind(self) -> Literal["metric", "math", "anomaly"]:
        if self.anomaly_band is not None:
            return "anomaly"
        return "math" if self.expression is not None else "metric"

    @property
    def period(self) -> int:
        return min(m.period for _, m in self.metrics)


# --- turning a spec into resources -------------------------------------------------------------


def _stat_args(metric: Metric) -> dict[str, Any]:
    return {"extended_statistic": metric.stat} if metric.is_percentile else {"statistic": metric.stat}


def _query_metric(metric: Metric) -> aws.cloudwatch.MetricAlarmMetricQueryMetricArgsDict:
    return {
        "namespace": metric.namespace,
        "metric_name": metric.name,
        "dimensions": dict(metric.dimensions),
        "period": metric.period,
        "stat": metric.stat,
    }


def metric_alarm_args(spec: AlarmSpec, name: str, topic_arn: Dim) -> dict[str, Any]:
    """Keyword arguments of `aws.cloudwatch.MetricAlarm` for `spec`, notifying `topic_arn`.

    Critical and warning alarms also notify when they recover; info alarms only when they fire.
    """
    args: dict[str, Any] = {
        "name": name,
        "alarm_description": f"[{spec.tier}] {spec.description}",
        "comparison_operator": spec.comparison,
        "evaluation_periods": spec.evaluation_periods,
        "datapoints_to_alarm": spec.datapoints_to_alarm,
        "treat_missing_data": spec.treat_missing_data,
        "actions_enabled": True,
        "alarm_actions": [topic_arn],
        "ok_actions": [topic_arn] if spec.tier != "info" else [],
    }
    if spec.kind == "metric":
        ((_, metric),) = spec.metrics
        args |= {
            "namespace": metric.namespace,
            "metric_name": metric.name,
            "dimensions": dict(metric.dimensions),
            "period": metric.period,
            "threshold": spec.threshold,
            **_stat_args(metric),
        }
    elif spec.kind == "math":
        queries: list[aws.cloudwatch.MetricAlarmMetricQueryArgsDict] = [
            {"id": i, "metric": _query_metric(m), "return_data": False} for i, m in spec.metrics
        ]
        queries.append({"id": "e1", "expression": spec.expression, "label": spec.description, "return_data": True})
        args |= {"metric_queries": queries, "threshold": spec.threshold}
    else:
        ((metric_id, metric),) = spec.metrics
        band: list[aws.cloudwatch.MetricAlarmMetricQueryArgsDict] = [
            {"id": metric_id, "metric": _query_metric(metric), "return_data": True},
            {
                "id": "band",
                "expression": f"ANOMALY_DETECTION_BAND({metric_id}, {spec.anomaly_band:g})",
                "label": "expected band",
                "return_data": True,
            },
        ]
        args |= {"metric_queries": band, "threshold_metric_id": "band"}
    return args
