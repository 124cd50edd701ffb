/**
 * What discovery reads for the HTTP front: function URLs, API stages and stage variables, CORS, binary media types,
 * Lambda authorizers of routes, and ALB routes, from SAM, CloudFormation and serverless.yml, each with its origin.
 */
import * as assert from 'node:assert/strict';
import { DEFAULT_LOCATION } from '../../../src/core/awsLocation';
import { readCloudFormationTemplate } from '../../../src/core/discovery/cloudFormationTemplate';
import type { HttpTrigger } from '../../../src/core/discovery/functionConfig';
import { readServerlessConfig } from '../../../src/core/discovery/serverlessConfig';
import { parseTemplateDocument } from '../../../src/core/discovery/templateDocument';

const cfn = (lines: string[]) =>
  readCloudFormationTemplate(parseTemplateDocument('/w/template.yaml', lines.join('\n') + '\n'), {
    location: DEFAULT_LOCATION,
  });
const sls = (lines: string[]) =>
  readServerlessConfig(parseTemplateDocument('/w/serverless.yml', lines.join('\n') + '\n'), {
    location: DEFAULT_LOCATION,
  });

function httpTriggers(result: ReturnType<typeof cfn>, name: string): Array<{ t: HttpTrigger; line?: number }> {
  const fn = result.functions.find((f) => f.name === name);
  assert.ok(fn, `function ${name}`);
  return fn.triggers.flatMap((t, i) =>
    t.kind === 'api'
      ? [{ t, ...(fn.origins[`triggers.${i}`]?.line ? { line: fn.origins[`triggers.${i}`].line } : {}) }]
      : [],
  );
}

const SAM_HEAD = ['Transform: AWS::Serverless-2016-10-31', 'Resources:'];

