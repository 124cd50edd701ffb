/** Every command id the extension contributes, in one place (package.json must list the same). */
export const CommandIds = {
  showOutput: 'lambdaTrigger.showOutput',
  restartServer: 'lambdaTrigger.restartServer',
  showServerStatus: 'lambdaTrigger.showServerStatus',
} as const;
