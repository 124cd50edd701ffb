import * as assert from 'node:assert/strict';
import { DEFAULT_LOCATION } from '../../../src/core/awsLocation';
import { readCloudFormationTemplate } from '../../../src/core/discovery/cloudFormationTemplate';
import type { EventTrigger } from '../../../src/core/discovery/functionConfig';
import { parseTemplateDocument } from '../../../src/core/discovery/templateDocument';
import { describeTrigger } from '../../../src/core/discovery/triggerLabel';

const FILE = '/w/template.yaml';

function read(lines: string[]) {
  const doc = parseTemplateDocument(FILE, lines.join('\n') + '\n');
  return readCloudFormationTemplate(doc, { location: DEFAULT_LOCATION });
}
function triggersOf(lines: string[], name: string): EventTrigger[] {
  const fn = read(lines).functions.find((f) => f.name === name);
  assert.ok(fn, `function ${name}`);
  return fn.triggers;
}

const WORKER = [
  'Resources:',
  '  Worker:',
  '    Type: AWS::Lambda::Function',
  '    Properties:',
  '      FunctionName: nightly-worker',
  '      Handler: worker.handler',
  '      Runtime: nodejs20.x',
  '      Code: { ZipFile: x }',
];

describe('discovery: triggers declared as resources of their own', () => {
  it('an AWS::Scheduler::Schedule targeting a function (GetAtt, Ref, SAM alias Ref or ARN) is a schedule trigger with its expression, time zone, Input, retry policy and flexible time window', () => {
    const template = [
      ...WORKER,
      '  ByGetAtt:',
      '    Type: AWS::Scheduler::Schedule',
      '    Properties:',
      '      ScheduleExpression: cron(0 2 * * ? *)',
      '      ScheduleExpressionTimezone: Europe/Paris',
      '      FlexibleTimeWindow: { Mode: FLEXIBLE, MaximumWindowInMinutes: 15 }',
      '      Target:',
      '        Arn: !GetAtt Worker.Arn',
      '        RoleArn: arn:aws:iam::123456789012:role/scheduler',
      '        Input: \'{"report": "nightly"}\'',
      '        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 }',
      '  ByRef:',
      '    Type: AWS::Scheduler::Schedule',
      '    Properties:',
      '      ScheduleExpression: rate(5 minutes)',
      '      FlexibleTimeWindow: { Mode: "OFF" }',
      '      State: DISABLED',
      '      Target: { Arn: !Ref Worker, RoleArn: r }',
      '  ByArn:',
      '    Type: AWS::Scheduler::Schedule',
      '    Properties:',
      '      ScheduleExpression: at(2030-01-01T00:00:00)',
      '      FlexibleTimeWindow: { Mode: "OFF" }',
      '      Target: { Arn: "arn:aws:lambda:eu-west-1:999999999999:function:nightly-worker:live", RoleArn: r }',
      '  ByAlias:',
      '    Type: AWS::Scheduler::Schedule',
      '    Properties:',
      '      ScheduleExpression: rate(1 day)',
      '      FlexibleTimeWindow: { Mode: "OFF" }',
      '      Target: { Arn: !Ref Worker.Alias, RoleArn: r }',
      '  ElsewhereSchedule:',
      '    Type: AWS::Scheduler::Schedule',
      '    Properties:',
      '      ScheduleExpression: rate(1 hour)',
      '      FlexibleTimeWindow: { Mode: "OFF" }',
      '      Target: { Arn: "arn:aws:sqs:us-east-1:123456789012:jobs", RoleArn: r }',
    ];
    const triggers = triggersOf(template, 'Worker');
    assert.deepEqual(triggers, [
      {
        kind: 'schedule',
        id: 'ByGetAtt',
        invocation: 'async',
        enabled: true,
        expression: 'cron(0 2 * * ? *)',
        timezone: 'Europe/Paris',
        flexibleTimeWindow: { mode: 'FLEXIBLE', maximumWindowInMinutes: 15 },
        input: { report: 'nightly' },
        retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3600 },
      },
      {
        kind: 'schedule',
        id: 'ByRef',
        invocation: 'async',
        enabled: false,
        expression: 'rate(5 minutes)',
        flexibleTimeWindow: { mode: 'OFF' },
      },
      {
        kind: 'schedule',
        id: 'ByArn',
        invocation: 'async',
        enabled: true,
        expression: 'at(2030-01-01T00:00:00)',
        flexibleTimeWindow: { mode: 'OFF' },
      },
      {
        kind: 'schedule',
        id: 'ByAlias',
        invocation: 'async',
        enabled: true,
        expression: 'rate(1 day)',
        flexibleTimeWindow: { mode: 'OFF' },
      },
    ]);
    assert.deepEqual(read(template).problems, []);
    assert.equal(describeTrigger(triggers[0]), 'Schedule cron(0 2 * * ? *) (Europe/Paris), within 15 min');
    const fn = read(template).functions[0];
    assert.deepEqual(fn.origins['triggers.0'], { file: FILE, line: 9, source: 'cloudformation' });
  });

  it('a SAM ScheduleV2 event keeps its time zone, flexible time window, Input and retry policy', () => {
    const triggers = triggersOf(
      [
        'Transform: AWS::Serverless-2016-10-31',
        'Resources:',
        '  Report:',
        '    Type: AWS::Serverless::Function',
        '    Properties:',
        '      Handler: report.handler',
        '      Runtime: python3.12',
        '      Events:',
        '        Nightly:',
        '          Type: ScheduleV2',
        '          Properties:',
        '            ScheduleExpression: cron(0 3 * * ? *)',
        '            ScheduleExpressionTimezone: America/New_York',
        '            FlexibleTimeWindow: { Mode: FLEXIBLE, MaximumWindowInMinutes: 30 }',
        '            Input: \'{"full": true}\'',
        '            RetryPolicy: { MaximumRetryAttempts: 0 }',
      ],
      'Report',
    );
    assert.deepEqual(triggers, [
      {
        kind: 'schedule',
        id: 'Nightly',
        invocation: 'async',
        enabled: true,
        expression: 'cron(0 3 * * ? *)',
        timezone: 'America/New_York',
        flexibleTimeWindow: { mode: 'FLEXIBLE', maximumWindowInMinutes: 30 },
        input: { full: true },
        retryPolicy: { maximumRetryAttempts: 0 },
      },
    ]);
  });

  it('an HTTP API quick create (AWS::ApiGatewayV2::Api with the function as Target) is an HTTP API trigger on $default, payload 2.0, with its CORS', () => {
    const triggers = triggersOf(
      [
        ...WORKER,
        '  QuickApi:',
        '    Type: AWS::ApiGatewayV2::Api',
        '    Properties:',
        '      Name: quick',
        '      ProtocolType: HTTP',
        '      CorsConfiguration:',
        "        AllowOrigins: ['*']",
        '        AllowMethods: [GET, POST]',
        '      Target: !GetAtt Worker.Arn',
        '  RoutedApi:',
        '    Type: AWS::ApiGatewayV2::Api',
        '    Properties:',
        '      ProtocolType: HTTP',
        '      RouteKey: POST /reports',
        "      Target: !Sub 'arn:aws:lambda:${AWS::Region}:${AWS::AccountId}:function:${Worker}'",
        '  SocketApi:',
        '    Type: AWS::ApiGatewayV2::Api',
        '    Properties:',
        '      ProtocolType: WEBSOCKET',
        '      RouteSelectionExpression: $request.body.action',
      ],
      'Worker',
    );
    assert.deepEqual(triggers, [
      {
        kind: 'api',
        id: 'QuickApi',
        invocation: 'sync',
        enabled: true,
        api: 'http',
        method: 'ANY',
        path: '$default',
        payloadFormatVersion: '2.0',
        apiId: 'QuickApi',
        stage: '$default',
        cors: {
          allowOrigins: ['*'],
          allowMethods: ['GET', 'POST'],
          allowHeaders: [],
          exposeHeaders: [],
          allowCredentials: false,
        },
      },
      {
        kind: 'api',
        id: 'RoutedApi',
        invocation: 'sync',
        enabled: true,
        api: 'http',
        method: 'POST',
        path: '/reports',
        payloadFormatVersion: '2.0',
        apiId: 'RoutedApi',
        stage: '$default',
      },
    ]);
    assert.equal(describeTrigger(triggers[0]), 'HTTP API ANY $default');
  });
});
