// S3 ObjectCreated -> thumbnail plan.
//
// S3 invokes Lambda asynchronously: when this handler throws, Lambda retries the same event twice more
// (about 1 and 2 minutes later). Upload uploads/notes.txt to watch an unsupported file fail three times.
//
// The upload client writes the original dimensions into the key (uploads/<user>/<name>_<width>x<height>.<ext>),
// so no image library is needed to size the thumbnail; keys without them get a box-sized thumbnail.

interface S3EventRecord {
  eventName: string;
  eventTime: string;
  s3: {
    bucket: { name: string; arn?: string };
    object: { key: string; size?: number; eTag?: string };
  };
}

interface S3Event {
  Records: S3EventRecord[];
}

interface LambdaContext {
  awsRequestId: string;
  functionName: string;
  getRemainingTimeInMillis(): number;
}

export interface ThumbnailPlan {
  bucket: string;
  sourceKey: string;
  targetKey: string;
  contentType: string;
  width: number;
  height: number;
}

export class UnsupportedImageError extends Error {
  override name = 'UnsupportedImageError';
}

const CONTENT_TYPES: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
};

const THUMBNAIL_PREFIX = process.env.THUMBNAIL_PREFIX ?? 'thumbnails/';
const MAX_WIDTH = Number(process.env.THUMBNAIL_MAX_WIDTH ?? 320);
const MAX_HEIGHT = Number(process.env.THUMBNAIL_MAX_HEIGHT ?? 240);

export const handler = async (event: S3Event, context: LambdaContext): Promise<ThumbnailPlan[]> => {
  if (!Array.isArray(event?.Records)) {
    throw new TypeError('Expected an S3 event notification with a Records array');
  }
  const plans: ThumbnailPlan[] = [];
  for (const record of event.Records) {
    const bucket = record.s3.bucket.name;
    // Keys arrive URL-encoded, with spaces as '+': "uploads/My+Photo%281%29.jpg" is "uploads/My Photo(1).jpg".
    const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '));
    if (key.startsWith(THUMBNAIL_PREFIX)) {
      console.log(`Skipping s3://${bucket}/${key}: already a thumbnail`);
      continue;
    }
    const plan = planThumbnail(bucket, key);
    console.log(
      `${record.eventName} s3://${bucket}/${key} (${record.s3.object.size ?? '?'} bytes) -> ` +
        `s3://${bucket}/${plan.targetKey} ${plan.width}x${plan.height} ${plan.contentType}`,
    );
    plans.push(plan);
  }
  console.log(`Planned ${plans.length} thumbnail(s); ${context.getRemainingTimeInMillis()} ms left`);
  return plans;
};

export function planThumbnail(bucket: string, key: string): ThumbnailPlan {
  const fileName = key.slice(key.lastIndexOf('/') + 1);
  const dot = fileName.lastIndexOf('.');
  const extension = dot > 0 ? fileName.slice(dot + 1).toLowerCase() : '';
  const contentType = CONTENT_TYPES[extension];
  if (!contentType) {
    throw new UnsupportedImageError(
      `Cannot make a thumbnail of s3://${bucket}/${key}: ` +
        `"${extension ? '.' + extension : 'no extension'}" is not one of ${Object.keys(CONTENT_TYPES).join(', ')}`,
    );
  }
  const stem = fileName.slice(0, dot);
  const size = /_(\d+)x(\d+)$/.exec(stem);
  const [width, height] = size ? fitWithin(Number(size[1]), Number(size[2])) : [MAX_WIDTH, MAX_HEIGHT];
  const baseName = size ? stem.slice(0, size.index) : stem;
  const folder = key.slice(0, key.length - fileName.length).replace(/^uploads\//, '');
  return {
    bucket,
    sourceKey: key,
    targetKey: `${THUMBNAIL_PREFIX}${folder}${baseName}-${width}x${height}.${extension}`,
    contentType,
    width,
    height,
  };
}

/** Scales (width, height) down to fit the thumbnail box, keeping the aspect ratio; never scales up. */
function fitWithin(width: number, height: number): [number, number] {
  if (width <= 0 || height <= 0) {
    throw new RangeError(`Invalid image dimensions ${width}x${height}`);
  }
  const scale = Math.min(1, MAX_WIDTH / width, MAX_HEIGHT / height);
  return [Math.max(1, Math.round(width * scale)), Math.max(1, Math.round(height * scale))];
}
