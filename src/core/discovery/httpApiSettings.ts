/**
 * What a SAM or CloudFormation template says about the HTTP doors of its functions, beyond the route: the API a route
 * belongs to (its stage, stage variables, CORS, binary media types and Lambda authorizers), function URLs
 * (`FunctionUrlConfig`, `AWS::Lambda::Url`) and ALB target groups with a Lambda target.
 */
import type { HttpAuthorizer, HttpCors, HttpTrigger } from './functionConfig';
import { optional, stringMap, toBool, toNumber, toStringList, toText } from './eventSourceProperties';
import type { IntrinsicResolver } from './intrinsics';
import { targetFunction } from './resourceTriggers';

type Json = Record<string, unknown>;
const asObject = (v: unknown): Json | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined;

/** SAM's implicit APIs, which routes that name no `RestApiId`/`ApiId` belong to. */
export const IMPLICIT_REST_API = 'ServerlessRestApi';
export const IMPLICIT_HTTP_API = 'ServerlessHttpApi';

/** SAM REST API CORS values are quoted header values (`"'*'"`); the quotes go. */
function unquote(value: unknown): string | undefined {
  const text = toText(value, '').trim();
  if (text === '') return undefined;
  return text.replace(/^'(.*)'$/s, '$1');
}

function commaList(value: unknown): string[] {
  return (unquote(value) ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** SAM `Cors` of a REST API: a string (the allowed origin) or `{AllowOrigin, AllowMethods, AllowHeaders, ...}`. */
export function restApiCors(value: unknown): HttpCors | undefined {
  if (value === undefined || value === null || value === false) return undefined;
  const o = asObject(value);
  const origin = o ? unquote(o.AllowOrigin) : unquote(value);
  if (origin === undefined) return undefined;
  return {
    allowOrigins: [origin],
    allowMethods: o && o.AllowMethods !== undefined ? commaList(o.AllowMethods) : ['*'],
    allowHeaders: o && o.AllowHeaders !== undefined ? commaList(o.AllowHeaders) : [],
    exposeHeaders: [],
    allowCredentials: o ? toBool(o.AllowCredentials, false) : false,
    ...optional('maxAge', o ? toNumber(unquote(o.MaxAge)) : undefined),
  };
}

/**
 * `CorsConfiguration` of an HTTP API (`true` allows every origin, method and header) and `Cors` of a function URL:
 * `{AllowOrigins, AllowMethods, AllowHeaders, ExposeHeaders, AllowCredentials, MaxAge}`.
 */
export function corsConfiguration(value: unknown): HttpCors | undefined {
  if (value === true || value === 'true')
    return {
      allowOrigins: ['*'],
      allowMethods: ['*'],
      allowHeaders: ['*'],
      exposeHeaders: [],
      allowCredentials: false,
    };
  const o = asObject(value);
  if (!o) return undefined;
  return {
    allowOrigins: toStringList(o.AllowOrigins ?? o.AllowOrigin),
    allowMethods: toStringList(o.AllowMethods).map((m) => m.toUpperCase()),
    allowHeaders: toStringList(o.AllowHeaders),
    exposeHeaders: toStringList(o.ExposeHeaders),
    allowCredentials: toBool(o.AllowCredentials, false),
    ...optional('maxAge', toNumber(o.MaxAge)),
  };
}

/** The API settings a route inherits: its API resource's, else SAM's Globals for the implicit API. */
export class SamApis {
  constructor(
    private readonly resolver: IntrinsicResolver,
    private readonly globals: Json,
    private readonly isFunction: (logicalId: string) => boolean,
  ) {}

  /**
   * The API fields of a SAM `Api` or `HttpApi` event: `raw` is the event's `Properties` as written (so that
   * `RestApiId: !Ref MyApi` still names the resource), `resolved` the same with its intrinsics resolved.
   */
  routeSettings(type: 'Api' | 'HttpApi', raw: Json, resolved: Json): Partial<HttpTrigger> {
    const rest = type === 'Api';
    const apiRef = rest ? raw.RestApiId : raw.ApiId;
    const declared = apiRef !== undefined ? this.resolver.referencedResource(apiRef) : undefined;
    const expected = rest ? 'AWS::Serverless::Api' : 'AWS::Serverless::HttpApi';
    const resource = declared ? asObject(this.resolver.resources[declared]) : undefined;
    const own = resource && resource.Type === expected ? (asObject(resource.Properties) ?? {}) : undefined;
    // Globals.Api / Globals.HttpApi apply to every API of that type, the implicit one included.
    const globals = asObject(this.globals[rest ? 'Api' : 'HttpApi']) ?? {};
    const props = this.resolved({ ...globals, ...(own ?? {}) });
    const apiId = own ? declared! : rest ? IMPLICIT_REST_API : IMPLICIT_HTTP_API;
    const stage = toText(props.StageName, rest ? 'Prod' : '$default');
    const variables = stringMap(rest ? props.Variables : props.StageVariables);
    const cors = rest ? restApiCors(props.Cors) : corsConfiguration(props.CorsConfiguration);
    const binary = rest ? toStringList(props.BinaryMediaTypes).map((t) => t.replace(/~1/g, '/')) : [];
    const authorizer = this.routeAuthorizer(rest, asObject(props.Auth), asObject(resolved.Auth));
    return {
      apiId,
      stage,
      ...optional('stageVariables', variables),
      ...optional('cors', cors),
      ...optional('binaryMediaTypes', binary.length > 0 ? binary : undefined),
      ...optional('lambdaAuthorizer', authorizer),
    };
  }

  private resolved(props: Json): Json {
    const out: Json = {};
    // Authorizers keep their FunctionArn as written, so that it can be matched to a function of the template.
    for (const [k, v] of Object.entries(props)) out[k] = k === 'Auth' ? v : this.resolver.resolve(v);
    return out;
  }

  /** The route's Lambda authorizer: the event's `Auth.Authorizer`, else the API's `DefaultAuthorizer`. */
  private routeAuthorizer(
    rest: boolean,
    apiAuth: Json | undefined,
    eventAuth: Json | undefined,
  ): HttpAuthorizer | undefined {
    const chosen = toText(this.resolver.resolve(eventAuth?.Authorizer ?? apiAuth?.DefaultAuthorizer), '');
    if (chosen === '' || chosen === 'NONE' || chosen === 'AWS_IAM') return undefined;
    const definition = asObject(asObject(apiAuth?.Authorizers)?.[chosen]);
    // Cognito and JWT authorizers have no FunctionArn: they are not Lambda authorizers.
    if (!definition || definition.FunctionArn === undefined) return undefined;
    const functionName = targetFunction(definition.FunctionArn, this.resolver, this.isFunction);
    const identity = asObject(this.resolver.resolve(definition.Identity)) ?? {};
    if (rest) {
      const type = toText(this.resolver.resolve(definition.FunctionPayloadType), 'TOKEN').toUpperCase();
      const sources =
        type === 'TOKEN'
          ? [`method.request.header.${toText(identity.Header, 'Authorization')}`]
          : [
              ...toStringList(identity.Headers).map((h) => `method.request.header.${h}`),
              ...toStringList(identity.QueryStrings).map((q) => `method.request.querystring.${q}`),
              ...toStringList(identity.StageVariables).map((s) => `stageVariables.${s}`),
              ...toStringList(identity.Context).map((c) => `context.${c}`),
            ];
      return {
        name: chosen,
        ...optional('functionName', functionName),
        type: type === 'REQUEST' ? 'request' : 'token',
        payloadFormatVersion: '1.0',
        simpleResponses: false,
        identitySource: sources,
        ...optional('validationExpression', toText(identity.ValidationExpression, '') || undefined),
      };
    }
    const version =
      toText(this.resolver.resolve(definition.AuthorizerPayloadFormatVersion), '2.0') === '1.0' ? '1.0' : '2.0';
    return {
      name: chosen,
      ...optional('functionName', functionName),
      type: 'request',
      payloadFormatVersion: version,
      simpleResponses: version === '2.0' && toBool(this.resolver.resolve(definition.EnableSimpleResponses), false),
      identitySource: [
        ...toStringList(identity.Headers).map((h) => `$request.header.${h}`),
        ...toStringList(identity.QueryStrings).map((q) => `$request.querystring.${q}`),
        ...toStringList(identity.StageVariables).map((s) => `$stageVariables.${s}`),
        ...toStringList(identity.Context).map((c) => `$context.${c}`),
      ],
    };
  }
}

/** A function URL's one route, for every path: what a template or serverless.yml says of it. */
export function functionUrlRoute(
  id: string,
  url: { invokeMode: string; authType: 'NONE' | 'AWS_IAM'; cors: HttpCors | undefined },
): HttpTrigger {
  return {
    kind: 'api',
    id,
    invocation: 'sync',
    enabled: true,
    api: 'url',
    path: '/',
    method: 'ANY',
    payloadFormatVersion: '2.0',
    invokeMode: url.invokeMode.toUpperCase() === 'RESPONSE_STREAM' ? 'RESPONSE_STREAM' : 'BUFFERED',
    authType: url.authType,
    ...optional('cors', url.cors),
  };
}

/** A function URL (`FunctionUrlConfig` of a SAM function, or `AWS::Lambda::Url`). */
export function functionUrlTrigger(id: string, config: Json, resolver: IntrinsicResolver): HttpTrigger {
  return functionUrlRoute(id, {
    invokeMode: toText(resolver.resolve(config.InvokeMode), 'BUFFERED'),
    authType: toText(resolver.resolve(config.AuthType), 'AWS_IAM').toUpperCase() === 'NONE' ? 'NONE' : 'AWS_IAM',
    cors: corsConfiguration(resolver.resolve(config.Cors)),
  });
}

/** One ALB route per Lambda target of a target group that a listener rule forwards to. */
export interface AlbRoute {
  /** The function's logical id. */
  functionId: string;
  /** The listener rule's logical id. */
  ruleId: string;
  trigger: HttpTrigger;
}

/**
 * `AWS::ElasticLoadBalancingV2::ListenerRule` resources that forward to a target group of type `lambda`: one route
 * per path pattern and function, with the rule's method condition and priority.
 */
export function albRoutes(resolver: IntrinsicResolver, isFunction: (logicalId: string) => boolean): AlbRoute[] {
  const routes: AlbRoute[] = [];
  for (const [ruleId, raw] of Object.entries(resolver.resources)) {
    const rule = asObject(raw);
    if (rule?.Type !== 'AWS::ElasticLoadBalancingV2::ListenerRule') continue;
    const props = asObject(rule.Properties) ?? {};
    const paths: string[] = [];
    const methods: string[] = [];
    for (const c of Array.isArray(props.Conditions) ? props.Conditions : []) {
      const condition = asObject(resolver.resolve(c)) ?? {};
      const field = toText(condition.Field, '');
      if (field === 'path-pattern')
        paths.push(...toStringList(asObject(condition.PathPatternConfig)?.Values ?? condition.Values));
      if (field === 'http-request-method')
        methods.push(...toStringList(asObject(condition.HttpRequestMethodConfig)?.Values).map((m) => m.toUpperCase()));
    }
    const priority = resolver.resolveNumber(props.Priority);
    for (const action of Array.isArray(props.Actions) ? props.Actions : []) {
      const a = asObject(action) ?? {};
      const groups = [
        a.TargetGroupArn,
        ...(Array.isArray(asObject(a.ForwardConfig)?.TargetGroups)
          ? (asObject(a.ForwardConfig)!.TargetGroups as unknown[]).map((g) => asObject(g)?.TargetGroupArn)
          : []),
      ];
      for (const groupRef of groups) {
        const groupId = groupRef === undefined ? undefined : resolver.referencedResource(groupRef);
        const group = groupId ? asObject(resolver.resources[groupId]) : undefined;
        const groupProps = asObject(group?.Properties) ?? {};
        if (group?.Type !== 'AWS::ElasticLoadBalancingV2::TargetGroup') continue;
        if (toText(resolver.resolve(groupProps.TargetType), '').toLowerCase() !== 'lambda') continue;
        const multiValue = (Array.isArray(groupProps.TargetGroupAttributes) ? groupProps.TargetGroupAttributes : [])
          .map((attr) => asObject(resolver.resolve(attr)) ?? {})
          .some((attr) => attr.Key === 'lambda.multi_value_headers.enabled' && toBool(attr.Value, false));
        for (const target of Array.isArray(groupProps.Targets) ? groupProps.Targets : []) {
          const functionId = targetFunction(asObject(target)?.Id, resolver, isFunction);
          if (!functionId) continue;
          for (const path of paths.length > 0 ? paths : ['*']) {
            for (const method of methods.length > 0 ? methods : ['ANY']) {
              routes.push({
                functionId,
                ruleId,
                trigger: {
                  kind: 'api',
                  id: ruleId,
                  invocation: 'sync',
                  enabled: true,
                  api: 'alb',
                  path,
                  method,
                  apiId: groupId!,
                  multiValueHeaders: multiValue,
                  ...optional('priority', priority),
                },
              });
            }
          }
        }
      }
    }
  }
  return routes;
}

/**
 * An HTTP API made by quick create: `Target` is the function and `RouteKey` (default `$default`) its one route, with
 * a Lambda proxy integration in payload format 2.0, on the `$default` stage, with the API's CorsConfiguration.
 */
export function httpApiQuickCreateTrigger(id: string, props: Json, resolver: IntrinsicResolver): HttpTrigger {
  const routeKey = toText(resolver.resolve(props.RouteKey), '$default').trim() || '$default';
  const [method, routePath] = routeKey.split(/\s+/);
  const route =
    routePath === undefined ? { method: 'ANY', path: routeKey } : { method: method.toUpperCase(), path: routePath };
  return {
    kind: 'api',
    id,
    invocation: 'sync',
    enabled: true,
    api: 'http',
    ...route,
    payloadFormatVersion: '2.0',
    apiId: id,
    stage: '$default',
    ...optional('cors', corsConfiguration(resolver.resolve(props.CorsConfiguration))),
  };
}

/** True for an `AWS::ApiGatewayV2::Api` made by quick create (an HTTP API with a `Target`). */
export function isHttpApiQuickCreate(props: Json, resolver: IntrinsicResolver): boolean {
  return props.Target !== undefined && toText(resolver.resolve(props.ProtocolType), 'HTTP').toUpperCase() === 'HTTP';
}
