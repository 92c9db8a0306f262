"""API Gateway mistakes: REST and HTTP routes without an authorizer, stages without access logs,
a REST stage without WAF, a custom domain that accepts TLS 1.0, a quick-create HTTP API, and
AppSync APIs that accept API keys."""

import pulumi
import pulumi_aws as aws

rest = aws.apigateway.RestApi("open-rest-api")
resource = aws.apigateway.Resource("open-items", rest_api=rest.id, parent_id=rest.root_resource_id, path_part="items")
method = aws.apigateway.Method(
    "open-get-items", rest_api=rest.id, resource_id=resource.id, http_method="GET", authorization="NONE"
)
aws.apigateway.Method(
    "cors-preflight", rest_api=rest.id, resource_id=resource.id, http_method="OPTIONS", authorization="NONE"
)
integration = aws.apigateway.Integration(
    "open-get-items-mock", rest_api=rest.id, resource_id=resource.id, http_method=method.http_method, type="MOCK"
)
deployment = aws.apigateway.Deployment(
    "open-rest-deployment", rest_api=rest.id, opts=pulumi.ResourceOptions(depends_on=[integration])
)
aws.apigateway.Stage("open-rest-stage", rest_api=rest.id, deployment=deployment.id, stage_name="prod")
aws.apigateway.DomainName(
    "tls10-domain",
    domain_name="api.example.com",
    regional_certificate_arn="arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000",
    endpoint_configuration={"types": "REGIONAL"},
)

http = aws.apigatewayv2.Api("open-http-api", protocol_type="HTTP")
aws.apigatewayv2.Route("open-http-route", api_id=http.id, route_key="GET /items")
aws.apigatewayv2.Route("http-preflight", api_id=http.id, route_key="OPTIONS /items")
aws.apigatewayv2.Stage("open-http-stage", api_id=http.id, name="$default", auto_deploy=True)
aws.apigatewayv2.Api(
    "quick-create-api",
    protocol_type="HTTP",
    target="arn:aws:lambda:us-east-1:123456789012:function:hello",
)
aws.appsync.GraphQLApi("api-key-graphql", authentication_type="API_KEY")
aws.appsync.GraphQLApi(
    "api-key-fallback-graphql",
    authentication_type="AWS_IAM",
    additional_authentication_providers=[{"authentication_type": "API_KEY"}],
)
