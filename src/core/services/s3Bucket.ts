/** A local S3 bucket: a folder under the store's parent (`.lambda-trigger/s3/<bucket>`), objects as files. */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bucketArn } from '../resourceArn';
import { PutResource, type SimulatedClock } from './localResource';

export interface PutObjectInput {
  key: string;
  body: string;
}

export class S3Bucket extends PutResource<PutObjectInput, string> {
  readonly kind = 's3' as const;
  readonly arn: string;

  constructor(
    readonly name: string,
    private readonly directory: string,
    private readonly clock: SimulatedClock,
  ) {
    super();
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name) && !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name))
      throw new Error(`"${name}" is not a bucket name.`);
    this.arn = bucketArn(name);
  }

  /** PutObject: writes the object under the bucket's folder; returns `s3://bucket/key`. */
  protected putOne({ key, body }: PutObjectInput): string {
    const parts = key.split('/');
    if (parts.some((p) => p === '' || p === '.' || p === '..'))
      throw new Error(`PutObject to ${this.name}: "${key}" is not a key the runner can store as a file.`);
    const file = path.join(this.directory, this.name, ...parts);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, body);
    return `s3://${this.name}/${key}`;
  }

  /**
   * ASYNC-7 / STREAM-4: the key Lambda gives an on-failure record:
   * `<prefix>/YYYY/MM/DD/YYYY-MM-DDTHH.MM.SS-<uuid>`.
   */
  failureRecordKey(prefix: string): string {
    const iso = new Date(this.clock.now()).toISOString();
    const [date, timeOfDay] = iso.split('T');
    return `${prefix}/${date.replace(/-/g, '/')}/${date}T${timeOfDay.slice(0, 8).replace(/:/g, '.')}-${randomUUID()}`;
  }
}
