/** The "Lambda Logs" output channel: each attempt's log stream as CloudWatch shows it, coloured by the lambda-log grammar. */
import * as vscode from 'vscode';
import type { InvocationRecord } from '../core/invoke/invocationRecord';
import { displayText } from '../shared/displayText';

export class LambdaLogChannel implements vscode.Disposable {
  private readonly channel = vscode.window.createOutputChannel('Lambda Logs', 'lambda-log');

  append(record: InvocationRecord): void {
    for (const attempt of record.attempts) {
      this.channel.appendLine(
        `--- ${record.functionName} ${record.mode} attempt ${attempt.number} (${attempt.outcome}) ---`,
      );
      // An output channel shows ANSI codes as text and lets bidi overrides reorder it: shown as the panel shows them.
      for (const line of attempt.logs) this.channel.appendLine(displayText(line.text));
    }
  }

  dispose(): void {
    this.channel.dispose();
  }
}
