/**
 * API Gateway APIs written as plain CloudFormation resources (the shape `cdk synth` emits: Fn::Join of the
 * integration URI's parts, a resource tree under RootResourceId, Deployment + Stage) and serverless.yml `websocket`
 * events become routes of their functions, with their origins.
 */
import * as assert from 'node:assert/strict';
import { DEFAULT_LOCATION } from '../../../src/core/awsLocation';
import { readCloudFormationTemplate } from '../../../src/core/discovery/cloudFormationTemplate';
import type { HttpTrigger } from '../../../src/core/discovery/functionConfig';
import { readServerlessConfig } from '../../../src/core/discovery/serverlessConfig';
import { parseTemplateDocument } from '../../../src/core/discovery/templateDocument';

const lambdaUri = (fn: string) => ({
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      ':apigateway:',
      { Ref: 'AWS::Region' },
      ':lambda:path/2015-03-31/functions/',
      { 'Fn::GetAtt': [fn, 'Arn'] },
      '/invocations',
    ],
  ],
});
const fn = (handler: string) => ({
  Type: 'AWS::Lambda::Function',
  Properties: { Runtime: 'nodejs20.x', Handler: handler, Code: { S3Bucket: 'b', S3Key: 'k.zip' } },
  Metadata: { 'aws:asset:path': 'asset.1234' },
});

