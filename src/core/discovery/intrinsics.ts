import { createHash } from 'node:crypto';
import type { AwsLocation } from '../awsLocation';
import {
  bucketArn,
  busArn,
  functionArn,
  KAFKA_TARGET_PREFIX,
  kafkaClusterArn,
  mqBrokerArn,
  queueArn,
  queueUrl,
  streamArn,
  tableArn,
  topicArn,
  userPoolArn,
} from '../resourceArn';
import {
  STREAM_VIEW_TYPES,
  type DestinationTarget,
  type DiscoveryProblem,
  type StreamViewType,
} from './functionConfig';
import type { TemplateDocument } from './templateDocument';

/** Local stand-ins for the pseudo parameters, in the local account's location; nothing here reaches AWS. */
export function pseudoParameters(loc: AwsLocation): Record<string, string> {
  return {
    'AWS::Region': loc.region,
    'AWS::AccountId': loc.accountId,
    'AWS::StackName': 'local-stack',
    'AWS::StackId': `arn:aws:cloudformation:${loc.region}:${loc.accountId}:stack/local-stack/local`,
    'AWS::Partition': 'aws',
    'AWS::URLSuffix': 'amazonaws.com',
    'AWS::NotificationARNs': '',
  };
}

/** Returned by Ref AWS::NoValue: the property is dropped. */
export const NO_VALUE = Symbol('AWS::NoValue');

type Json = Record<string, unknown>;

const asObject = (v: unknown): Json | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined;

interface ResourceKind {
  service: string;
  nameProperty?: string;
  arn: (name: string, loc: AwsLocation) => string;
  /** What Ref returns for this type (CloudFormation reference per resource type). */
  ref: 'name' | 'arn' | 'url';
  target?: DestinationTarget['type'];
}

const RESOURCE_KINDS: Record<string, ResourceKind> = {
  'AWS::SQS::Queue': {
    service: 'sqs',
    nameProperty: 'QueueName',
    arn: queueArn,
    ref: 'url',
    target: 'sqs',
  },
  'AWS::SNS::Topic': {
    service: 'sns',
    nameProperty: 'TopicName',
    arn: topicArn,
    ref: 'arn',
    target: 'sns',
  },
  'AWS::Lambda::Function': {
    service: 'lambda',
    nameProperty: 'FunctionName',
    arn: functionArn,
    ref: 'name',
    target: 'lambda',
  },
  'AWS::Serverless::Function': {
    service: 'lambda',
    nameProperty: 'FunctionName',
    arn: functionArn,
    ref: 'name',
    target: 'lambda',
  },
  'AWS::DynamoDB::Table': {
    service: 'dynamodb',
    nameProperty: 'TableName',
    arn: tableArn,
    ref: 'name',
  },
  'AWS::Serverless::SimpleTable': {
    service: 'dynamodb',
    nameProperty: 'TableName',
    arn: tableArn,
    ref: 'name',
  },
  'AWS::Kinesis::Stream': {
    service: 'kinesis',
    nameProperty: 'Name',
    arn: (n, loc) => streamArn('kinesis', n, loc),
    ref: 'name',
  },
  'AWS::S3::Bucket': {
    service: 's3',
    nameProperty: 'BucketName',
    arn: bucketArn,
    ref: 'name',
    target: 's3',
  },
  'AWS::Events::EventBus': {
    service: 'events',
    nameProperty: 'Name',
    arn: busArn,
    ref: 'name',
    target: 'eventbridge',
  },
  'AWS::MSK::Cluster': {
    service: 'kafka',
    nameProperty: 'ClusterName',
    arn: kafkaClusterArn,
    ref: 'arn',
  },
  'AWS::AmazonMQ::Broker': {
    service: 'mq',
    nameProperty: 'BrokerName',
    arn: mqBrokerArn,
    ref: 'name',
  },
  'AWS::Cognito::UserPool': {
    service: 'cognito-idp',
    nameProperty: 'UserPoolName',
    arn: userPoolArn,
    ref: 'name',
  },
};

/** SQS queue and SNS topic names are at most 80 characters, `.fifo` included. */
const MAX_FIFO_NAME = 80;

