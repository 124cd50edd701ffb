/** A status-bar item: how many invocations are running, else the last result; clicking it opens the panel. */
import * as vscode from 'vscode';
import type { InvocationRecord } from '../core/invoke/invocationRecord';
import { commandTable } from '../shared/commandTable';
import type { InvocationRunner } from './invocationRunner';

export class InvocationStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('lambdaTrigger.status', vscode.StatusBarAlignment.Left, 10);
  private readonly subscription: vscode.Disposable;
  private last: InvocationRecord | undefined;

  constructor(runner: InvocationRunner) {
    this.item.name = 'Lambda Trigger Runner';
    this.item.command = commandTable.showInvocations.id;
    this.subscription = runner.onDidChangeRunning((running) => this.render(running));
  }

  show(records: InvocationRecord[]): void {
    this.last = records[records.length - 1];
    this.render(0);
  }

  private render(running: number): void {
    if (running > 0) {
      this.item.text = `$(sync~spin) Lambda: ${running} running`;
      this.item.tooltip = 'Invocations in progress; click to open the invocation panel';
    } else if (this.last) {
      const r = this.last;
      const ok = r.status === 'succeeded';
      const attempt = r.attempts[r.attempts.length - 1];
      this.item.text = `$(${ok ? 'pass' : 'error'}) ${r.functionName}${attempt ? ` ${Math.round(attempt.durationMs)} ms` : ''}`;
      this.item.tooltip = `${r.functionName}: ${r.mode} ${r.status}${r.condition ? ` (${r.condition})` : ''}; click to open the invocation panel`;
    } else {
      this.item.hide();
      return;
    }
    this.item.show();
  }

  dispose(): void {
    this.subscription.dispose();
    this.item.dispose();
  }
}