/** A CDK-shaped stack: a REST API with a TOKEN authorizer, an HTTP API with a REQUEST authorizer. */
const CDK_STACK = {
  Resources: {
    ApiHandler5E7490E8: fn('index.handler'),
    AuthFnA1B2C3D4: fn('auth.handler'),
    ShopApiE4B5A0C2: {
      Type: 'AWS::ApiGateway::RestApi',
      Properties: { Name: 'shop', BinaryMediaTypes: ['image/png'] },
    },
    ShopApiordersD1E2F3A4: {
      Type: 'AWS::ApiGateway::Resource',
      Properties: {
        ParentId: { 'Fn::GetAtt': ['ShopApiE4B5A0C2', 'RootResourceId'] },
        PathPart: 'orders',
        RestApiId: { Ref: 'ShopApiE4B5A0C2' },
      },
    },
    ShopApiordersproxy9A8B7C6D: {
      Type: 'AWS::ApiGateway::Resource',
      Properties: {
        ParentId: { Ref: 'ShopApiordersD1E2F3A4' },
        PathPart: '{proxy+}',
        RestApiId: { Ref: 'ShopApiE4B5A0C2' },
      },
    },
    ShopApiordersproxyANY5F4E3D2C: {
      Type: 'AWS::ApiGateway::Method',
      Properties: {
        HttpMethod: 'ANY',
        ResourceId: { Ref: 'ShopApiordersproxy9A8B7C6D' },
        RestApiId: { Ref: 'ShopApiE4B5A0C2' },
        AuthorizationType: 'CUSTOM',
        AuthorizerId: { Ref: 'ShopAuthorizer1A2B3C4D' },
        Integration: { IntegrationHttpMethod: 'POST', Type: 'AWS_PROXY', Uri: lambdaUri('ApiHandler5E7490E8') },
      },
    },
    ShopApiGETRoot1A1A1A1A: {
      Type: 'AWS::ApiGateway::Method',
      Properties: {
        HttpMethod: 'GET',
        ResourceId: { 'Fn::GetAtt': ['ShopApiE4B5A0C2', 'RootResourceId'] },
        RestApiId: { Ref: 'ShopApiE4B5A0C2' },
        AuthorizationType: 'NONE',
        Integration: { IntegrationHttpMethod: 'POST', Type: 'AWS_PROXY', Uri: lambdaUri('ApiHandler5E7490E8') },
      },
    },
    ShopApiOPTIONSMock2B2B2B2B: {
      Type: 'AWS::ApiGateway::Method',
      Properties: {
        HttpMethod: 'OPTIONS',
        ResourceId: { 'Fn::GetAtt': ['ShopApiE4B5A0C2', 'RootResourceId'] },
        RestApiId: { Ref: 'ShopApiE4B5A0C2' },
        Integration: { Type: 'MOCK' },
      },
    },
    ShopAuthorizer1A2B3C4D: {
      Type: 'AWS::ApiGateway::Authorizer',
      Properties: {
        Name: 'ShopTokenAuth',
        RestApiId: { Ref: 'ShopApiE4B5A0C2' },
        Type: 'TOKEN',
        IdentitySource: 'method.request.header.Authorization',
        AuthorizerUri: lambdaUri('AuthFnA1B2C3D4'),
      },
    },
    ShopApiDeploymentB3B3B3B3: {
      Type: 'AWS::ApiGateway::Deployment',
      Properties: { RestApiId: { Ref: 'ShopApiE4B5A0C2' } },
    },
    ShopApiDeploymentStageprodC4C4C4C4: {
      Type: 'AWS::ApiGateway::Stage',
      Properties: {
        RestApiId: { Ref: 'ShopApiE4B5A0C2' },
        DeploymentId: { Ref: 'ShopApiDeploymentB3B3B3B3' },
        StageName: 'prod',
        Variables: { MODE: 'live' },
      },
    },
    HttpApiF5A9A8A7: { Type: 'AWS::ApiGatewayV2::Api', Properties: { Name: 'h', ProtocolType: 'HTTP' } },
    HttpApiDefaultStage3EEB07D6: {
      Type: 'AWS::ApiGatewayV2::Stage',
      Properties: { ApiId: { Ref: 'HttpApiF5A9A8A7' }, StageName: '$default', AutoDeploy: true },
    },
    HttpApiGETitemsIntegrationD5D5D5D5: {
      Type: 'AWS::ApiGatewayV2::Integration',
      Properties: {
        ApiId: { Ref: 'HttpApiF5A9A8A7' },
        IntegrationType: 'AWS_PROXY',
        IntegrationUri: { 'Fn::GetAtt': ['ApiHandler5E7490E8', 'Arn'] },
        PayloadFormatVersion: '2.0',
      },
    },
    HttpApiGETitemsE6E6E6E6: {
      Type: 'AWS::ApiGatewayV2::Route',
      Properties: {
        ApiId: { Ref: 'HttpApiF5A9A8A7' },
        RouteKey: 'GET /items/{id}',
        AuthorizationType: 'CUSTOM',
        AuthorizerId: { Ref: 'HttpAuthorizerF7F7F7F7' },
        Target: { 'Fn::Join': ['', ['integrations/', { Ref: 'HttpApiGETitemsIntegrationD5D5D5D5' }]] },
      },
    },
    HttpAuthorizerF7F7F7F7: {
      Type: 'AWS::ApiGatewayV2::Authorizer',
      Properties: {
        ApiId: { Ref: 'HttpApiF5A9A8A7' },
        AuthorizerType: 'REQUEST',
        Name: 'HttpLambdaAuth',
        AuthorizerUri: lambdaUri('AuthFnA1B2C3D4'),
        AuthorizerPayloadFormatVersion: '2.0',
        EnableSimpleResponses: true,
        IdentitySource: ['$request.header.Authorization'],
      },
    },
  },
};

const routesOf = (result: ReturnType<typeof readCloudFormationTemplate>, name: string) => {
  const f = result.functions.find((x) => x.name === name);
  assert.ok(f, name);
  return f.triggers.flatMap((t, i) => (t.kind === 'api' ? [{ t, line: f.origins[`triggers.${i}`]?.line }] : []));
};