/**
 * The name CloudFormation gives a FIFO queue or topic whose template names none: `<stack>-<logicalId>-<suffix>.fifo`.
 * CloudFormation's suffix is random; the local one is derived from the stack and logical id, so that the queue keeps
 * its name (and the messages the store holds under it) from one run to the next. Stack and logical id are cut so
 * that the name stays within 80 characters.
 */
export function generatedFifoName(stackName: string, logicalId: string): string {
  const suffix = createHash('sha256').update(`${stackName}/${logicalId}`).digest('hex').slice(0, 12).toUpperCase();
  const tail = `-${suffix}.fifo`;
  return `${stackName}-${logicalId}`.slice(0, MAX_FIFO_NAME - tail.length) + tail;
}

/** Which destination type a bare ARN (or a Kafka mapping's `kafka://<topic>`) names (ASYNC-7, STREAM-4). */
export function targetTypeOfArn(arn: string): DestinationTarget['type'] {
  if (arn.startsWith(KAFKA_TARGET_PREFIX)) return 'kafka';
  const service = arn.split(':')[2];
  switch (service) {
    case 'sqs':
      return 'sqs';
    case 'sns':
      return 'sns';
    case 'lambda':
      return 'lambda';
    case 'events':
      return 'eventbridge';
    case 's3':
      return 's3';
    default:
      return 'unknown';
  }
}

/**
 * Resolves CloudFormation intrinsic functions as far as a local run can: parameters by their defaults (or
 * overrides), pseudo parameters by local stand-ins, resources by the names their properties give them.
 */
export class IntrinsicResolver {
  readonly resources: Json;
  private readonly parameters: Json;
  private readonly mappings: Json;
  private readonly conditions: Json;
  private readonly resolving: string[] = [];
  private readonly reported = new Set<string>();
  readonly location: AwsLocation;
  private readonly parameterOverrides: Record<string, string>;
  private readonly pseudoParameters: Record<string, string>;

  constructor(
    private readonly doc: TemplateDocument,
    template: Json,
    private readonly problems: DiscoveryProblem[],
    options: { location: AwsLocation; parameterOverrides?: Record<string, string> },
  ) {
    this.location = options.location;
    this.parameterOverrides = options.parameterOverrides ?? {};
    this.pseudoParameters = pseudoParameters(options.location);
    this.resources = asObject(template.Resources) ?? {};
    this.parameters = asObject(template.Parameters) ?? {};
    this.mappings = asObject(template.Mappings) ?? {};
    this.conditions = asObject(template.Conditions) ?? {};
  }

  resourceType(logicalId: string): string | undefined {
    const type = asObject(this.resources[logicalId])?.Type;
    return typeof type === 'string' ? type : undefined;
  }

  /**
   * The physical name a resource gets: its name property if it resolves, else its logical id; a FIFO queue or topic
   * without a name gets the name CloudFormation generates, ending in `.fifo` (FIFO names must).
   */
  physicalName(logicalId: string): string {
    const resource = asObject(this.resources[logicalId]);
    const kind = RESOURCE_KINDS[String(resource?.Type)];
    const props = asObject(resource?.Properties);
    if (kind?.nameProperty && props?.[kind.nameProperty] === undefined && this.isFifo(String(resource?.Type), props))
      return generatedFifoName(this.pseudoParameters['AWS::StackName'], logicalId);
    if (!kind?.nameProperty || !props || props[kind.nameProperty] === undefined) return logicalId;
    const key = `resource:${logicalId}`;
    if (this.resolving.includes(key)) {
      this.reportCircular(key, props, kind.nameProperty);
      return logicalId;
    }
    this.resolving.push(key);
    try {
      const name = this.resolve(props[kind.nameProperty]);
      return typeof name === 'string' || typeof name === 'number' ? String(name) : logicalId;
    } finally {
      this.resolving.pop();
    }
  }