describe('discovery: HTTP doors of functions', () => {
  it('SAM FunctionUrlConfig (from Globals too): AuthType, InvokeMode and Cors, with its line', () => {
    const result = cfn([
      'Transform: AWS::Serverless-2016-10-31',
      'Globals:',
      '  Function:',
      '    Runtime: nodejs20.x',
      '    FunctionUrlConfig:',
      '      AuthType: AWS_IAM',
      'Resources:',
      '  Streamer:',
      '    Type: AWS::Serverless::Function',
      '    Properties:',
      '      Handler: a.handler',
      '      FunctionUrlConfig:',
      '        AuthType: NONE',
      '        InvokeMode: RESPONSE_STREAM',
      '        Cors:',
      '          AllowOrigins: [https://a.example]',
      '          AllowMethods: [get]',
      '          MaxAge: 60',
      '  Plain:',
      '    Type: AWS::Serverless::Function',
      '    Properties:',
      '      Handler: b.handler',
    ]);
    const [streamer] = httpTriggers(result, 'Streamer');
    assert.deepEqual(
      [
        streamer.t.api,
        streamer.t.invokeMode,
        streamer.t.authType,
        streamer.t.cors?.allowOrigins,
        streamer.t.cors?.allowMethods,
        streamer.t.cors?.maxAge,
      ],
      ['url', 'RESPONSE_STREAM', 'NONE', ['https://a.example'], ['GET'], 60],
    );
    assert.equal(streamer.line, 12);
    const [plain] = httpTriggers(result, 'Plain');
    assert.deepEqual([plain.t.authType, plain.t.invokeMode, plain.line], ['AWS_IAM', 'BUFFERED', 5]);
  });

  it('CloudFormation AWS::Lambda::Url names its function by TargetFunctionArn', () => {
    const result = cfn([
      'Resources:',
      '  Fn:',
      '    Type: AWS::Lambda::Function',
      '    Properties: { Handler: a.handler, Runtime: nodejs20.x, Code: { ZipFile: x } }',
      '  FnUrl:',
      '    Type: AWS::Lambda::Url',
      '    Properties:',
      '      TargetFunctionArn: !GetAtt Fn.Arn',
      '      AuthType: NONE',
    ]);
    const [url] = httpTriggers(result, 'Fn');
    assert.deepEqual([url.t.api, url.t.id, url.t.authType, url.line], ['url', 'FnUrl', 'NONE', 5]);
  });

  it('SAM REST API: stage, variables, Cors, binary media types and the default TOKEN authorizer; NONE opts out', () => {
    const result = cfn([
      ...SAM_HEAD,
      '  Api:',
      '    Type: AWS::Serverless::Api',
      '    Properties:',
      '      StageName: v1',
      '      Variables: { TABLE: t1 }',
      '      BinaryMediaTypes: [image~1png, "*~1*"]',
      '      Cors:',
      '        AllowOrigin: "\'https://a.example\'"',
      '        AllowHeaders: "\'X-A,X-B\'"',
      '        MaxAge: "\'30\'"',
      '      Auth:',
      '        DefaultAuthorizer: Tok',
      '        Authorizers:',
      '          Tok:',
      '            FunctionArn: !GetAtt Auth.Arn',
      '            Identity: { Header: X-Token, ValidationExpression: "t-.*" }',
      '          Req:',
      '            FunctionPayloadType: REQUEST',
      '            FunctionArn: !GetAtt Auth.Arn',
      '            Identity: { Headers: [X-A], QueryStrings: [q] }',
      '  Auth:',
      '    Type: AWS::Serverless::Function',
      '    Properties: { Handler: auth.handler, Runtime: nodejs20.x }',
      '  Fn:',
      '    Type: AWS::Serverless::Function',
      '    Properties:',
      '      Handler: a.handler',
      '      Runtime: nodejs20.x',
      '      Events:',
      '        Guarded: { Type: Api, Properties: { RestApiId: !Ref Api, Path: /a, Method: get } }',
      '        ByRequest:',
      '          Type: Api',
      '          Properties: { RestApiId: !Ref Api, Path: /b, Method: get, Auth: { Authorizer: Req } }',
      '        Open:',
      '          Type: Api',
      '          Properties: { RestApiId: !Ref Api, Path: /c, Method: get, Auth: { Authorizer: NONE } }',
      '        Implicit: { Type: Api, Properties: { Path: /d, Method: get } }',
    ]);
    const [guarded, byRequest, open, implicit] = httpTriggers(result, 'Fn').map((x) => x.t);
    assert.deepEqual([guarded.apiId, guarded.stage, guarded.stageVariables], ['Api', 'v1', { TABLE: 't1' }]);
    assert.deepEqual(guarded.binaryMediaTypes, ['image/png', '*/*']);
    assert.deepEqual(guarded.cors, {
      allowOrigins: ['https://a.example'],
      allowMethods: ['*'],
      allowHeaders: ['X-A', 'X-B'],
      exposeHeaders: [],
      allowCredentials: false,
      maxAge: 30,
    });
    assert.deepEqual(guarded.lambdaAuthorizer, {
      name: 'Tok',
      functionName: 'Auth',
      type: 'token',
      payloadFormatVersion: '1.0',
      simpleResponses: false,
      identitySource: ['method.request.header.X-Token'],
      validationExpression: 't-.*',
    });
    assert.deepEqual(byRequest.lambdaAuthorizer?.identitySource, [
      'method.request.header.X-A',
      'method.request.querystring.q',
    ]);
    assert.equal(byRequest.lambdaAuthorizer?.type, 'request');
    assert.equal(open.lambdaAuthorizer, undefined);
    assert.deepEqual([implicit.apiId, implicit.stage, implicit.cors], ['ServerlessRestApi', 'Prod', undefined]);
  });

  it('SAM HTTP API: Globals.HttpApi CORS and StageVariables, a 2.0 authorizer with simple responses', () => {
    const result = cfn([
      'Transform: AWS::Serverless-2016-10-31',
      'Globals:',
      '  HttpApi:',
      '    CorsConfiguration: true',
      'Resources:',
      '  Http:',
      '    Type: AWS::Serverless::HttpApi',
      '    Properties:',
      '      StageName: live',
      '      StageVariables: { MODE: fast }',
      '      Auth:',
      '        DefaultAuthorizer: L',
      '        Authorizers:',
      '          L:',
      '            FunctionArn: !GetAtt Auth.Arn',
      '            AuthorizerPayloadFormatVersion: "2.0"',
      '            EnableSimpleResponses: true',
      '            Identity: { Headers: [Authorization] }',
      '  Auth:',
      '    Type: AWS::Serverless::Function',
      '    Properties: { Handler: auth.handler, Runtime: nodejs20.x }',
      '  Fn:',
      '    Type: AWS::Serverless::Function',
      '    Properties:',
      '      Handler: a.handler',
      '      Runtime: nodejs20.x',
      '      Events:',
      '        Route: { Type: HttpApi, Properties: { ApiId: !Ref Http, Path: /x, Method: get } }',
      '        Default: { Type: HttpApi }',
    ]);
    const [route, fallback] = httpTriggers(result, 'Fn').map((x) => x.t);
    assert.deepEqual([route.stage, route.stageVariables, route.cors?.allowOrigins], ['live', { MODE: 'fast' }, ['*']]);
    assert.deepEqual(route.lambdaAuthorizer, {
      name: 'L',
      functionName: 'Auth',
      type: 'request',
      payloadFormatVersion: '2.0',
      simpleResponses: true,
      identitySource: ['$request.header.Authorization'],
    });
    assert.deepEqual([fallback.path, fallback.apiId, fallback.stage], ['$default', 'ServerlessHttpApi', '$default']);
  });

  it('ALB: a listener rule forwarding to a lambda target group is a route per path and method, with priority', () => {
    const result = cfn([
      'Resources:',
      '  Fn:',
      '    Type: AWS::Lambda::Function',
      '    Properties: { Handler: a.handler, Runtime: nodejs20.x, Code: { ZipFile: x } }',
      '  Group:',
      '    Type: AWS::ElasticLoadBalancingV2::TargetGroup',
      '    Properties:',
      '      TargetType: lambda',
      '      Targets: [{ Id: !GetAtt Fn.Arn }]',
      '      TargetGroupAttributes: [{ Key: lambda.multi_value_headers.enabled, Value: "true" }]',
      '  Rule:',
      '    Type: AWS::ElasticLoadBalancingV2::ListenerRule',
      '    Properties:',
      '      Priority: 7',
      '      Actions: [{ Type: forward, TargetGroupArn: !Ref Group }]',
      '      Conditions:',
      '        - { Field: path-pattern, PathPatternConfig: { Values: [/api/*, /v2/*] } }',
      '        - { Field: http-request-method, HttpRequestMethodConfig: { Values: [GET] } }',
    ]);
    const routes = httpTriggers(result, 'Fn');
    assert.deepEqual(
      routes.map(({ t, line }) => [t.api, t.method, t.path, t.priority, t.multiValueHeaders, t.apiId, line]),
      [
        ['alb', 'GET', '/api/*', 7, true, 'Group', 11],
        ['alb', 'GET', '/v2/*', 7, true, 'Group', 11],
      ],
    );
  });

  it('serverless.yml: http cors and authorizer, provider.httpApi cors and authorizers, alb options, url', () => {
    const result = sls([
      'service: s',
      'provider:',
      '  name: aws',
      '  stage: qa',
      '  httpApi:',
      '    cors: { allowedOrigins: [https://a.example], exposedResponseHeaders: [x-id] }',
      '    authorizers:',
      '      custom: { type: request, functionName: auth, enableSimpleResponses: true, identitySource: [$request.header.Authorization] }',
      'functions:',
      '  auth:',
      '    handler: auth.handler',
      '  api:',
      '    handler: api.handler',
      '    url: { invokeMode: RESPONSE_STREAM, cors: true }',
      '    events:',
      '      - http: { method: post, path: /orders, cors: true, authorizer: auth }',
      '      - httpApi: { method: GET, path: /items, authorizer: { name: custom } }',
      '      - alb: { listenerArn: x, priority: 3, multiValueHeaders: true, conditions: { path: /alb } }',
    ]);
    const [rest, http, alb, url] = httpTriggers(result, 'api').map((x) => x.t);
    assert.deepEqual(
      [rest.stage, rest.apiId, rest.cors?.allowMethods],
      ['qa', 'ApiGatewayRestApi', ['OPTIONS', 'POST']],
    );
    assert.deepEqual(rest.lambdaAuthorizer, {
      name: 'auth',
      functionName: 'auth',
      type: 'token',
      payloadFormatVersion: '1.0',
      simpleResponses: false,
      identitySource: ['method.request.header.Authorization'],
    });
    assert.deepEqual([http.cors?.allowOrigins, http.cors?.exposeHeaders], [['https://a.example'], ['x-id']]);
    assert.equal(http.lambdaAuthorizer?.simpleResponses, true);
    assert.equal(http.lambdaAuthorizer?.functionName, 'auth');
    assert.deepEqual([alb.priority, alb.multiValueHeaders], [3, true]);
    assert.deepEqual(
      [url.api, url.invokeMode, url.authType, url.cors?.allowOrigins],
      ['url', 'RESPONSE_STREAM', 'NONE', ['*']],
    );
  });
});
