import { fileURLToPath } from 'node:url';
import type { CodeLens } from 'vscode-languageserver';
import type { WorkspaceIndex } from '../../core/discovery/workspaceIndex';
import { describeDurableConfig } from '../../core/discovery/durableConfig';
import { describeTrigger } from '../../core/discovery/triggerLabel';
import { commandTable } from '../../shared/commandTable';

/** The argument every handler lens command receives (JSON, crosses to the extension). */
export interface HandlerLensArgument {
  functionName?: string;
  /** FunctionConfig.id, unique in the workspace. */
  functionId?: string;
  handlerFile: string;
  exportName: string;
  triggerIndex?: number;
}

/** Code lenses above each handler export of a document: Invoke, Invoke with…, Debug, and one per trigger. */
export function handlerCodeLenses(index: WorkspaceIndex, uri: string): CodeLens[] {
  if (!uri.startsWith('file:')) return [];
  const lenses: CodeLens[] = [];
  for (const site of index.handlersIn(fileURLToPath(uri))) {
    const range = {
      start: { line: site.line - 1, character: site.column - 1 },
      end: { line: site.line - 1, character: site.column - 1 + site.exportName.length },
    };
    // The highest-precedence function (template before serverless.yml before settings) drives the plain lenses.
    const primary = site.functions[0];
    const base: HandlerLensArgument = {
      ...(primary ? { functionName: primary.name, functionId: primary.id } : {}),
      handlerFile: site.file,
      exportName: site.exportName,
    };
    // Titled as the menus and the palette title the same commands.
    for (const command of [commandTable.invoke, commandTable.invokeWith, commandTable.debug])
      lenses.push({ range, command: { title: command.title, command: command.id, arguments: [base] } });
    for (const fn of site.functions) {
      fn.triggers.forEach((trigger, triggerIndex) => {
        if (trigger.kind === 'unsupported') return;
        const prefix = site.functions.length > 1 ? `${fn.name}: ` : '';
        lenses.push({
          range,
          command: {
            title: `${prefix}${describeTrigger(trigger)}`,
            command: commandTable.invokeTrigger.id,
            arguments: [
              {
                functionName: fn.name,
                functionId: fn.id,
                handlerFile: site.file,
                exportName: site.exportName,
                triggerIndex,
              } satisfies HandlerLensArgument,
            ],
          },
        });
      });
      // DURABLE-1: a durable function says so; the lens shows its executions in the Invocations panel.
      if (fn.durableConfig)
        lenses.push({
          range,
          command: {
            title: `${site.functions.length > 1 ? `${fn.name}: ` : ''}Durable: ${describeDurableConfig(fn.durableConfig)}`,
            command: commandTable.showInvocations.id,
          },
        });
    }
  }
  return lenses;
}