  /**
   * STREAM-6: the `StreamSpecification.StreamViewType` of a DynamoDB table of the template (`AWS::DynamoDB::Table`,
   * `AWS::Serverless::SimpleTable`); undefined when it declares none.
   */
  streamViewType(logicalId: string): StreamViewType | undefined {
    const type = this.resourceType(logicalId);
    if (type !== 'AWS::DynamoDB::Table' && type !== 'AWS::Serverless::SimpleTable') return undefined;
    const props = asObject(asObject(this.resources[logicalId])?.Properties);
    const viewType = this.resolve(asObject(props?.StreamSpecification)?.StreamViewType);
    return STREAM_VIEW_TYPES.find((t) => t === viewType);
  }

  private isFifo(type: string, props: Json | undefined): boolean {
    const flag =
      type === 'AWS::SQS::Queue' ? props?.FifoQueue : type === 'AWS::SNS::Topic' ? props?.FifoTopic : undefined;
    if (flag === undefined) return false;
    const value = this.resolve(flag);
    return value === true || value === 'true';
  }

  arnOf(logicalId: string): string {
    const kind = RESOURCE_KINDS[String(this.resourceType(logicalId))];
    const name = this.physicalName(logicalId);
    return kind
      ? kind.arn(name, this.location)
      : `arn:aws:local:${this.location.region}:${this.location.accountId}:${logicalId}`;
  }

  /** The logical id a value points at (`!Ref X`, `!GetAtt X.Arn`, `!Sub ${X.Arn}` or an ARN/name of X). */
  referencedResource(value: unknown): string | undefined {
    const obj = asObject(value);
    if (obj) {
      if (typeof obj.Ref === 'string' && this.resources[obj.Ref]) return obj.Ref;
      const getAtt = obj['Fn::GetAtt'];
      if (Array.isArray(getAtt) && typeof getAtt[0] === 'string' && this.resources[getAtt[0]]) return getAtt[0];
      const sub = obj['Fn::Sub'];
      if (typeof sub === 'string') {
        const m = /^\$\{([A-Za-z0-9]+)(\.[A-Za-z]+)?\}$/.exec(sub);
        if (m && this.resources[m[1]]) return m[1];
      }
    }
    const resolved = this.resolve(value);
    if (typeof resolved !== 'string') return undefined;
    for (const id of Object.keys(this.resources)) {
      const kind = RESOURCE_KINDS[String(this.resourceType(id))];
      if (!kind) continue;
      const name = this.physicalName(id);
      if (resolved === name || resolved === kind.arn(name, this.location)) return id;
    }
    return undefined;
  }

  /** A destination, DLQ or redrive target as far as it resolves. */
  target(value: unknown, declaredType?: string): DestinationTarget {
    const logicalId = this.referencedResource(value);
    if (logicalId) {
      const kind = RESOURCE_KINDS[String(this.resourceType(logicalId))];
      return {
        type: kind?.target ?? 'unknown',
        logicalId,
        name: this.physicalName(logicalId),
        arn: this.arnOf(logicalId),
      };
    }
    const resolved = this.resolve(value);
    const arn = typeof resolved === 'string' ? resolved : undefined;
    const declared = declaredType?.toLowerCase();
    if (arn?.startsWith(KAFKA_TARGET_PREFIX))
      return { type: 'kafka', arn, name: arn.slice(KAFKA_TARGET_PREFIX.length) };
    const type: DestinationTarget['type'] =
      declared === 's3bucket' || declared === 's3'
        ? 's3'
        : declared === 'sqs' || declared === 'sns' || declared === 'lambda' || declared === 'eventbridge'
          ? declared
          : arn?.startsWith('arn:')
            ? targetTypeOfArn(arn)
            : 'unknown';
    return { type, ...(arn ? { arn, name: arn.startsWith('arn:') ? arn.split(':').pop() : arn } : {}) };
  }

  /** Resolves every intrinsic inside a value; what cannot be resolved becomes a readable `${...}` placeholder. */
  resolve(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((v) => this.resolve(v)).filter((v) => v !== NO_VALUE);
    const obj = asObject(value);
    if (!obj) return value;
    const keys = Object.keys(obj);
    if (keys.length === 1 && (keys[0] === 'Ref' || keys[0] === 'Condition' || keys[0].startsWith('Fn::'))) {
      return this.intrinsic(keys[0], obj[keys[0]], obj);
    }
    const out: Json = {};
    for (const key of keys) {
      const v = this.resolve(obj[key]);
      if (v !== NO_VALUE) out[key] = v;
    }
    return out;
  }

