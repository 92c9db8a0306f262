"""The CloudWatch dashboard drawn from the alarm table: one graph per `AlarmSpec`, showing exactly
the series the alarm watches with its threshold, so the dashboard and the alarms cannot disagree.

Split from `alarms` because drawing is a separate concern from deciding what to watch: this
module only reads `AlarmSpec`s (from `alarm_spec`) and lays out widgets; `alarms` re-exports its
public names.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from secure_platform.monitoring.alarm_spec import AlarmSpec, Metric

WIDGET_WIDTH = 8
WIDGET_HEIGHT = 6


def _widget_metric(metric: Metric, query_id: str, visible: bool = True) -> list[Any]:
    row: list[Any] = [metric.namespace, metric.name]
    for key, value in metric.dimensions:
        row += [key, value]
    options: dict[str, Any] = {"id": query_id, "stat": metric.stat, "period": metric.period}
    if metric.label:
        options["label"] = metric.label
    if not visible:
        options["visible"] = False
    row.append(options)
    return row


def widget(spec: AlarmSpec, region: str) -> dict[str, Any]:
    """A time-series widget of exactly the series `spec` alarms on, with its threshold drawn."""
    metrics: list[Any] = [_widget_metric(m, i, visible=spec.kind != "math") for i, m in spec.metrics]
    properties: dict[str, Any] = {
        "title": f"[{spec.tier}] {spec.description}",
        "region": region,
        "view": "timeSeries",
        "stacked": False,
        "period": spec.period,
        "metrics": metrics,
    }
    if spec.kind == "math":
        metrics.append([{"expression": spec.expression, "label": spec.description, "id": "e1"}])
    if spec.kind == "anomaly":
        ((metric_id, _),) = spec.metrics
        metrics.append(
            [
                {
                    "expression": f"ANOMALY_DETECTION_BAND({metric_id}, {spec.anomaly_band:g})",
                    "label": "expected band",
                    "id": "band",
                }
            ]
        )
    else:
        properties["annotations"] = {"horizontal": [{"label": f"{spec.tier} threshold", "value": spec.threshold}]}
    if spec.unit:
        properties["yAxis"] = {"left": {"label": spec.unit, "showUnits": False}}
    return {"type": "metric", "width": WIDGET_WIDTH, "height": WIDGET_HEIGHT, "properties": properties}


def dashboard_body(
    specs: Sequence[AlarmSpec], region: str, *, title: str, alarm_arns: Sequence[str] = ()
) -> dict[str, Any]:
    """The dashboard: alarm status first, then one section per area with a graph per alarm."""
    widgets: list[dict[str, Any]] = [
        {
            "type": "text",
            "width": 24,
            "height": 2,
            "properties": {
                "markdown": f"# {title}\nEvery graph is the series an alarm watches; the line is its threshold."
            },
        }
    ]
    if alarm_arns:
        widgets.append(
            {
                "type": "alarm",
                "width": 24,
                "height": 2 + math.ceil(len(alarm_arns) / 4),
                "properties": {"title": "Alarms", "alarms": list(alarm_arns), "sortBy": "stateUpdatedTimestamp"},
            }
        )
    sections: dict[str, list[AlarmSpec]] = {}
    for spec in specs:
        sections.setdefault(spec.section, []).append(spec)
    for section, members in sections.items():
        widgets.append({"type": "text", "width": 24, "height": 1, "properties": {"markdown": f"## {section}"}})
        widgets += [widget(s, region) for s in members]
    _place(widgets)
    return {"widgets": widgets}


def _place(widgets: list[dict[str, Any]]) -> None:
    """Explicit x/y so the layout does not depend on CloudWatch's auto-placement."""
    x = y = row_height = 0
    for w in widgets:
        if x + w["width"] > 24:
            x, y, row_height = 0, y + row_height, 0
        w["x"], w["y"] = x, y
        x += w["width"]
        row_height = max(row_height, w["height"])


def dashboard_metrics(body: Mapping[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(namespace, metric, dimensions) of every metric a dashboard body draws (for checks)."""
    out: list[tuple[str, str, dict[str, Any]]] = []
    for w in body.get("widgets", []):
        for row in (w.get("properties") or {}).get("metrics", []) if w.get("type") == "metric" else []:
            if row and isinstance(row[0], str):
                plain = [v for v in row if not isinstance(v, dict)]
                out.append((plain[0], plain[1], dict(zip(plain[2::2], plain[3::2], strict=True))))
    return out
