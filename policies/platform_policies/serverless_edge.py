"""Lambda, CloudFront and API Gateway (REST and HTTP): public invocation, secrets in configuration,
supported runtimes, viewer TLS, origin access, authorizers, access logs and WAF.

Defaults read from the pulumi-aws 7 schema: an `apigatewayv2.Route` has `authorization_type`
`NONE` unless set; an `apigateway.DomainName` accepts `TLS_1_0` when `security_policy` is not set
(API Gateway's default for REST custom domains); an HTTP API's domain only offers TLS 1.2.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from pulumi_policy import ResourceValidationArgs, Severity, StackValidationArgs

from .helpers import SECRET_NAME, Deferred, as_list, get, given, known_or, linked, of_type, truthy
from .iam_documents import arn_pins_owner, is_wildcard
from .registry import Controls, Report, config_value, resource_policy, stack_policy

PUBLIC = Controls(soc2=("CC6.1", "CC6.6"), iso27001=("A.8.3", "A.5.15"), pci=("1.4.4", "7.2.1"))
TRANSIT = Controls(soc2=("CC6.7",), iso27001=("A.8.24", "A.8.20"), pci=("4.2.1",))
LOGGING = Controls(soc2=("CC7.2",), iso27001=("A.8.15", "A.8.16"), pci=("10.2.1",))
WAF = Controls(soc2=("CC6.6", "CC7.1"), iso27001=("A.8.20",), pci=("6.4.2",))
HARDENING = Controls(soc2=("CC7.1", "CC8.1"), iso27001=("A.8.8",), pci=("6.3.3",))
SECRETS = Controls(soc2=("CC6.1",), iso27001=("A.5.17", "A.8.24"), pci=("8.3.2",))

LAMBDA_FUNCTION = "aws:lambda/function:Function"
LAMBDA_URL = "aws:lambda/functionUrl:FunctionUrl"
LAMBDA_PERMISSION = "aws:lambda/permission:Permission"
DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
REST_METHOD = "aws:apigateway/method:Method"
REST_STAGE = "aws:apigateway/stage:Stage"
REST_DOMAIN = "aws:apigateway/domainName:DomainName"
HTTP_ROUTE = "aws:apigatewayv2/route:Route"
HTTP_API = "aws:apigatewayv2/api:Api"
GRAPHQL_API = "aws:appsync/graphQLApi:GraphQLApi"
"""AppSync's API_KEY mode authenticates the application, not a caller: the key is hard-coded in the
client (https://docs.aws.amazon.com/appsync/latest/devguide/security-authz.html)."""
HTTP_STAGE = "aws:apigatewayv2/stage:Stage"
WAF_ASSOCIATION = "aws:wafv2/webAclAssociation:WebAclAssociation"


# --- Lambda -------------------------------------------------------------------------------------


def _lambda_public(args: ResourceValidationArgs, report: Report) -> None:
    p = args.props
    if args.resource_type == LAMBDA_URL:
        if str(get(p, "authorizationType", default="")).upper() == "NONE":
            report(
                f"Function URL '{args.name}' has authorization_type 'NONE': anyone on the internet can invoke the function. "
                "Use authorization_type='AWS_IAM' (sign requests, or put CloudFront with origin access control in front)."
            )
        return
    principal = get(p, "principal")
    if isinstance(principal, str) and is_wildcard(principal):
        if not any(
            _scoped(p, key, pins)
            for key, pins in (("sourceAccount", _fixed), ("principalOrgId", _fixed), ("sourceArn", _owned_arn))
        ):
            report(
                f"Lambda permission '{args.name}' lets any principal ('{principal}') invoke the function. Name the "
                "calling service (e.g. apigateway.amazonaws.com) and scope it with source_arn, or source_account / "
                "principal_org_id, with fixed values (no wildcards)."
            )
    elif principal == "s3.amazonaws.com" and not _scoped(p, "sourceAccount", _fixed):
        report(
            f"Lambda permission '{args.name}' lets S3 invoke the function without source_account: a bucket of any "
            "account (one named as yours once yours is deleted) can invoke it. Set source_account to your account "
            "with source_arn to the bucket."
        )


_COMPUTED = object()


def _scoped(props: Any, key: str, pins: Callable[[str], bool]) -> bool:
    """A scope that names one account, organisation or resource owner: a value `pins` accepts, or
    one unknown at preview (computed from a resource of the stack). AWS Config's
    lambda-function-public-access-prohibited counts only fixed values (no wildcards) as
    non-public, and requires AWS:SourceAccount when S3 invokes the function."""
    value = known_or(props, key, _COMPUTED)
    return value is _COMPUTED or (isinstance(value, str) and value != "" and pins(value))


def _fixed(value: str) -> bool:
    return not is_wildcard(value)


def _owned_arn(value: str) -> bool:
    """An ARN naming its owner's account: an S3 bucket's ARN has none and passes to whoever
    creates the bucket next, so it pins nothing by itself."""
    return arn_pins_owner(value, account_required=True)


lambda_public = resource_policy(
    "lambda-not-public",
    category="exposure",
    description="No Lambda function URL without authentication, no Lambda permission granting `*` without a fixed source ARN, account or organization, and none letting S3 invoke without a source account.",
    severity=Severity.CRITICAL,
    controls=PUBLIC.with_fsbp("Lambda.1"),
    remediation="Set authorization_type='AWS_IAM' on function URLs; give lambda.Permission a service principal with source_arn (or source_account/principal_org_id).",
    validate=_lambda_public,
    types=(LAMBDA_URL, LAMBDA_PERMISSION),
    covers=("CKV_AWS_258", "CKV_AWS_301"),
)

_REFERENCE_NAME = re.compile(r"(_ARN|_NAME|_ID|_PARAM|_PARAMETER|_PATH|_URL)$", re.IGNORECASE)
_REFERENCE_VALUE = re.compile(r"^(arn:|/|\{\{resolve:|\$\{)")


def _lambda_env_secrets(args: ResourceValidationArgs, report: Report) -> None:
    variables = get(args.props, "environment", "variables")
    if not isinstance(variables, Mapping):
        return
    hits = []
    for key in variables:
        name = str(key)
        if not SECRET_NAME.search(name) or _REFERENCE_NAME.search(name):
            continue
        value = known_or(variables, name, "")
        if isinstance(value, str) and _REFERENCE_VALUE.match(value):
            continue
        hits.append(name)
    if hits:
        report(
            f"Lambda function '{args.name}' puts secret-like values in plain environment variables ({', '.join(sorted(hits))}): "
            "anyone with lambda:GetFunctionConfiguration reads them. Store them in Secrets Manager or SSM SecureString, pass "
            "the ARN or parameter name, and read the value at run time (or use the Parameters and Secrets extension)."
        )


lambda_env_secrets = resource_policy(
    "lambda-no-plaintext-secrets",
    category="workload-hardening",
    description="Lambda environment variables carry no secret-like values (password, secret, token, API/private/access key) in plain text; they name a Secrets Manager secret or SSM parameter instead.",
    severity=Severity.HIGH,
    controls=SECRETS,
    remediation="Move the value to Secrets Manager / SSM SecureString and pass its ARN or name; grant the function read access to it.",
    validate=_lambda_env_secrets,
    types=(LAMBDA_FUNCTION,),
    covers=("CKV_AWS_45", "AwsSolutions-SMG4"),
)

DEPRECATED_RUNTIMES = [
    "python2.7",
    "python3.6",
    "python3.7",
    "python3.8",
    "python3.9",
    "nodejs",
    "nodejs4.3",
    "nodejs4.3-edge",
    "nodejs6.10",
    "nodejs8.10",
    "nodejs10.x",
    "nodejs12.x",
    "nodejs14.x",
    "nodejs16.x",
    "nodejs18.x",
    "nodejs20.x",
    "java8",
    "dotnetcore1.0",
    "dotnetcore2.0",
    "dotnetcore2.1",
    "dotnetcore3.1",
    "dotnet5.0",
    "dotnet6",
    "dotnet7",
    "dotnet8",
    "go1.x",
    "ruby2.5",
    "ruby2.7",
    "ruby3.2",
    "provided",
]
"""Runtimes past their AWS deprecation date as of 2026-12 (AWS Lambda runtimes, "Deprecated
runtimes": https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html). After deprecation
AWS no longer patches them; creation and then updates get blocked."""


def _lambda_runtime(args: ResourceValidationArgs, report: Report) -> None:
    runtime = get(args.props, "runtime")
    deprecated = set(config_value(args, "deprecatedRuntimes", DEPRECATED_RUNTIMES))
    if isinstance(runtime, str) and runtime in deprecated:
        report(
            f"Lambda function '{args.name}' uses the deprecated runtime {runtime}: AWS no longer applies security patches to it "
            "and will block updates. Move to a supported runtime (python3.13, nodejs22.x, java21, dotnet10, ruby3.4, provided.al2023)."
        )


lambda_runtime = resource_policy(
    "lambda-supported-runtime",
    category="workload-hardening",
    description="Lambda functions use a runtime AWS still supports (security patches).",
    severity=Severity.MEDIUM,
    controls=HARDENING.with_fsbp("Lambda.2"),
    remediation="Upgrade the function's runtime to a supported version and redeploy.",
    validate=_lambda_runtime,
    types=(LAMBDA_FUNCTION,),
    covers=("AwsSolutions-L1", "CKV_AWS_363"),
    config={
        "deprecatedRuntimes": {
            "type": "array",
            "items": {"type": "string"},
            "default": DEPRECATED_RUNTIMES,
            "description": "Runtime identifiers treated as deprecated.",
        }
    },
)


def _lambda_resilience(args: ResourceValidationArgs, report: Report) -> None:
    p = args.props
    missing = []
    if not given(p, "deadLetterConfig", "targetArn"):
        missing.append("no dead-letter queue for failed asynchronous invocations (dead_letter_config)")
    if str(get(p, "tracingConfig", "mode", default="PassThrough")) != "Active":
        missing.append("X-Ray tracing is not active (tracing_config.mode='Active')")
    if missing:
        report(f"Lambda function '{args.name}': {'; '.join(missing)}.")


lambda_resilience = resource_policy(
    "lambda-dlq-and-tracing",
    category="logging",
    description="Lambda functions keep failed asynchronous events (dead-letter queue) and trace requests with X-Ray (advice).",
    severity=Severity.LOW,
    controls=LOGGING.with_fsbp("Lambda.7"),
    remediation="Set dead_letter_config.target_arn to an SQS queue or SNS topic and tracing_config.mode='Active'.",
    validate=_lambda_resilience,
    types=(LAMBDA_FUNCTION,),
    covers=("CKV_AWS_116", "CKV_AWS_50"),
)


# --- CloudFront ---------------------------------------------------------------------------------


def _behaviors(p: Any) -> list[tuple[str, Any]]:
    out = [("default cache behavior", get(p, "defaultCacheBehavior"))]
    for i, b in enumerate(as_list(get(p, "orderedCacheBehaviors"))):
        out.append((f"cache behavior '{get(b, 'pathPattern', default=i + 1)}'", b))
    return out


_WEAK_VIEWER_TLS = ("SSLv3", "TLSv1", "TLSv1_2016", "TLSv1.1_2016")


def _cloudfront_tls(args: ResourceValidationArgs, report: Report) -> None:
    p = args.props
    for where, behavior in _behaviors(p):
        if get(behavior, "viewerProtocolPolicy") == "allow-all":
            report(
                f"CloudFront distribution '{args.name}' {where} serves plain HTTP (viewer_protocol_policy 'allow-all'). "
                "Set viewer_protocol_policy='redirect-to-https' (or 'https-only')."
            )
    cert = get(p, "viewerCertificate")
    if not truthy(get(cert, "cloudfrontDefaultCertificate")):
        version = get(cert, "minimumProtocolVersion", default="TLSv1")
        if version in _WEAK_VIEWER_TLS:
            report(
                f"CloudFront distribution '{args.name}' accepts viewers on {version}. Set viewer_certificate.minimum_protocol_version='TLSv1.2_2021'."
            )
    for origin in as_list(get(p, "origins")):
        custom = get(origin, "customOriginConfig")
        if custom is None:
            continue
        weak = [v for v in as_list(get(custom, "originSslProtocols")) if v in ("SSLv3", "TLSv1", "TLSv1.1")]
        policy = get(custom, "originProtocolPolicy")
        if weak or policy == "http-only":
            what = f"speaks {', '.join(weak)} to" if weak else "uses plain HTTP (origin_protocol_policy 'http-only') to"
            report(
                f"CloudFront distribution '{args.name}' {what} origin '{get(origin, 'originId')}'. Use origin_protocol_policy='https-only' "
                "and origin_ssl_protocols=['TLSv1.2'] (an S3 website endpoint only speaks HTTP: use the bucket's REST endpoint with origin access control)."
            )


cloudfront_tls = resource_policy(
    "cloudfront-https-only",
    category="encryption-in-transit",
    description="CloudFront serves viewers only over HTTPS (TLS 1.2+ with a custom certificate) and reaches custom origins over TLS 1.2, never SSLv3/TLS 1.0/1.1 or plain HTTP.",
    severity=Severity.HIGH,
    controls=TRANSIT.with_fsbp("CloudFront.3", "CloudFront.9", "CloudFront.10"),
    remediation="viewer_protocol_policy='redirect-to-https' on every behavior, minimum_protocol_version='TLSv1.2_2021', origin_protocol_policy='https-only' with origin_ssl_protocols=['TLSv1.2'].",
    validate=_cloudfront_tls,
    types=(DISTRIBUTION,),
    covers=("CKV_AWS_34", "CKV_AWS_174", "AwsSolutions-CFR4", "AwsSolutions-CFR5"),
)

_S3_REST_DOMAIN = re.compile(r"\.s3[.-]([a-z0-9-]+\.)?amazonaws\.com(\.cn)?$")


def _cloudfront_origin_access(args: ResourceValidationArgs, report: Report) -> None:
    for origin in as_list(get(args.props, "origins")):
        if given(origin, "originAccessControlId") or given(origin, "s3OriginConfig", "originAccessIdentity"):
            continue
        s3 = get(origin, "s3OriginConfig") is not None
        if not s3:
            domain = get(origin, "domainName")
            s3 = isinstance(domain, str) and bool(_S3_REST_DOMAIN.search(domain))
        if s3:
            report(
                f"CloudFront distribution '{args.name}' reads S3 origin '{get(origin, 'originId')}' without origin access control, "
                "so the bucket must be public. Create an aws.cloudfront.OriginAccessControl (signing_behavior 'always', origin type 's3'), "
                "set origin_access_control_id, and allow only cloudfront.amazonaws.com with aws:SourceArn = the distribution's ARN in the bucket policy."
            )


cloudfront_origin_access = resource_policy(
    "cloudfront-s3-origin-access-control",
    category="exposure",
    description="CloudFront reads S3 origins through origin access control (or a legacy origin access identity), so the bucket stays private.",
    severity=Severity.MEDIUM,
    controls=PUBLIC.with_fsbp("CloudFront.13"),
    remediation="Attach an origin access control to each S3 origin and grant only the distribution in the bucket policy.",
    validate=_cloudfront_origin_access,
    types=(DISTRIBUTION,),
    covers=("CKV_AWS_365", "AwsSolutions-CFR6"),
)


def _cloudfront_logging_waf(args: ResourceValidationArgs, report: Report) -> None:
    p = args.props
    missing = []
    if not given(p, "loggingConfig", "bucket"):
        missing.append("no access logs (logging_config)")
    if not given(p, "webAclId"):
        missing.append("no AWS WAF web ACL (web_acl_id)")
    if missing:
        report(f"CloudFront distribution '{args.name}' has {' and '.join(missing)}.")


cloudfront_logging_waf = resource_policy(
    "cloudfront-logging-and-waf",
    category="logging",
    description="CloudFront distributions log requests and are protected by an AWS WAF web ACL.",
    severity=Severity.MEDIUM,
    controls=LOGGING.with_fsbp("CloudFront.5", "CloudFront.6"),
    remediation="Set logging_config.bucket (a bucket with ACLs enabled for log delivery) and web_acl_id to a CLOUDFRONT-scope wafv2.WebAcl ARN.",
    validate=_cloudfront_logging_waf,
    types=(DISTRIBUTION,),
    covers=("CKV_AWS_86", "CKV_AWS_68", "AwsSolutions-CFR3", "AwsSolutions-CFR2"),
)


# --- API Gateway --------------------------------------------------------------------------------


def _api_auth(args: ResourceValidationArgs, report: Report) -> None:
    p = args.props
    t = args.resource_type
    if t == REST_METHOD:
        method = str(get(p, "httpMethod", default="")).upper()
        if method != "OPTIONS" and str(get(p, "authorization", default="")).upper() == "NONE":
            report(
                f"REST API method '{args.name}' ({method}) has authorization 'NONE': anyone can call it. "
                "Use AWS_IAM, a Cognito user pool or a Lambda authorizer (authorization + authorizer_id)."
            )
    elif t == HTTP_ROUTE:
        key = str(get(p, "routeKey", default=""))
        # CORS preflight, and WebSocket routes that cannot take an authorizer (only $connect can).
        if key.startswith("OPTIONS ") or (key.startswith("$") and key not in ("$connect", "$default")):
            return
        if str(get(p, "authorizationType", default="NONE")).upper() == "NONE":
            report(
                f"API Gateway route '{args.name}' ({key}) has no authorizer (authorization_type 'NONE'). "
                "Use JWT, AWS_IAM or a Lambda authorizer (authorization_type + authorizer_id)."
            )
    elif t == HTTP_API and given(p, "target"):
        report(
            f"HTTP API '{args.name}' is a quick-create API (target set): its $default route has no authorizer. "
            "Create the route explicitly with an authorizer instead of `target`."
        )
    elif t == GRAPHQL_API:
        modes = [get(p, "authenticationType")] + [
            get(extra, "authenticationType") for extra in as_list(get(p, "additionalAuthenticationProviders"))
        ]
        if any(str(m).upper() == "API_KEY" for m in modes):
            report(
                f"AppSync API '{args.name}' accepts API keys: a key ships inside the client and identifies no caller, "
                "so whoever reads it calls the API. Use AWS_IAM, AMAZON_COGNITO_USER_POOLS, OPENID_CONNECT or AWS_LAMBDA."
            )


api_auth = resource_policy(
    "api-gateway-routes-authorized",
    category="exposure",
    description="API Gateway REST methods and HTTP/WebSocket routes (except CORS preflight OPTIONS) require an authorizer (IAM, JWT/Cognito or Lambda), and AppSync GraphQL APIs accept no API keys.",
    severity=Severity.MEDIUM,
    controls=PUBLIC,
    remediation="Set authorization (REST) / authorization_type (HTTP) to AWS_IAM, COGNITO_USER_POOLS/JWT or CUSTOM with an authorizer; give AppSync APIs AWS_IAM, Cognito, OIDC or Lambda authorization.",
    validate=_api_auth,
    types=(REST_METHOD, HTTP_ROUTE, HTTP_API, GRAPHQL_API),
    covers=("AwsSolutions-APIG4", "CKV_AWS_59", "CKV_AWS_309"),
)


def _api_access_logs(args: ResourceValidationArgs, report: Report) -> None:
    if not given(args.props, "accessLogSettings", "destinationArn"):
        kind = "REST API stage" if args.resource_type == REST_STAGE else "API Gateway v2 stage"
        report(
            f"{kind} '{args.name}' writes no access logs. Set access_log_settings with a CloudWatch log group ARN and a format."
        )


api_access_logs = resource_policy(
    "api-gateway-access-logging",
    category="logging",
    description="API Gateway REST and HTTP/WebSocket stages write access logs.",
    severity=Severity.MEDIUM,
    controls=LOGGING.with_fsbp("APIGateway.1", "APIGateway.9"),
    remediation="Set access_log_settings.destination_arn to a log group (and the account's API Gateway CloudWatch role for REST APIs).",
    validate=_api_access_logs,
    types=(REST_STAGE, HTTP_STAGE),
    covers=("AwsSolutions-APIG1", "CKV_AWS_76", "CKV_AWS_95"),
)


def _rest_stage_waf(args: StackValidationArgs, report: Report) -> None:
    protected: set[str] = set()
    for assoc in of_type(args.resources, WAF_ASSOCIATION):
        protected.update(r.urn for r in linked(assoc, "resourceArn"))
    deferred = Deferred()

    def check(stage: Any) -> None:
        if stage.urn not in protected:
            report(
                f"REST API stage '{stage.name}' has no AWS WAF web ACL. Add an aws.wafv2.WebAclAssociation "
                "with resource_arn=<stage>.arn and a REGIONAL web ACL (managed rule groups, rate limits).",
                stage.urn,
            )

    for stage in of_type(args.resources, REST_STAGE):
        deferred.run(check, stage)
    deferred.finish()


rest_stage_waf = stack_policy(
    "api-gateway-rest-waf",
    category="exposure",
    description="API Gateway REST stages are associated with an AWS WAF web ACL.",
    severity=Severity.MEDIUM,
    controls=WAF.with_fsbp("APIGateway.4"),
    remediation="Associate a REGIONAL wafv2.WebAcl with each stage (aws.wafv2.WebAclAssociation, resource_arn = the stage's ARN).",
    validate=_rest_stage_waf,
    types=(REST_STAGE,),
    links=(WAF_ASSOCIATION,),
    covers=("AwsSolutions-APIG3", "CKV2_AWS_29"),
)


def _api_domain_tls(args: ResourceValidationArgs, report: Report) -> None:
    policy = get(args.props, "securityPolicy", default="TLS_1_0")
    if str(policy).upper() == "TLS_1_0":
        report(
            f"API Gateway custom domain '{args.name}' accepts TLS 1.0 (security_policy {policy!s}, API Gateway's default). Set security_policy='TLS_1_2'."
        )


api_domain_tls = resource_policy(
    "api-gateway-domain-tls12",
    category="encryption-in-transit",
    description="API Gateway REST custom domains require TLS 1.2 (the default policy accepts TLS 1.0).",
    severity=Severity.HIGH,
    controls=TRANSIT,
    remediation="Set security_policy='TLS_1_2' on aws.apigateway.DomainName.",
    validate=_api_domain_tls,
    types=(REST_DOMAIN,),
    covers=("CKV_AWS_206",),
)

POLICIES = [
    lambda_public,
    lambda_env_secrets,
    lambda_runtime,
    lambda_resilience,
    cloudfront_tls,
    cloudfront_origin_access,
    cloudfront_logging_waf,
    api_auth,
    api_access_logs,
    rest_stage_waf,
    api_domain_tls,
]
