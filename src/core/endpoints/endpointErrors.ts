/** Failures of talking to the engine another process holds (the CLI exits 75 on them: try again later). */

/**
 * A live engine holds the workspace but cannot be used right now: it did not answer, closed before answering, or
 * speaks another protocol version. The message says which process and what to do.
 */
export class EngineUnavailableError extends Error {
  override readonly name: string = 'EngineUnavailableError';
}

/** The engine speaks another major protocol version (or refused the handshake). */
export class EngineProtocolError extends EngineUnavailableError {
  override readonly name = 'EngineProtocolError';
}
