/**
 * Progress of the slow things an execution environment may wait for before it starts: a Node.js download, the AWS SDK
 * installed into the runtime cache, boto3 copied there (RUNTIME-2, RUNTIME-3). The CLI prints each message on stderr;
 * the extension can show them in a progress notification.
 */
export interface RuntimeProgress {
  /** Stable per task (`node-24.22.3`, `aws-sdk-js-node22`), so that a UI can update one entry. */
  task: string;
  phase: 'start' | 'progress' | 'done' | 'failed';
  /** A sentence for the user: what, from where, to where, how far. */
  message: string;
  /** 0..1 when the size is known. */
  fraction?: number;
}

export type RuntimeProgressListener = (progress: RuntimeProgress) => void;

/** Calls a listener without letting it break the work it reports on. */
export function reportProgress(listener: RuntimeProgressListener | undefined, progress: RuntimeProgress): void {
  try {
    listener?.(progress);
  } catch {
    // A failing progress display must not fail a download.
  }
}

export function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
