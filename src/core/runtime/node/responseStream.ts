/** NODE-11: the `awslambda` global of the Node.js runtime: streamifyResponse and HttpResponseStream. */
import { Writable } from 'node:stream';

const STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
export const HTTP_INTEGRATION_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response';

export interface ResponseStream extends Writable {
  setContentType(type: string): void;
}

export interface StreamSink {
  chunk(data: Buffer): void;
  prelude(prelude: Record<string, unknown>, contentType: string): void;
}

export function isStreamingHandler(fn: unknown): boolean {
  return typeof fn === 'function' && (fn as unknown as Record<symbol, unknown>)[STREAMING] === 'response';
}

export function createResponseStream(sink: StreamSink): ResponseStream {
  const stream = new Writable({
    write(chunk: Buffer | string, encoding, cb) {
      sink.chunk(typeof chunk === 'string' ? Buffer.from(chunk, encoding) : chunk);
      cb();
    },
  }) as ResponseStream;
  stream.setContentType = (type: string) => {
    (stream as unknown as { contentType: string }).contentType = type;
  };
  return stream;
}

export function installAwslambdaGlobal(
  onPrelude: (stream: ResponseStream, prelude: Record<string, unknown>) => void,
): void {
  const awslambda = {
    streamifyResponse<T extends (...args: never[]) => unknown>(handler: T): T {
      (handler as unknown as Record<symbol, unknown>)[STREAMING] = 'response';
      return handler;
    },
    HttpResponseStream: {
      from(stream: ResponseStream, prelude: Record<string, unknown>): ResponseStream {
        stream.setContentType(HTTP_INTEGRATION_CONTENT_TYPE);
        onPrelude(stream, prelude ?? {});
        return stream;
      },
    },
  };
  (globalThis as unknown as { awslambda: unknown }).awslambda = awslambda;
}
