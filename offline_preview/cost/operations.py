"""Pricers for security and observability: KMS, Secrets Manager, WAF, CloudWatch, CloudTrail,
Route 53, SSM."""

from __future__ import annotations

import json

from ..capture import CapturedResource
from .context import Context, Priced, Pricer, num, rate


def _kms_key(r: CapturedResource, c: Context) -> Priced:
    per = c.p("kms.keyMonth")
    note = "; each yearly rotation adds $1/month for the first two" if r.inputs.get("enableKeyRotation") else ""
    return Priced(per, f"customer managed key {rate(per)}/month{note}; requests not included")


def _secret(r: CapturedResource, c: Context) -> Priced:
    per, calls, api = c.p("secretsManager.secretMonth"), c.a("secretApiCalls10k"), c.p("secretsManager.api10k")
    return Priced(
        per + calls * api,
        f"{rate(per)}/secret-month + {calls * 10:g}k API calls x {rate(api)}/10k",
        assumed=calls * api,
    )


_PAID_RULE_GROUPS = ("AWSManagedRulesBotControlRuleSet", "AWSManagedRulesATPRuleSet", "AWSManagedRulesACFPRuleSet")


def _web_acl(r: CapturedResource, c: Context) -> Priced:
    rules = [x for x in r.inputs.get("rules") or [] if isinstance(x, dict)]
    acl, rule, req = c.p("waf.webAclMonth"), c.p("waf.ruleMonth"), c.p("waf.requestsMillion")
    millions = c.a("wafRequestsMillions")
    monthly = acl + len(rules) * rule + millions * req
    basis = f"web ACL {rate(acl)} + {len(rules)} rules x {rate(rule)} + {millions:g}M requests x {rate(req)}/M"
    text = json.dumps(rules)
    paid = [g for g in _PAID_RULE_GROUPS if g in text]
    if paid:
        basis += f"; subscription fees of {', '.join(paid)} not included"
    return Priced(monthly, basis, assumed=millions * req)


def _log_group(r: CapturedResource, c: Context) -> Priced:
    gb = c.a("logIngestGbPerGroup")
    infrequent = r.inputs.get("logGroupClass") == "INFREQUENT_ACCESS"
    ingest = c.p("logs.infrequentIngestGb" if infrequent else "logs.ingestGb")
    retention = num(r.inputs.get("retentionInDays"), 0.0) or 0.0
    kept_days = retention if retention > 0 else 365.0
    stored = gb * min(kept_days, 365.0) / 30.4
    store = c.p("logs.storageGbMonth")
    monthly = gb * ingest + stored * store
    retention_text = f"{retention:g}-day retention" if retention > 0 else "no expiry (counted as 1 year)"
    return Priced(
        monthly,
        f"{gb:g} GB/month ingested x {rate(ingest)}/GB + {stored:.1f} GB stored ({retention_text}, "
        f"uncompressed upper bound) x {rate(store)}/GB-month",
        assumed=monthly,
    )


def _metric_alarm(r: CapturedResource, c: Context) -> Priced:
    queries = [q for q in r.inputs.get("metricQueries") or [] if isinstance(q, dict)]
    metrics = sum(1 for q in queries if q.get("metric")) if queries else 1
    anomaly = any("ANOMALY_DETECTION_BAND" in str(q.get("expression") or "") for q in queries)
    period = num(r.inputs.get("period"))
    if period is None and queries:
        periods = [num((q.get("metric") or {}).get("period")) for q in queries if q.get("metric")]
        period = min((p for p in periods if p is not None), default=60.0)
    high_res = period is not None and period < 60
    per = c.p("cloudwatch.highResAlarmMetric" if high_res else "cloudwatch.alarmMetric")
    units = max(metrics, 1) * (3 if anomaly else 1)
    kind = ("anomaly-detection " if anomaly else "") + ("high-resolution " if high_res else "")
    metric_word = "alarm metric" if units == 1 else "alarm metrics"
    return Priced(units * per, f"{kind}alarm: {units} {metric_word} x {rate(per)}/month")


def _composite_alarm(r: CapturedResource, c: Context) -> Priced:
    per = c.p("cloudwatch.compositeAlarm")
    return Priced(per, f"composite alarm {rate(per)}/month")


def _dashboard(r: CapturedResource, c: Context) -> Priced:
    per = c.p("cloudwatch.dashboard")
    return Priced(per, f"dashboard {rate(per)}/month (the account's 3 free dashboards not applied)")


