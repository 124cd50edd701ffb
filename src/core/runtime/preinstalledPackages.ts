/**
 * RUNTIME-3: what Lambda's runtimes include besides the language, for an environment about to start: the AWS SDK for
 * JavaScript v3 (Node.js 18+) and boto3 (Python), provided from the runtime cache where the project lacks them.
 */
import { AwsSdkForJs, type PreparedNodePackages } from './awsSdkForJs';
import { Boto3ForPython, type PreparedPythonPackages } from './boto3ForPython';
import type { RuntimeHost } from './runtimeHosts';
import type { RuntimeProgressListener } from './runtimeProgress';

export interface PreinstalledPackagesOptions {
  cacheDir: string;
  registry: string;
  onProgress?: RuntimeProgressListener;
  env?: NodeJS.ProcessEnv;
  /** Kills installs in flight (the pool is closing). */
  signal?: AbortSignal;
}

export class PreinstalledPackages {
  private readonly sdk: AwsSdkForJs;
  private readonly boto3: Boto3ForPython;

  constructor(options: PreinstalledPackagesOptions) {
    this.sdk = new AwsSdkForJs(options);
    this.boto3 = new Boto3ForPython(options);
  }

  node(runtime: string, handlerFile: string | undefined, host: RuntimeHost): Promise<PreparedNodePackages> {
    return this.sdk.prepare(runtime, handlerFile, host);
  }

  python(runtime: string, host: RuntimeHost): Promise<PreparedPythonPackages> {
    return this.boto3.prepare(runtime, host);
  }
}
