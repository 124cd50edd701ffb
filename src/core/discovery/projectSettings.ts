import * as path from 'node:path';
import { readCloudFormationTemplate, type TemplateFunctions } from './cloudFormationTemplate';
import type { DiscoveryOptions, DiscoveryProblem } from './functionConfig';
import type { TemplateDocument } from './templateDocument';

/** The project settings file for handlers with no IaC. */
export const SETTINGS_FILE_NAME = 'lambda-trigger.json';

const TOP_LEVEL_KEYS = new Set(['$schema', 'Globals', 'Functions', 'Resources', 'Parameters']);

export function isProjectSettingsFile(file: string): boolean {
  return path.basename(file) === SETTINGS_FILE_NAME;
}

/**
 * `lambda-trigger.json` is SAM-shaped on purpose (same property names, same Events), so that one reader and one
 * set of rules serve both:
 * `{ "Globals": {"Timeout": 10}, "Functions": {"Hello": {"Handler": "hello.handler", "Runtime": "nodejs20.x",
 *    "Events": {"Orders": {"Type": "SQS", "Properties": {"Queue": "orders", "BatchSize": 5}}}}},
 *    "Resources": {...queues and topics, as in a template...} }`. Handlers are relative to the file's folder.
 */
export function readProjectSettings(doc: TemplateDocument, options: DiscoveryOptions): TemplateFunctions {
  const problems: DiscoveryProblem[] = [];
  const settings = doc.value;
  if (settings === undefined) return { functions: [], problems };
  if (settings === null || typeof settings !== 'object' || Array.isArray(settings)) {
    problems.push({
      file: doc.file,
      line: 1,
      severity: 'error',
      code: 'invalid-settings',
      message: `${SETTINGS_FILE_NAME} must be a JSON object`,
    });
    return { functions: [], problems };
  }
  const s = settings as Record<string, unknown>;
  for (const key of Object.keys(s)) {
    if (!TOP_LEVEL_KEYS.has(key)) {
      problems.push({
        file: doc.file,
        line: doc.lineOf(s, key),
        severity: 'warning',
        code: 'invalid-settings',
        message: `Unknown key "${key}" in ${SETTINGS_FILE_NAME} (expected one of ${[...TOP_LEVEL_KEYS].join(', ')})`,
      });
    }
  }
  const resources: Record<string, unknown> = { ...(isObject(s.Resources) ? s.Resources : {}) };
  const functions = isObject(s.Functions) ? s.Functions : {};
  for (const [name, fn] of Object.entries(functions)) {
    if (!isObject(fn)) {
      problems.push({
        file: doc.file,
        line: doc.lineOf(functions, name),
        severity: 'error',
        code: 'invalid-settings',
        message: `Function "${name}" must be an object`,
      });
      continue;
    }
    resources[name] = { Type: 'AWS::Serverless::Function', Properties: fn };
  }
  // The synthetic template reuses the file's own objects, so every line still points into lambda-trigger.json.
  const template = { Parameters: s.Parameters, Globals: { Function: s.Globals }, Resources: resources };
  const result = readCloudFormationTemplate({ ...doc, value: template }, options);
  for (const fn of result.functions) {
    fn.definedBy = 'settings';
    for (const origin of Object.values(fn.origins)) if (origin.source === 'sam') origin.source = 'settings';
  }
  return { functions: result.functions, problems: [...problems, ...result.problems] };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
