"""Pricers for services billed by use: Lambda, API Gateway, AppSync, CloudFront, DynamoDB, SQS, SNS,
Step Functions, EventBridge, Kinesis, Firehose, Glue, EFS.

What the program fixes (provisioned concurrency, provisioned capacity, shards, a stage cache,
provisioned throughput) is a monthly amount; what only traffic decides (requests, GB-seconds,
GB stored or transferred) is listed as unit prices (`Priced.usage`), never a guessed total.
"""

from __future__ import annotations

from ..capture import CapturedResource
from .context import Context, Priced, Pricer, num, rate


def _u(c: Context, key: str, what: str) -> str:
    return f"{rate(c.p(key))} {what}"


def _lambda_function(r: CapturedResource, c: Context) -> Priced:
    arm = "arm64" in [str(a) for a in r.inputs.get("architectures") or []]
    memory = num(r.inputs.get("memorySize"), 128.0) or 128.0
    per_gb_s = c.p("lambda.arm.gbSecond" if arm else "lambda.gbSecond")
    per_second = memory / 1024 * per_gb_s
    arch = "Arm" if arm else "x86"
    return Priced(
        0.0,
        f"billed by use: {memory:g} MB {arch} function",
        usage=(
            _u(c, "lambda.requestsMillion", "per million requests"),
            f"{rate(per_gb_s)} per GB-second = {rate(round(per_second, 10))} per second of duration at {memory:g} MB",
        ),
    )


def _lambda_provisioned(r: CapturedResource, c: Context) -> Priced:
    executions = num(r.inputs.get("provisionedConcurrentExecutions"), 0.0) or 0.0
    function = next((d for d in c.deps_of(r, "functionName") if d.type == "aws:lambda/function:Function"), None)
    memory = num(function.inputs.get("memorySize"), 128.0) if function is not None else None
    arm = function is not None and "arm64" in [str(a) for a in function.inputs.get("architectures") or []]
    per = c.p("lambda.arm.provisionedGbSecond" if arm else "lambda.provisionedGbSecond")
    if memory is None:
        memory = 128.0
        how = "function memory not in the capture: 128 MB assumed"
    else:
        how = f"{memory:g} MB"
    seconds = c.hours * 3600
    monthly = executions * memory / 1024 * per * seconds
    return Priced(
        monthly,
        f"{executions:g} provisioned executions x {how} x {rate(per)}/GB-s x {c.hours:g} h",
        usage=("requests and duration of the invocations billed on the function",),
    )


def rest_api_price(c: Context) -> Priced:
    """A REST API is billed per call (its stages' caches are priced on the stage)."""
    return Priced(
        0.0, "billed by use: REST API", usage=(_u(c, "apigateway.restRequestsMillion", "per million API calls"),)
    )


def _rest_api(r: CapturedResource, c: Context) -> Priced:
    return rest_api_price(c)


def _rest_stage(r: CapturedResource, c: Context) -> Priced:
    if not r.inputs.get("cacheClusterEnabled"):
        return Priced(0.0, "free: a stage without a cache (calls are priced on the REST API)")
    size = str(r.inputs.get("cacheClusterSize") or "0.5")
    size = size.removesuffix(".0") if size.endswith(".0") and size != "0.0" else size
    hour = c.prices.hourly("apigateway.cacheHour", size)
    if hour is None:
        return Priced(0.0, f"stage cache of {size} GB is not in the price table", priced=False)
    return Priced(hour * c.hours, f"stage cache {size} GB x {rate(hour)}/h x {c.hours:g} h")


def _api_v2(r: CapturedResource, c: Context) -> Priced:
    protocol = str(r.inputs.get("protocolType") or "HTTP").upper()
    if protocol == "WEBSOCKET":
        return Priced(
            0.0,
            "billed by use: WebSocket API",
            usage=(
                _u(c, "apigateway.websocketMessagesMillion", "per million messages"),
                _u(c, "apigateway.websocketConnectionMinutesMillion", "per million connection minutes"),
            ),
        )
    return Priced(
        0.0, "billed by use: HTTP API", usage=(_u(c, "apigateway.httpRequestsMillion", "per million requests"),)
    )