  /** A resolved scalar as a string, or undefined. */
  resolveString(value: unknown): string | undefined {
    const v = this.resolve(value);
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    return undefined;
  }

  resolveNumber(value: unknown): number | undefined {
    const v = this.resolve(value);
    if (typeof v === 'number') return v;
    if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) return Number(v);
    return undefined;
  }

  private intrinsic(name: string, arg: unknown, node: Json): unknown {
    switch (name) {
      case 'Ref':
        return typeof arg === 'string' ? this.ref(arg, node) : '${Ref:?}';
      case 'Condition':
        return typeof arg === 'string' ? this.condition(arg, node) : undefined;
      case 'Fn::GetAtt': {
        const parts = Array.isArray(arg) ? arg.map((a) => this.resolveString(a) ?? '') : String(arg).split('.');
        return this.getAtt(parts[0], parts.slice(1).join('.'));
      }
      case 'Fn::Sub':
        return this.sub(arg, node);
      case 'Fn::Join': {
        if (!Array.isArray(arg) || arg.length !== 2) return '${Fn::Join:?}';
        const items = this.resolve(arg[1]);
        if (!Array.isArray(items)) return '${Fn::Join:?}';
        return items.map((i) => (typeof i === 'string' || typeof i === 'number' ? String(i) : '')).join(String(arg[0]));
      }
      case 'Fn::Select': {
        if (!Array.isArray(arg) || arg.length !== 2) return undefined;
        const list = this.resolve(arg[1]);
        const index = this.resolveNumber(arg[0]);
        return Array.isArray(list) && index !== undefined ? list[index] : undefined;
      }
      case 'Fn::Split': {
        if (!Array.isArray(arg) || arg.length !== 2) return undefined;
        const s = this.resolveString(arg[1]);
        return s === undefined ? undefined : s.split(String(arg[0]));
      }
      case 'Fn::FindInMap': {
        if (!Array.isArray(arg) || arg.length < 3) return undefined;
        const [map, top, second] = arg.slice(0, 3).map((a) => this.resolveString(a) ?? '');
        const found = asObject(asObject(this.mappings[map])?.[top])?.[second];
        if (found !== undefined) return this.resolve(found);
        const fallback = asObject(arg[3])?.DefaultValue;
        return fallback !== undefined ? this.resolve(fallback) : `\${FindInMap:${map}.${top}.${second}}`;
      }
      case 'Fn::If': {
        if (!Array.isArray(arg) || arg.length !== 3) return undefined;
        // An undecidable condition takes the "true" branch, as most templates put the interesting value there.
        const cond = typeof arg[0] === 'string' ? this.condition(arg[0], node) : undefined;
        return this.resolve(cond === false ? arg[2] : arg[1]);
      }
      case 'Fn::Equals': {
        if (!Array.isArray(arg) || arg.length !== 2) return undefined;
        const [a, b] = arg.map((x) => this.resolve(x));
        return JSON.stringify(a) === JSON.stringify(b);
      }
      case 'Fn::And':
      case 'Fn::Or': {
        if (!Array.isArray(arg)) return undefined;
        const values = arg.map((x) => this.resolve(x));
        if (values.some((v) => typeof v !== 'boolean')) return undefined;
        return name === 'Fn::And' ? values.every(Boolean) : values.some(Boolean);
      }
      case 'Fn::Not': {
        const v = Array.isArray(arg) ? this.resolve(arg[0]) : undefined;
        return typeof v === 'boolean' ? !v : undefined;
      }
      case 'Fn::Base64':
        return this.resolve(arg);
      case 'Fn::ToJsonString':
        return JSON.stringify(this.resolve(arg));
      case 'Fn::Length': {
        const v = this.resolve(arg);
        return Array.isArray(v) ? v.length : undefined;
      }
      case 'Fn::GetAZs':
        return ['a', 'b', 'c'].map((zone) => `${this.location.region}${zone}`);
      case 'Fn::ImportValue':
        return `\${ImportValue:${this.resolveString(arg) ?? '?'}}`;
      case 'Fn::Cidr':
      case 'Fn::Transform':
      case 'Fn::ForEach':
        return `\${${name}}`;
      default:
        this.problems.push({
          file: this.doc.file,
          line: this.doc.lineOf(node, name),
          severity: 'error',
          code: 'unknown-intrinsic',
          message: `Unknown intrinsic function ${name}`,
        });
        return `\${${name}}`;
    }
  }

  private ref(name: string, node: Json): unknown {
    if (name === 'AWS::NoValue') return NO_VALUE;
    if (name in this.pseudoParameters) return this.pseudoParameters[name];
    if (name in this.parameterOverrides) return this.parameterOverrides[name];
    const param = asObject(this.parameters[name]);
    if (param) {
      if (param.Default === undefined) return `\${${name}}`;
      return typeof param.Default === 'object' ? this.resolve(param.Default) : param.Default;
    }
    const resource = asObject(this.resources[name]);
    if (resource) {
      const kind = RESOURCE_KINDS[String(resource.Type)];
      const physical = this.physicalName(name);
      if (!kind || kind.ref === 'name') return physical;
      if (kind.ref === 'arn') return kind.arn(physical, this.location);
      return queueUrl(physical, this.location);
    }
    this.problems.push({
      file: this.doc.file,
      line: this.doc.lineOf(node, 'Ref'),
      severity: 'warning',
      code: 'invalid-template',
      message: `Ref to "${name}", which is neither a parameter nor a resource of this template`,
    });
    return `\${${name}}`;
  }

  private getAtt(logicalId: string, attribute: string): string {
    if (!this.resources[logicalId]) return `\${${logicalId}.${attribute}}`;
    const type = this.resourceType(logicalId);
    const name = this.physicalName(logicalId);
    if (attribute === 'Arn') return this.arnOf(logicalId);
    if (attribute === 'StreamArn')
      return type === 'AWS::Kinesis::Stream' ? this.arnOf(logicalId) : streamArn('dynamodb', name, this.location);
    if (attribute === 'QueueName' || attribute === 'TopicName' || attribute === 'Name') return name;
    if (attribute === 'QueueUrl' && type === 'AWS::SQS::Queue') return queueUrl(name, this.location);
    return `\${${logicalId}.${attribute}}`;
  }

  private sub(arg: unknown, node: Json): string {
    const [template, varsNode]: unknown[] = Array.isArray(arg) ? (arg as unknown[]).slice(0, 2) : [arg, undefined];
    if (typeof template !== 'string') return '${Fn::Sub:?}';
    const vars = asObject(varsNode) ?? {};
    return template.replace(/\$\{([^}]*)\}/g, (whole, inner: string) => {
      if (inner.startsWith('!')) return `\${${inner.slice(1)}}`; // ${!Literal} is an escaped literal
      const key = inner.trim();
      if (key in vars) return this.resolveString(vars[key]) ?? whole;
      const dot = key.indexOf('.');
      if (dot > 0 && !key.startsWith('AWS::')) return this.getAtt(key.slice(0, dot), key.slice(dot + 1));
      const v = this.ref(key, node);
      return typeof v === 'string' || typeof v === 'number' ? String(v) : whole;
    });
  }

  private condition(name: string, node: Json): boolean | undefined {
    const key = `condition:${name}`;
    if (this.resolving.includes(key)) {
      this.reportCircular(key, node, 'Condition');
      return undefined;
    }
    if (!(name in this.conditions)) return undefined;
    this.resolving.push(key);
    try {
      const v = this.resolve(this.conditions[name]);
      return typeof v === 'boolean' ? v : undefined;
    } finally {
      this.resolving.pop();
    }
  }

  private reportCircular(key: string, container: Json, prop: string): void {
    const cycle = [...this.resolving.slice(this.resolving.indexOf(key)), key].map((k) => k.split(':')[1]);
    const id = cycle.join(' -> ');
    if (this.reported.has(id)) return;
    this.reported.add(id);
    this.problems.push({
      file: this.doc.file,
      line: this.doc.lineOf(container, prop),
      severity: 'error',
      code: 'circular-ref',
      message: `Circular reference: ${id}`,
    });
  }
}
