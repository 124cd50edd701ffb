/** The extension's settings (contributed in package.json under `lambdaTrigger.*`), read with their defaults. */
import * as vscode from 'vscode';

export interface LambdaTriggerSettings {
  /** Simulated seconds per wall second; Infinity runs AWS's delays (1 and 2 minute retries) instantly. */
  timeScale: number;
  pythonInterpreter: string | undefined;
  region: string;
  accountId: string;
  logFormat: 'Text' | 'JSON';
  excludeGlobs: string[];
}

export function readSettings(scope?: vscode.Uri): LambdaTriggerSettings {
  const config = vscode.workspace.getConfiguration('lambdaTrigger', scope);
  const scale = config.get<number | string>('timeScale', 'instant');
  const timeScale = scale === 'instant' || typeof scale !== 'number' || !(scale > 0) ? Number.POSITIVE_INFINITY : scale;
  const python = config.get<string>('python.interpreter', '').trim();
  return {
    timeScale,
    pythonInterpreter: python || undefined,
    region: config.get<string>('region', 'us-east-1'),
    accountId: config.get<string>('accountId', '123456789012'),
    logFormat: config.get<'Text' | 'JSON'>('logFormat', 'Text'),
    excludeGlobs: config.get<string[]>('discovery.exclude', []),
  };
}
