"""API Gateway done right: every route behind an authorizer (CORS preflight excepted), access logs
on every stage, WAF on the REST stage, TLS 1.2 on the custom domain, and an AppSync API behind
Cognito and IAM."""

import pulumi
import pulumi_aws as aws

key = aws.kms.Key(
    "api-logs-key", enable_key_rotation=True, deletion_window_in_days=30, opts=pulumi.ResourceOptions(protect=True)
)
logs = aws.cloudwatch.LogGroup("api-access-logs", retention_in_days=365, kms_key_id=key.arn)
fmt = '{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","status":"$context.status"}'

rest = aws.apigateway.RestApi("orders-rest-api")
resource = aws.apigateway.Resource("orders", rest_api=rest.id, parent_id=rest.root_resource_id, path_part="orders")
method = aws.apigateway.Method(
    "get-orders", rest_api=rest.id, resource_id=resource.id, http_method="GET", authorization="AWS_IAM"
)
aws.apigateway.Method(
    "orders-preflight", rest_api=rest.id, resource_id=resource.id, http_method="OPTIONS", authorization="NONE"
)
integration = aws.apigateway.Integration(
    "get-orders-mock", rest_api=rest.id, resource_id=resource.id, http_method=method.http_method, type="MOCK"
)
deployment = aws.apigateway.Deployment(
    "orders-deployment", rest_api=rest.id, opts=pulumi.ResourceOptions(depends_on=[integration])
)
stage = aws.apigateway.Stage(
    "orders-rest-stage",
    rest_api=rest.id,
    deployment=deployment.id,
    stage_name="prod",
    access_log_settings={"destination_arn": logs.arn, "format": fmt},
)
acl = aws.wafv2.WebAcl(
    "api-acl",
    scope="REGIONAL",
    default_action={"allow": {}},
    visibility_config={"cloudwatch_metrics_enabled": True, "metric_name": "api", "sampled_requests_enabled": True},
    rules=[
        {
            "name": "common",
            "priority": 1,
            "override_action": {"none": {}},
            "statement": {
                "managed_rule_group_statement": {"name": "AWSManagedRulesCommonRuleSet", "vendor_name": "AWS"}
            },
            "visibility_config": {
                "cloudwatch_metrics_enabled": True,
                "metric_name": "common",
                "sampled_requests_enabled": True,
            },
        }
    ],
)
aws.wafv2.WebAclAssociation("orders-rest-waf", resource_arn=stage.arn, web_acl_arn=acl.arn)
aws.apigateway.DomainName(
    "orders-domain",
    domain_name="orders.example.com",
    regional_certificate_arn="arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000",
    endpoint_configuration={"types": "REGIONAL"},
    security_policy="TLS_1_2",
)

http = aws.apigatewayv2.Api("orders-http-api", protocol_type="HTTP")
jwt = aws.apigatewayv2.Authorizer(
    "orders-jwt",
    api_id=http.id,
    authorizer_type="JWT",
    identity_sources=["$request.header.Authorization"],
    jwt_configuration={
        "audiences": ["orders"],
        "issuer": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_example",
    },
)
aws.apigatewayv2.Route(
    "get-orders-route", api_id=http.id, route_key="GET /orders", authorization_type="JWT", authorizer_id=jwt.id
)
aws.apigatewayv2.Route("orders-http-preflight", api_id=http.id, route_key="OPTIONS /orders")
aws.apigatewayv2.Stage(
    "orders-http-stage",
    api_id=http.id,
    name="$default",
    auto_deploy=True,
    access_log_settings={"destination_arn": logs.arn, "format": fmt},
)
aws.appsync.GraphQLApi(
    "cognito-graphql",
    authentication_type="AMAZON_COGNITO_USER_POOLS",
    user_pool_config={"user_pool_id": "us-east-1_EXAMPLE", "default_action": "ALLOW", "aws_region": "us-east-1"},
    additional_authentication_providers=[{"authentication_type": "AWS_IAM"}],
)
