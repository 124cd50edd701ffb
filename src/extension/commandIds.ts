/** Command ids registered in extension.ts itself (package.json must list the same); the invoke commands live in invokeCommands.ts. */
export const CommandIds = {
  showOutput: 'lambdaTrigger.showOutput',
  restartServer: 'lambdaTrigger.restartServer',
  showServerStatus: 'lambdaTrigger.showServerStatus',
  refresh: 'lambdaTrigger.refresh',
  showInvocations: 'lambdaTrigger.showInvocations',
} as const;
