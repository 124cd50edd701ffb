/**
 * Ctrl-C, a terminal that closes or a `kill`: the CLI first undoes what it holds (local accounts, whose execution
 * environments end with them, and throwaway stores), then exits 128 + the signal's number (130 for SIGINT), as
 * shells expect of a process a signal ended. A second signal exits at once.
 */
const cleanups = new Set<() => Promise<void>>();

/** Registers what to undo if the CLI is interrupted; returns the function that unregisters it. */
export function onInterrupt(cleanup: () => Promise<void>): () => void {
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

const SIGNALS = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as const;
/** Cleanup that does not end by then is left behind (the environments' supervisors still end them). */
const CLEANUP_DEADLINE_MS = 5_000;

/** Installs the handlers of SIGINT, SIGTERM and SIGHUP (the `lambda-trigger` process only, never tests). */
export function exitCleanlyOnSignals(): void {
  let interrupted = false;
  for (const [signal, number] of Object.entries(SIGNALS)) {
    process.on(signal, () => {
      const code = 128 + number;
      if (interrupted) process.exit(code);
      interrupted = true;
      setTimeout(() => process.exit(code), CLEANUP_DEADLINE_MS).unref();
      void Promise.allSettled([...cleanups].map((cleanup) => cleanup())).then(() => process.exit(code));
    });
  }
}