def _metric_filter(r: CapturedResource, c: Context) -> Priced:
    per = c.p("cloudwatch.customMetric")
    return Priced(per, f"1 custom metric x {rate(per)}/month (more with dimensions)")


def _cloudtrail(r: CapturedResource, c: Context) -> Priced:
    trails = sorted(
        (t for t in c.capture.of_type("aws:cloudtrail/trail:Trail") if _records_management(t)), key=lambda t: t.urn
    )
    monthly, parts = 0.0, []
    if _records_management(r):
        if trails and trails[0].urn == r.urn:
            parts.append("first trail: management events free")
        else:
            n, per = c.a("cloudtrailManagementEvents100k"), c.p("cloudtrail.managementEvents100k")
            monthly += n * per
            parts.append(f"additional trail: {n * 100:g}k management events x {rate(per)}/100k")
    if _records_data_events(r):
        n, per = c.a("cloudtrailDataEvents100k"), c.p("cloudtrail.dataEvents100k")
        monthly += n * per
        parts.append(f"{n * 100:g}k data events x {rate(per)}/100k")
    if r.inputs.get("insightSelectors"):
        parts.append("Insights not included")
    return Priced(monthly, "; ".join(parts) or "free: no events selected", assumed=monthly)


def _records_management(r: CapturedResource) -> bool:
    advanced = r.inputs.get("advancedEventSelectors")
    if advanced:
        return "Management" in json.dumps(advanced)
    selectors = r.inputs.get("eventSelectors")
    if selectors:
        return any((s or {}).get("includeManagementEvents", True) for s in selectors if isinstance(s, dict))
    return True


def _records_data_events(r: CapturedResource) -> bool:
    advanced = r.inputs.get("advancedEventSelectors")
    if advanced and '"Data"' in json.dumps(advanced):
        return True
    return any((s or {}).get("dataResources") for s in r.inputs.get("eventSelectors") or [] if isinstance(s, dict))


def _hosted_zone(r: CapturedResource, c: Context) -> Priced:
    per = c.p("route53.hostedZoneMonth")
    return Priced(per, f"hosted zone {rate(per)}/month; queries not included")


def _dns_namespace(r: CapturedResource, c: Context) -> Priced:
    """A Cloud Map DNS namespace: AWS Cloud Map creates a Route 53 hosted zone for it (private or
    public, CreatePrivateDnsNamespace / CreatePublicDnsNamespace in the Cloud Map API reference),
    billed as any hosted zone."""
    per = c.p("route53.hostedZoneMonth")
    return Priced(
        per,
        f"the Route 53 hosted zone Cloud Map creates for the namespace {rate(per)}/month; "
        "queries and registered instances not included",
    )


def _health_check(r: CapturedResource, c: Context) -> Priced:
    per = c.p("route53.healthCheckMonth")
    return Priced(per, f"health check {rate(per)}/month (optional features extra)")


def _ssm_parameter(r: CapturedResource, c: Context) -> Priced:
    if str(r.inputs.get("tier") or "Standard") == "Advanced":
        per = c.p("ssm.advancedParameterMonth")
        return Priced(per, f"advanced parameter {rate(per)}/month")
    return Priced(0.0, "free: standard parameter")


PRICERS: dict[str, Pricer] = {
    "aws:kms/key:Key": _kms_key,
    "aws:kms/replicaKey:ReplicaKey": _kms_key,
    "aws:kms/externalKey:ExternalKey": _kms_key,
    "aws:kms/replicaExternalKey:ReplicaExternalKey": _kms_key,
    "aws:secretsmanager/secret:Secret": _secret,
    "aws:wafv2/webAcl:WebAcl": _web_acl,
    "aws:cloudwatch/logGroup:LogGroup": _log_group,
    "aws:cloudwatch/metricAlarm:MetricAlarm": _metric_alarm,
    "aws:cloudwatch/compositeAlarm:CompositeAlarm": _composite_alarm,
    "aws:cloudwatch/dashboard:Dashboard": _dashboard,
    "aws:cloudwatch/logMetricFilter:LogMetricFilter": _metric_filter,
    "aws:cloudtrail/trail:Trail": _cloudtrail,
    "aws:route53/zone:Zone": _hosted_zone,
    "aws:route53/healthCheck:HealthCheck": _health_check,
    "aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace": _dns_namespace,
    "aws:servicediscovery/publicDnsNamespace:PublicDnsNamespace": _dns_namespace,
    "aws:ssm/parameter:Parameter": _ssm_parameter,
}
