/**
 * What an execution environment waits for before it starts (a Node.js version downloaded, the AWS SDK installed into
 * the runtime cache) as a progress notification, and a line in the extension's log.
 */
import * as vscode from 'vscode';
import type { RuntimeProgress } from '../core/runtime';

interface OpenTask {
  report: (value: { message?: string; increment?: number }) => void;
  end: () => void;
  fraction: number;
}

export class RuntimeProgressNotifications {
  private readonly tasks = new Map<string, OpenTask>();

  constructor(private readonly output: vscode.LogOutputChannel) {}

  readonly listener = (p: RuntimeProgress): void => {
    if (p.phase === 'failed') this.output.warn(p.message);
    else if (p.phase !== 'progress') this.output.info(p.message);
    let task = this.tasks.get(p.task);
    if (!task && p.phase !== 'done' && p.phase !== 'failed') task = this.open(p.task);
    if (!task) return;
    const increment = p.fraction !== undefined ? Math.max(0, (p.fraction - task.fraction) * 100) : undefined;
    if (p.fraction !== undefined) task.fraction = p.fraction;
    task.report({ message: p.message, ...(increment ? { increment } : {}) });
    if (p.phase === 'done' || p.phase === 'failed') {
      task.end();
      this.tasks.delete(p.task);
      if (p.phase === 'failed') void vscode.window.showWarningMessage(p.message);
    }
  };

  private open(id: string): OpenTask {
    const task: OpenTask = { report: () => undefined, end: () => undefined, fraction: 0 };
    void vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Lambda Trigger Runner' },
      (progress) =>
        new Promise<void>((resolve) => {
          task.report = (value) => progress.report(value);
          task.end = resolve;
        }),
    );
    this.tasks.set(id, task);
    return task;
  }
}
