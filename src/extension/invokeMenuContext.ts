/**
 * Keeps the context keys of the "Invoke with" menus (src/shared/invokeMenu.ts) in step with discovery: which files
 * hold a handler, and per event source which handler files have a trigger of it.
 */
import * as vscode from 'vscode';
import { invokeMenuContext } from '../shared/invokeMenu';
import type { WorkspaceFunctions } from './workspaceFunctions';

export class InvokeMenuContext implements vscode.Disposable {
  /** What each key was last set to (VS Code cannot be asked for a context key's value; the tests ask here). */
  private readonly current = new Map<string, string[]>();
  private readonly subscription: vscode.Disposable;

  constructor(private readonly functions: WorkspaceFunctions) {
    this.subscription = functions.onDidChange(() => this.update());
  }

  /** The value of every key as last set. */
  values(): ReadonlyMap<string, readonly string[]> {
    return this.current;
  }

  /** Sets the keys whose value changed. */
  private update(): void {
    for (const [key, files] of invokeMenuContext(this.functions.all())) {
      const before = this.current.get(key);
      if (before && before.length === files.length && before.every((f, i) => f === files[i])) continue;
      this.current.set(key, files);
      void vscode.commands.executeCommand('setContext', key, files);
    }
  }

  dispose(): void {
    this.subscription.dispose();
  }
}
