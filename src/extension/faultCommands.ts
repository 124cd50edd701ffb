/**
 * "Invoke with Fault…": runs a function with one of the engine's injected faults (ASYNC-1 deliver twice, ASYNC-5
 * throttles and system errors, ASYNC-6 zero concurrency) so handler authors can watch idempotency and
 * failure handling hold. The records show the fault like any other invocation.
 */
import * as vscode from 'vscode';
import type { InvocationMode } from '../core/account/localAccount';
import type { InjectedFaults } from '../core/invoke/engineContext';
import type { InvocationRecord } from '../core/invoke/invocationRecord';
import { commandTable } from '../shared/commandTable';
import { registerCommand } from './commandRegistration';
import type { EventPicker } from './eventPicker';
import type { FunctionTarget, InvokeCommands } from './invokeCommands';

export interface FaultChoice {
  /** Stable key (the command's second argument). */
  key: string;
  label: string;
  /** One line for the quick pick. */
  detail: string;
  faults: InjectedFaults;
}

export const faultChoices: readonly FaultChoice[] = [
  {
    key: 'deliverTwice',
    label: 'Deliver twice',
    detail:
      'Runs the handler a second time with the same event and request id: does the second delivery change anything?',
    faults: { deliverTwice: true },
  },
  {
    key: 'throttle',
    label: 'Throttle once',
    detail: 'Lambda answers 429; the event backs off 1 s and is retried without using up MaximumRetryAttempts.',
    faults: { throttle: 1 },
  },
  {
    key: 'throttle3',
    label: 'Throttle three times',
    detail: 'Three 429s backing off 1, 2 and 4 s before the function runs; none count as retries.',
    faults: { throttle: 3 },
  },
  {
    key: 'systemError',
    label: 'System error once',
    detail: 'Lambda answers a 5xx service error; the event backs off and is retried, not counted as a retry.',
    faults: { systemError: 1 },
  },
  {
    key: 'zeroConcurrency',
    label: 'Zero reserved concurrency',
    detail: 'Nothing runs: the event goes straight to the DLQ / on-failure destination (ZeroReservedConcurrency).',
    faults: { zeroConcurrency: true },
  },
];

export class FaultCommands {
  constructor(
    private readonly ctx: {
      invoke: InvokeCommands;
      picker: EventPicker;
    },
  ) {}

  register(): vscode.Disposable[] {
    return [
      registerCommand(commandTable.invokeWithFault, (target: FunctionTarget, faultKey?: unknown) =>
        this.invokeWithFault(target, typeof faultKey === 'string' ? faultKey : undefined).catch((err: unknown) => {
          void vscode.window.showErrorMessage(`Lambda: ${err instanceof Error ? err.message : String(err)}`);
          return undefined;
        }),
      ),
    ];
  }

  /** Picks the function, the fault and the event, then invokes asynchronously (faults are about Lambda's queue). */
  async invokeWithFault(target: FunctionTarget, faultKey?: string): Promise<InvocationRecord[] | undefined> {
    const fn = await this.ctx.invoke.resolveFunction(target);
    if (!fn) return undefined;
    let choice = faultKey ? faultChoices.find((c) => c.key === faultKey) : undefined;
    if (faultKey && !choice)
      throw new Error(`Unknown fault "${faultKey}" (known: ${faultChoices.map((c) => c.key).join(', ')}).`);
    if (!choice) {
      const picked = await vscode.window.showQuickPick(
        faultChoices.map((c) => ({ label: c.label, detail: c.detail, choice: c })),
        { title: `Invoke ${fn.name} with a fault`, placeHolder: 'Which fault should Lambda inject?' },
      );
      choice = picked?.choice;
    }
    if (!choice) return undefined;
    const event = await this.ctx.picker.pick(fn, { title: `Invoke ${fn.name} with fault "${choice.label}"…` });
    if (!event) return undefined;
    const mode: InvocationMode = 'async';
    return this.ctx.invoke.run(fn, { ...event, label: `${event.label}, ${choice.label.toLowerCase()}` }, mode, {
      ...choice.faults,
    });
  }
}