def _distribution(r: CapturedResource, c: Context) -> Priced:
    return Priced(
        0.0,
        "billed by use: CloudFront distribution (pay-as-you-go; flat-rate plans not modelled)",
        usage=(
            _u(c, "cloudfront.dataOutGb", "per GB to the internet (North America/Europe)"),
            _u(c, "cloudfront.httpsRequests10k", "per 10,000 HTTPS requests"),
        ),
    )


def _cloudfront_function(r: CapturedResource, c: Context) -> Priced:
    return Priced(
        0.0,
        "billed by use: CloudFront Function",
        usage=(_u(c, "cloudfront.functionsMillion", "per million invocations"),),
    )


def _dynamodb_table(r: CapturedResource, c: Context) -> Priced:
    storage = _u(c, "dynamodb.storageGbMonth", "per GB-month stored")
    if str(r.inputs.get("billingMode") or "PROVISIONED").upper() == "PAY_PER_REQUEST":
        return Priced(
            0.0,
            "billed by use: on-demand table",
            usage=(
                _u(c, "dynamodb.writeRequestMillion", "per million write request units"),
                _u(c, "dynamodb.readRequestMillion", "per million read request units"),
                storage,
            ),
        )
    reads = num(r.inputs.get("readCapacity"), 0.0) or 0.0
    writes = num(r.inputs.get("writeCapacity"), 0.0) or 0.0
    for index in r.inputs.get("globalSecondaryIndexes") or []:
        if isinstance(index, dict):
            reads += num(index.get("readCapacity"), 0.0) or 0.0
            writes += num(index.get("writeCapacity"), 0.0) or 0.0
    rcu, wcu = c.p("dynamodb.rcuHour"), c.p("dynamodb.wcuHour")
    monthly = (reads * rcu + writes * wcu) * c.hours
    return Priced(
        monthly,
        f"provisioned {reads:g} RCU x {rate(rcu)}/h + {writes:g} WCU x {rate(wcu)}/h x {c.hours:g} h "
        "(table and indexes; auto scaling may raise it)",
        usage=(storage,),
    )


def _queue(r: CapturedResource, c: Context) -> Priced:
    fifo = bool(r.inputs.get("fifoQueue"))
    key = "sqs.fifoRequestsMillion" if fifo else "sqs.standardRequestsMillion"
    return Priced(
        0.0, f"billed by use: {'FIFO' if fifo else 'standard'} queue", usage=(_u(c, key, "per million requests"),)
    )


def _topic(r: CapturedResource, c: Context) -> Priced:
    return Priced(0.0, "billed by use: topic", usage=(_u(c, "sns.publishesMillion", "per million publishes"),))


def _state_machine(r: CapturedResource, c: Context) -> Priced:
    if str(r.inputs.get("type") or "STANDARD").upper() == "EXPRESS":
        return Priced(
            0.0,
            "billed by use: Express workflow",
            usage=(
                _u(c, "sfn.expressRequestsMillion", "per million requests"),
                _u(c, "sfn.expressGbSecond", "per GB-second"),
            ),
        )
    return Priced(
        0.0,
        "billed by use: Standard workflow",
        usage=(_u(c, "sfn.standardTransitions1k", "per 1,000 state transitions"),),
    )


def _kinesis_stream(r: CapturedResource, c: Context) -> Priced:
    mode = str((r.inputs.get("streamModeDetails") or {}).get("streamMode") or "PROVISIONED").upper()
    if mode == "ON_DEMAND":
        hour = c.p("kinesis.onDemandStreamHour")
        return Priced(
            hour * c.hours,
            f"on-demand stream {rate(hour)}/h x {c.hours:g} h",
            usage=(_u(c, "kinesis.onDemandIngestGb", "per GB written"),),
        )
    shards = num(r.inputs.get("shardCount"), 1.0) or 1.0
    hour = c.p("kinesis.shardHour")
    return Priced(
        shards * hour * c.hours,
        f"{shards:g} shards x {rate(hour)}/h x {c.hours:g} h",
        usage=(_u(c, "kinesis.putUnitsMillion", "per million PUT payload units"),),
    )


