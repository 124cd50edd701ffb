/**
 * The "Invoke with" menus of the explorer and the editor on a handler file: "Invoke with S3 Event" at the top level,
 * and the "Invoke with…" submenu: first the sources the file's functions have triggers of, then the other sources,
 * then "Pick an Event…" (the whole picker: configured triggers, saved events, any template, a JSON file).
 *
 * Menus are static, so each source is contributed twice to the submenu: in the first group when
 * `resourcePath in <its context key>`, in the second when `resourcePath not in` it. The extension sets each key to
 * the handler files that have a trigger of that source, again whenever discovery changes. package.json says the
 * same (test/unit/shared/invokeMenu.test.ts checks it).
 */
import type { FunctionConfig } from '../core/discovery/functionConfig';
import { triggerService } from '../core/events/triggerEvents';
import { commandTable, type LambdaCommand } from './commandTable';

export interface InvokeMenuSource {
  readonly command: LambdaCommand;
  /** The service, as event-templates/ names it (and triggerService() returns). */
  readonly service: string;
  /** A source with a template invokes at once (its title has no "…"); the others ask which of the source's events. */
  readonly templateId?: string;
}

/** The sources of the menus, in menu order. */
export const contextMenuSources: readonly InvokeMenuSource[] = [
  { command: commandTable.invokeWithS3, service: 's3', templateId: 's3:put' },
  { command: commandTable.invokeWithApiGateway, service: 'apigateway' },
  { command: commandTable.invokeWithSqs, service: 'sqs', templateId: 'sqs:receive-message' },
  { command: commandTable.invokeWithSns, service: 'sns', templateId: 'sns:notification' },
  { command: commandTable.invokeWithEventBridge, service: 'eventbridge' },
  { command: commandTable.invokeWithCloudWatch, service: 'cloudwatch' },
  { command: commandTable.invokeWithDynamoDb, service: 'dynamodb' },
  { command: commandTable.invokeWithKinesis, service: 'kinesis' },
  { command: commandTable.invokeWithKafka, service: 'kafka' },
  { command: commandTable.invokeWithMq, service: 'mq' },
  { command: commandTable.invokeWithAlb, service: 'alb' },
  { command: commandTable.invokeWithFunctionUrl, service: 'lambda', templateId: 'lambda:function-url' },
  { command: commandTable.invokeWithCognito, service: 'cognito-idp' },
  { command: commandTable.invokeWithCloudFront, service: 'cloudfront' },
];

export const invokeWithSubmenu = 'lambdaTrigger.invokeWithSubmenu';

/** The submenu's groups, in order (VS Code puts a separator between groups). */
export const invokeWithSubmenuGroups = { configured: '1_configured', sources: '2_sources', pick: '3_pick' } as const;

/** Context key: the files that hold a handler (the menus show only on them, `resourcePath in ...`). */
export const handlerFilesContext = 'lambdaTrigger.handlerFiles';

/** Context key: the handler files whose functions have a trigger of `service`. */
export function configuredTriggerContext(service: string): string {
  return `lambdaTrigger.filesWithTrigger.${service.replace(/[^A-Za-z0-9]/g, '_')}`;
}

/** Every menu context key with its value for these functions: handler files, and per menu source its files. */
export function invokeMenuContext(functions: readonly FunctionConfig[]): Map<string, string[]> {
  const withHandler = functions.filter((f): f is FunctionConfig & { handlerFile: string } => !!f.handlerFile);
  const values = new Map<string, string[]>([[handlerFilesContext, unique(withHandler.map((f) => f.handlerFile))]]);
  for (const source of contextMenuSources) {
    const files = withHandler
      .filter((f) => f.triggers.some((t) => triggerService(t) === source.service))
      .map((f) => f.handlerFile);
    values.set(configuredTriggerContext(source.service), unique(files));
  }
  return values;
}

function unique(files: string[]): string[] {
  return [...new Set(files)].sort();
}
