/**
 * Every command of the extension, declared once: its id, title, category, icon, enablement and whether the Command
 * Palette shows it. package.json's `contributes.commands` and `menus.commandPalette` say the same
 * (test/unit/shared/commandTable.test.ts checks both ways); the extension registers commands only from this table,
 * and the server's code lenses name commands from it.
 */

export interface CommandSpec {
  readonly id: `lambdaTrigger.${string}`;
  /** What menus and the palette show; palette-visible titles start with a verb. */
  readonly title: string;
  readonly category: 'Lambda';
  /** A codicon for view toolbars and inline actions. */
  readonly icon?: `$(${string})`;
  /** A `when` clause: the command is greyed out (and refuses to run) while it is false. */
  readonly enablement?: string;
  /** false: hidden from the palette (`"when": "false"`), because it needs what a view item, lens or menu passes. */
  readonly palette: boolean;
}

/** Context key set on activation and on trust: handlers may run (Workspace Trust). */
export const executionAllowedContext = 'lambdaTrigger.executionAllowed';

/** Context key: the local HTTP API of a workspace folder is serving. */
export const localApiRunningContext = 'lambdaTrigger.localApiRunning';

export const commandTable = {
  invoke: {
    id: 'lambdaTrigger.invoke',
    title: 'Invoke',
    category: 'Lambda',
    icon: '$(play)',
    enablement: executionAllowedContext,
    palette: true,
  },
  invokeWith: {
    id: 'lambdaTrigger.invokeWith',
    title: 'Invoke with…',
    category: 'Lambda',
    icon: '$(run-all)',
    enablement: executionAllowedContext,
    palette: true,
  },
  invokeAsync: {
    id: 'lambdaTrigger.invokeAsync',
    title: 'Invoke Asynchronously',
    category: 'Lambda',
    icon: '$(mail)',
    enablement: executionAllowedContext,
    palette: true,
  },
  sendBatch: {
    id: 'lambdaTrigger.sendBatch',
    title: 'Send as Batch',
    category: 'Lambda',
    icon: '$(layers)',
    enablement: executionAllowedContext,
    palette: true,
  },
  invokeTrigger: {
    id: 'lambdaTrigger.invokeTrigger',
    title: 'Invoke as This Trigger',
    category: 'Lambda',
    icon: '$(play)',
    enablement: executionAllowedContext,
    palette: false,
  },
  debug: {
    id: 'lambdaTrigger.debug',
    title: 'Debug',
    category: 'Lambda',
    icon: '$(debug-alt)',
    enablement: executionAllowedContext,
    palette: true,
  },
  invokeWithEvent: {
    id: 'lambdaTrigger.invokeWithEvent',
    title: 'Invoke with Event',
    category: 'Lambda',
    enablement: executionAllowedContext,
    palette: false,
  },
  invokeWithS3: {
    id: 'lambdaTrigger.invokeWith.s3',
    title: 'Invoke with S3 Event',
    category: 'Lambda',
    enablement: executionAllowedContext,
    palette: true,
  },
  // The other event sources are items of the "Invoke with…" submenu (src/shared/invokeMenu.ts), titled the same
  // way: "Invoke with <Service> Event", with "…" when a picker follows. The palette has "Invoke with…", which asks.
  invokeWithApiGateway: {
    id: 'lambdaTrigger.invokeWith.apigateway',
    title: 'Invoke with API Gateway Event…',
    category: 'Lambda',
    enablement: executionAllowedContext,
    palette: false,
  },
  invokeWithSqs: {
    id: 'lambdaTrigger.invokeWith.sqs',
    title: 'Invoke with SQS Event',
    category: 'Lambda',
    enablement: executionAllowedContext,
    palette: false,
  },
  invokeWithSns: {
    id: 'lambdaTrigger.invokeWith.sns',
    title: 'Invoke with SNS Event',
    category: 'Lambda',
    enablement: executionAllowedContext,
    palette: false,
  },
  invokeWithEventBridge: {
    id: 'lambdaTrigger.invokeWith.eventbridge',
    title: 'Invoke with EventBridge Event…',
    category: 'Lambda',
    enablement: executionAllowedContext,
    palette: false,
  },
  invokeWithCloudWatch: {
    id: 'lambdaTrigger.invokeWith.cloudwatch',
    title: 'Invoke with CloudWatch Event…',
    category: 'Lambda',
    enablement: executionAllowedContext,
    palette: false,
  },
  invokeWithDynamoDb: {
    id: 'lambdaTrigger.invokeWith.dynamodb',
    title: 'Invoke with DynamoDB Streams Event…',
    category: 'Lambda',
    enablement: executionAllowedContext,
    palette: false,
  },
  invokeWithKinesis: {
    id: 'lambdaTrigger.invokeWith.kinesis',
    title: 'Invoke with Kinesis Event…',
    category: 'Lambda',
    enablement: executionAllowedContext,
    palette: false,
  },
  invokeWithKafka: {
    id: 'lambdaTrigger.invokeWith.kafka',
    title: 'Invoke with Kafka Event…',
    category: 'Lambda',
    enablement: executionAllowedContext,
    palette: false,
  },
  invokeWithMq: {
    id: 'lambdaTrigger.invokeWith.mq',
    title: 'Invoke with Amazon MQ Event…',
    category: 'Lambda',
    enablement: executionAllowedContext,
    palette: false,
  },
  invokeWithAlb: {
    id: 'lambdaTrigger.invokeWith.alb',
    title: 'Invoke with Application Load Balancer Event…',
    category: 'Lambda',
    enablement: executionAllowedContext,
    palette: false,
  },
  invokeWithFunctionUrl: {
    id: 'lambdaTrigger.invokeWith.lambda',
    title: 'Invoke with Function URL Event',
    category: 'Lambda',
    enablement: executionAllowedContext,
    palette: false,
  },
  invokeWithCognito: {
    id: 'lambdaTrigger.invokeWith.cognito-idp',
    title: 'Invoke with Cognito User Pools Event…',
    category: 'Lambda',
    enablement: executionAllowedContext,
    palette: false,
  },
  invokeWithCloudFront: {
    id: 'lambdaTrigger.invokeWith.cloudfront',
    title: 'Invoke with CloudFront Event…',
    category: 'Lambda',
    enablement: executionAllowedContext,
    palette: false,
  },
  // The last item of the "Invoke with…" submenu: the whole event picker (the palette has "Invoke with…" for it).
  invokeWithPickedEvent: {
    id: 'lambdaTrigger.invokeWithPickedEvent',
    title: 'Pick an Event…',
    category: 'Lambda',
    enablement: executionAllowedContext,
    palette: false,
  },
  invokeSavedEvent: {
    id: 'lambdaTrigger.invokeSavedEvent',
    title: 'Invoke with This Event',
    category: 'Lambda',
    icon: '$(play)',
    enablement: executionAllowedContext,
    palette: false,
  },
  previewEvent: {
    id: 'lambdaTrigger.previewEvent',
    title: 'Open Event',
    category: 'Lambda',
    icon: '$(go-to-file)',
    palette: false,
  },
  saveEvent: { id: 'lambdaTrigger.saveEvent', title: 'Save as…', category: 'Lambda', icon: '$(save)', palette: false },
  invokeEventDocument: {
    id: 'lambdaTrigger.invokeEventDocument',
    title: 'Invoke the Event in the Editor',
    category: 'Lambda',
    icon: '$(play)',
    enablement: executionAllowedContext,
    palette: true,
  },
  invokeEventDocumentWith: {
    id: 'lambdaTrigger.invokeEventDocumentWith',
    title: 'Invoke Another Function with the Event in the Editor…',
    category: 'Lambda',
    enablement: executionAllowedContext,
    palette: true,
  },
  sendEventDocument: {
    id: 'lambdaTrigger.sendEventDocument',
    title: 'Send the Event in the Editor to Its Queue, Topic, Bus or Stream',
    category: 'Lambda',
    icon: '$(send)',
    enablement: executionAllowedContext,
    palette: true,
  },
  saveEventDocumentAs: {
    id: 'lambdaTrigger.saveEventDocumentAs',
    title: 'Save the Event in the Editor as…',
    category: 'Lambda',
    icon: '$(save)',
    palette: true,
  },
  renameSavedEvent: { id: 'lambdaTrigger.renameSavedEvent', title: 'Rename', category: 'Lambda', palette: false },
  deleteSavedEvent: {
    id: 'lambdaTrigger.deleteSavedEvent',
    title: 'Delete',
    category: 'Lambda',
    icon: '$(trash)',
    palette: false,
  },
  revealHandler: {
    id: 'lambdaTrigger.revealHandler',
    title: 'Reveal Handler',
    category: 'Lambda',
    icon: '$(go-to-file)',
    palette: false,
  },
  showInvocations: {
    id: 'lambdaTrigger.showInvocations',
    title: 'Show Invocations',
    category: 'Lambda',
    icon: '$(history)',
    palette: true,
  },
  refresh: {
    id: 'lambdaTrigger.refresh',
    title: 'Refresh Functions',
    category: 'Lambda',
    icon: '$(refresh)',
    palette: true,
  },
  showOutput: { id: 'lambdaTrigger.showOutput', title: 'Show Output', category: 'Lambda', palette: true },
  restartServer: {
    id: 'lambdaTrigger.restartServer',
    title: 'Restart Language Server',
    category: 'Lambda',
    palette: true,
  },
  showServerStatus: {
    id: 'lambdaTrigger.showServerStatus',
    title: 'Show Language Server Status',
    category: 'Lambda',
    palette: true,
  },
  invokeWithFault: {
    id: 'lambdaTrigger.invokeWithFault',
    title: 'Invoke with Fault…',
    category: 'Lambda',
    icon: '$(bug)',
    enablement: executionAllowedContext,
    palette: true,
  },
  refreshQueues: {
    id: 'lambdaTrigger.queues.refresh',
    title: 'Refresh Queues',
    category: 'Lambda',
    icon: '$(refresh)',
    palette: true,
  },
  peekMessage: {
    id: 'lambdaTrigger.queues.peekMessage',
    title: 'Peek Message',
    category: 'Lambda',
    icon: '$(eye)',
    palette: false,
  },
  sendMessage: {
    id: 'lambdaTrigger.queues.sendMessage',
    title: 'Send Message…',
    category: 'Lambda',
    icon: '$(mail)',
    enablement: executionAllowedContext,
    palette: false,
  },
  purgeQueue: {
    id: 'lambdaTrigger.queues.purge',
    title: 'Purge Queue…',
    category: 'Lambda',
    icon: '$(trash)',
    enablement: executionAllowedContext,
    palette: false,
  },
  redriveDeadLetterQueue: {
    id: 'lambdaTrigger.queues.redrive',
    title: 'Redrive DLQ to Its Source',
    category: 'Lambda',
    icon: '$(debug-restart)',
    enablement: executionAllowedContext,
    palette: false,
  },
  replayMessage: {
    id: 'lambdaTrigger.queues.replayMessage',
    title: 'Replay Message to a Function…',
    category: 'Lambda',
    icon: '$(play)',
    enablement: executionAllowedContext,
    palette: false,
  },
  startLocalApi: {
    id: 'lambdaTrigger.localApi.start',
    title: 'Start Local API',
    category: 'Lambda',
    icon: '$(radio-tower)',
    enablement: executionAllowedContext,
    palette: true,
  },
  stopLocalApi: {
    id: 'lambdaTrigger.localApi.stop',
    title: 'Stop Local API',
    category: 'Lambda',
    icon: '$(debug-stop)',
    enablement: localApiRunningContext,
    palette: true,
  },
  copyAwsEndpointVariables: {
    id: 'lambdaTrigger.localApi.copyAwsEndpoint',
    title: 'Copy AWS Endpoint Variables',
    category: 'Lambda',
    icon: '$(key)',
    enablement: executionAllowedContext,
    palette: true,
  },
  copyLocalApiRouteAsCurl: {
    id: 'lambdaTrigger.localApi.copyAsCurl',
    title: 'Copy as curl',
    category: 'Lambda',
    icon: '$(copy)',
    palette: false,
  },
  openLocalApiRoute: {
    id: 'lambdaTrigger.localApi.open',
    title: 'Open',
    category: 'Lambda',
    icon: '$(link-external)',
    palette: false,
  },
} as const satisfies Record<string, CommandSpec>;

/** One command of the table (registrations take these, never a bare id string). */
export type LambdaCommand = (typeof commandTable)[keyof typeof commandTable];

/** The table as a list, in declaration order (package.json lists them in the same order). */
export const allCommands: readonly CommandSpec[] = Object.values(commandTable);