describe('discovery: API Gateway resources of plain CloudFormation (HTTP-18)', () => {
  const text = JSON.stringify(CDK_STACK, null, 1);
  const result = readCloudFormationTemplate(parseTemplateDocument('/w/cdk.out/Stack.template.json', text), {
    location: DEFAULT_LOCATION,
  });

  it('HTTP-18: REST API methods with AWS_PROXY integrations, their resource paths, stage and TOKEN authorizer', () => {
    const routes = routesOf(result, 'ApiHandler5E7490E8').filter((r) => r.t.api === 'rest');
    assert.deepEqual(
      routes.map((r) => `${r.t.method} ${r.t.path}`),
      ['ANY /orders/{proxy+}', 'GET /'],
      'the MOCK OPTIONS method is no route',
    );
    const proxy = routes[0].t;
    assert.equal(proxy.apiId, 'ShopApiE4B5A0C2');
    assert.equal(proxy.stage, 'prod');
    assert.deepEqual(proxy.stageVariables, { MODE: 'live' });
    assert.deepEqual(proxy.binaryMediaTypes, ['image/png']);
    assert.equal(proxy.lambdaAuthorizer?.functionName, 'AuthFnA1B2C3D4');
    assert.equal(proxy.lambdaAuthorizer?.type, 'token');
    assert.deepEqual(proxy.lambdaAuthorizer?.identitySource, ['method.request.header.Authorization']);
    assert.equal(routes[1].t.lambdaAuthorizer, undefined);
    const methodLine = text.split('\n').findIndex((l) => l.includes('"ShopApiordersproxyANY5F4E3D2C"')) + 1;
    assert.equal(routes[0].line, methodLine);
  });

  it('HTTP-18: HTTP API routes with their integration, stage and REQUEST authorizer', () => {
    const [route] = routesOf(result, 'ApiHandler5E7490E8')
      .map((r) => r.t)
      .filter((t): t is HttpTrigger => t.api === 'http');
    assert.equal(route.method, 'GET');
    assert.equal(route.path, '/items/{id}');
    assert.equal(route.payloadFormatVersion, '2.0');
    assert.equal(route.stage, '$default');
    assert.equal(route.lambdaAuthorizer?.functionName, 'AuthFnA1B2C3D4');
    assert.equal(route.lambdaAuthorizer?.simpleResponses, true);
    assert.deepEqual(route.lambdaAuthorizer?.identitySource, ['$request.header.Authorization']);
    assert.deepEqual(routesOf(result, 'AuthFnA1B2C3D4'), [], 'an authorizer function has no route of its own');
  });

  it('WS-1: serverless.yml websocket events: route keys, the provider route selection expression, two-way routes', () => {
    const served = readServerlessConfig(
      parseTemplateDocument(
        '/w/serverless.yml',
        [
          'service: chat',
          'provider:',
          '  name: aws',
          '  runtime: nodejs20.x',
          '  stage: beta',
          '  websocketsApiRouteSelectionExpression: $request.body.type',
          'functions:',
          '  connect:',
          '    handler: src/connect.handler',
          '    events:',
          '      - websocket: $connect',
          '  say:',
          '    handler: src/say.handler',
          '    events:',
          '      - websocket:',
          '          route: say',
          '          routeResponseSelectionExpression: $default',
          '',
        ].join('\n'),
      ),
      { location: DEFAULT_LOCATION },
    );
    const triggerOf = (name: string) => {
      const f = served.functions.find((x) => x.name === name);
      assert.ok(f, name);
      return { t: f.triggers[0] as HttpTrigger, line: f.origins['triggers.0']?.line };
    };
    const connect = triggerOf('connect');
    assert.equal(connect.t.api, 'websocket');
    assert.equal(connect.t.path, '$connect');
    assert.equal(connect.t.stage, 'beta');
    assert.equal(connect.t.apiId, 'WebsocketsApi');
    assert.equal(connect.t.routeSelectionExpression, '$request.body.type');
    assert.equal(connect.t.twoWay, false);
    assert.equal(connect.line, 11);
    const say = triggerOf('say');
    assert.equal(say.t.path, 'say');
    assert.equal(say.t.twoWay, true);
  });
});