def _firehose(r: CapturedResource, c: Context) -> Priced:
    return Priced(
        0.0, "billed by use: delivery stream", usage=(_u(c, "firehose.ingestGb", "per GB ingested (Direct PUT)"),)
    )


def _efs(r: CapturedResource, c: Context) -> Priced:
    one_zone = bool(r.inputs.get("availabilityZoneName"))
    storage = _u(c, "efs.oneZoneGbMonth" if one_zone else "efs.standardGbMonth", "per GB-month stored")
    usage = (storage, _u(c, "efs.infrequentGbMonth", "per GB-month in Infrequent Access"))
    if str(r.inputs.get("throughputMode") or "") == "provisioned":
        mibps = num(r.inputs.get("provisionedThroughputInMibps"), 0.0) or 0.0
        per = c.p("efs.provisionedMibpsMonth")
        return Priced(mibps * per, f"provisioned throughput {mibps:g} MiB/s x {rate(per)}/MiB/s-month", usage=usage)
    return Priced(0.0, f"billed by use: {'One Zone' if one_zone else 'Regional'} file system", usage=usage)


def _glue_job(r: CapturedResource, c: Context) -> Priced:
    kind = "crawler" if r.type.endswith("Crawler") else "job"
    return Priced(0.0, f"billed by use: Glue {kind}", usage=(_u(c, "glue.dpuHour", "per DPU-hour while it runs"),))


def _glue_catalog(r: CapturedResource, c: Context) -> Priced:
    return Priced(
        0.0,
        "billed by use: Data Catalog (the first million objects a month are free)",
        usage=(_u(c, "glue.catalogObjects100k", "per 100,000 objects above the first million"),),
    )


def _appsync(r: CapturedResource, c: Context) -> Priced:
    return Priced(
        0.0,
        "billed by use: GraphQL API",
        usage=(
            _u(c, "appsync.operationsMillion", "per million queries and mutations"),
            _u(c, "appsync.realtimeUpdatesMillion", "per million real-time updates"),
        ),
    )


def _event_bus(r: CapturedResource, c: Context) -> Priced:
    return Priced(
        0.0, "billed by use: custom event bus", usage=(_u(c, "eventbridge.customEventsMillion", "per million events"),)
    )


def _schedule(r: CapturedResource, c: Context) -> Priced:
    return Priced(
        0.0, "billed by use: schedule", usage=(_u(c, "scheduler.invocationsMillion", "per million invocations"),)
    )


PRICERS: dict[str, Pricer] = {
    "aws:glue/job:Job": _glue_job,
    "aws:glue/crawler:Crawler": _glue_job,
    "aws:glue/catalogDatabase:CatalogDatabase": _glue_catalog,
    "aws:appsync/graphQLApi:GraphQLApi": _appsync,
    "aws:cloudwatch/eventBus:EventBus": _event_bus,
    "aws:scheduler/schedule:Schedule": _schedule,
    "aws:lambda/function:Function": _lambda_function,
    "aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig": _lambda_provisioned,
    "aws:apigateway/restApi:RestApi": _rest_api,
    "aws:apigateway/stage:Stage": _rest_stage,
    "aws:apigatewayv2/api:Api": _api_v2,
    "aws:cloudfront/distribution:Distribution": _distribution,
    "aws:cloudfront/function:Function": _cloudfront_function,
    "aws:dynamodb/table:Table": _dynamodb_table,
    "aws:sqs/queue:Queue": _queue,
    "aws:sns/topic:Topic": _topic,
    "aws:sfn/stateMachine:StateMachine": _state_machine,
    "aws:kinesis/stream:Stream": _kinesis_stream,
    "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream": _firehose,
    "aws:efs/fileSystem:FileSystem": _efs,
}
