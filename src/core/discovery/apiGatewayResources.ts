/**
 * API Gateway APIs a template declares as plain CloudFormation resources, as CDK synthesizes them and as hand-written
 * templates do (SAM's `Api`/`HttpApi` events are read in cloudFormationTemplate.ts):
 * - REST APIs: `AWS::ApiGateway::RestApi`, its `AWS::ApiGateway::Resource` tree (PathPart under ParentId, the root
 *   being the API's `RootResourceId`), `AWS::ApiGateway::Method` with an `AWS_PROXY` integration whose Uri names a
 *   function, `AWS::ApiGateway::Authorizer` (TOKEN, REQUEST) and the stage (`AWS::ApiGateway::Stage` or a
 *   `Deployment`'s `StageName`, with `Variables`);
 * - HTTP and WebSocket APIs: `AWS::ApiGatewayV2::Api` (not made by quick create), its `Route`s (RouteKey, Target
 *   `integrations/<IntegrationId>`), `Integration`s (AWS_PROXY to a function, PayloadFormatVersion), `Authorizer`s
 *   (REQUEST), `RouteResponse`s (WebSocket: two-way routes) and `Stage`.
 */
import type { HttpAuthorizer, HttpTrigger } from './functionConfig';
import { optional, stringMap, toBool, toStringList, toText } from './eventSourceProperties';
import { corsConfiguration } from './httpApiSettings';
import type { IntrinsicResolver } from './intrinsics';
import { targetFunction } from './resourceTriggers';

type Json = Record<string, unknown>;
const asObject = (v: unknown): Json | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined;

/** One route of a function, with the resource that declares it (its origin). */
export interface ApiGatewayRoute {
  functionId: string;
  /** The Method or Route resource's logical id. */
  declaredBy: string;
  trigger: HttpTrigger;
}

/** The WebSocket route selection expression API Gateway proposes, and what serverless.yml uses by default. */
export const DEFAULT_ROUTE_SELECTION = '$request.body.action';

interface Resource {
  id: string;
  type: string;
  props: Json;
}

class TemplateResources {
  constructor(
    readonly resolver: IntrinsicResolver,
    readonly isFunction: (logicalId: string) => boolean,
  ) {}

  ofType(type: string): Resource[] {
    const out: Resource[] = [];
    for (const [id, raw] of Object.entries(this.resolver.resources)) {
      const r = asObject(raw);
      if (r?.Type === type) out.push({ id, type, props: asObject(r.Properties) ?? {} });
    }
    return out;
  }

  /** The logical id a property points at when it is a resource of the template (`!Ref X`, `!GetAtt X.Attr`). */
  ref(value: unknown): string | undefined {
    if (value === undefined) return undefined;
    return this.resolver.referencedResource(value);
  }

  text(value: unknown, fallback = ''): string {
    return toText(this.resolver.resolve(value), fallback);
  }

  functionOf(uri: unknown): string | undefined {
    return uri === undefined ? undefined : targetFunction(uri, this.resolver, this.isFunction);
  }
}

/** Every function route of the template's plain API Gateway resources, in template order. */
export function apiGatewayRoutes(
  resolver: IntrinsicResolver,
  isFunction: (logicalId: string) => boolean,
): ApiGatewayRoute[] {
  const t = new TemplateResources(resolver, isFunction);
  return [...restApiRoutes(t), ...apiV2Routes(t)];
}

/** The stage of an API: a Stage resource naming it, else a Deployment's StageName. */
function stageOf(
  t: TemplateResources,
  apiId: string,
  v2: boolean,
): { name?: string; variables?: Record<string, string> } {
  const stage = t
    .ofType(v2 ? 'AWS::ApiGatewayV2::Stage' : 'AWS::ApiGateway::Stage')
    .find((s) => t.ref(v2 ? s.props.ApiId : s.props.RestApiId) === apiId);
  if (stage) {
    const variables = stringMap(t.resolver.resolve(v2 ? stage.props.StageVariables : stage.props.Variables));
    return { name: t.text(stage.props.StageName), ...optional('variables', variables) };
  }
  const deployment = t
    .ofType(v2 ? 'AWS::ApiGatewayV2::Deployment' : 'AWS::ApiGateway::Deployment')
    .find((d) => t.ref(v2 ? d.props.ApiId : d.props.RestApiId) === apiId && d.props.StageName !== undefined);
  return deployment ? { name: t.text(deployment.props.StageName) } : {};
}

// ---------------------------------------------------------------------------------------------------------------
// REST APIs

/** The path of a Resource (or the API's root): its parents' PathParts joined, with a leading slash. */
function resourcePath(t: TemplateResources, value: unknown, seen: Set<string> = new Set()): string | undefined {
  const getAtt = asObject(value)?.['Fn::GetAtt'];
  const attr: unknown = Array.isArray(getAtt)
    ? (getAtt as unknown[])[1]
    : typeof getAtt === 'string'
      ? getAtt.split('.')[1]
      : undefined;
  if (attr === 'RootResourceId') return '/';
  const id = t.ref(value);
  if (!id || seen.has(id)) return undefined;
  seen.add(id);
  const resource = asObject(t.resolver.resources[id]);
  if (resource?.Type !== 'AWS::ApiGateway::Resource') return undefined;
  const props = asObject(resource.Properties) ?? {};
  const parent = resourcePath(t, props.ParentId, seen);
  if (parent === undefined) return undefined;
  const part = t.text(props.PathPart);
  return `${parent === '/' ? '' : parent}/${part}`;
}

function restAuthorizer(t: TemplateResources, value: unknown): HttpAuthorizer | undefined {
  const id = t.ref(value);
  const resource = id ? asObject(t.resolver.resources[id]) : undefined;
  if (!id || resource?.Type !== 'AWS::ApiGateway::Authorizer') return undefined;
  const props = asObject(resource.Properties) ?? {};
  const type = t.text(props.Type, 'TOKEN').toUpperCase();
  if (type !== 'TOKEN' && type !== 'REQUEST') return undefined; // COGNITO_USER_POOLS
  const functionName = t.functionOf(props.AuthorizerUri);
  const sources = t
    .text(props.IdentitySource, type === 'TOKEN' ? 'method.request.header.Authorization' : '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const validation = t.text(props.IdentityValidationExpression);
  return {
    name: t.text(props.Name, id) || id,
    ...optional('functionName', functionName),
    type: type === 'REQUEST' ? 'request' : 'token',
    payloadFormatVersion: '1.0',
    simpleResponses: false,
    identitySource: sources,
    ...optional('validationExpression', validation || undefined),
  };
}

function restApiRoutes(t: TemplateResources): ApiGatewayRoute[] {
  const routes: ApiGatewayRoute[] = [];
  for (const method of t.ofType('AWS::ApiGateway::Method')) {
    const integration = asObject(method.props.Integration);
    if (!integration || t.text(integration.Type).toUpperCase() !== 'AWS_PROXY') continue;
    const functionId = t.functionOf(integration.Uri);
    if (!functionId) continue;
    const apiId = t.ref(method.props.RestApiId);
    const path = resourcePath(t, method.props.ResourceId);
    if (!apiId || path === undefined) continue;
    const api = asObject(asObject(t.resolver.resources[apiId])?.Properties) ?? {};
    const stage = stageOf(t, apiId, false);
    const binary = toStringList(t.resolver.resolve(api.BinaryMediaTypes)).map((m) => m.replace(/~1/g, '/'));
    const custom = t.text(method.props.AuthorizationType).toUpperCase() === 'CUSTOM';
    const authorizer = custom ? restAuthorizer(t, method.props.AuthorizerId) : undefined;
    routes.push({
      functionId,
      declaredBy: method.id,
      trigger: {
        kind: 'api',
        id: method.id,
        invocation: 'sync',
        enabled: true,
        api: 'rest',
        path,
        method: t.text(method.props.HttpMethod, 'ANY').toUpperCase(),
        payloadFormatVersion: '1.0',
        apiId,
        stage: stage.name || 'prod',
        ...optional('stageVariables', stage.variables),
        ...optional('binaryMediaTypes', binary.length > 0 ? binary : undefined),
        ...optional('lambdaAuthorizer', authorizer),
      },
    });
  }
  return routes;
}

// ---------------------------------------------------------------------------------------------------------------
// HTTP and WebSocket APIs (ApiGatewayV2)

function v2Authorizer(t: TemplateResources, value: unknown): HttpAuthorizer | undefined {
  const id = t.ref(value);
  const resource = id ? asObject(t.resolver.resources[id]) : undefined;
  if (!id || resource?.Type !== 'AWS::ApiGatewayV2::Authorizer') return undefined;
  const props = asObject(resource.Properties) ?? {};
  if (t.text(props.AuthorizerType).toUpperCase() !== 'REQUEST') return undefined; // JWT
  const version = t.text(props.AuthorizerPayloadFormatVersion, '2.0') === '1.0' ? '1.0' : '2.0';
  return {
    name: t.text(props.Name, id) || id,
    ...optional('functionName', t.functionOf(props.AuthorizerUri)),
    type: 'request',
    payloadFormatVersion: version,
    simpleResponses: version === '2.0' && toBool(t.resolver.resolve(props.EnableSimpleResponses), false),
    identitySource: toStringList(t.resolver.resolve(props.IdentitySource)),
  };
}

/** The integration a route's `Target` (`integrations/<id>`) names, when it is a resource of the template. */
function integrationOf(t: TemplateResources, target: unknown): Resource | undefined {
  if (target === undefined) return undefined;
  const text = t.text(target);
  const m = /^integrations\/(.+)$/.exec(text);
  const id = m?.[1];
  const resource = id ? asObject(t.resolver.resources[id]) : undefined;
  if (!id || resource?.Type !== 'AWS::ApiGatewayV2::Integration') return undefined;
  return { id, type: 'AWS::ApiGatewayV2::Integration', props: asObject(resource.Properties) ?? {} };
}

function apiV2Routes(t: TemplateResources): ApiGatewayRoute[] {
  const routes: ApiGatewayRoute[] = [];
  const twoWay = new Set(t.ofType('AWS::ApiGatewayV2::RouteResponse').map((r) => t.ref(r.props.RouteId) ?? ''));
  for (const route of t.ofType('AWS::ApiGatewayV2::Route')) {
    const apiId = t.ref(route.props.ApiId);
    const api = apiId ? asObject(t.resolver.resources[apiId]) : undefined;
    if (!apiId || api?.Type !== 'AWS::ApiGatewayV2::Api') continue;
    const apiProps = asObject(api.Properties) ?? {};
    if (apiProps.Target !== undefined) continue; // quick create: its one route is read with the API
    const integration = integrationOf(t, route.props.Target);
    if (!integration || t.text(integration.props.IntegrationType).toUpperCase() !== 'AWS_PROXY') continue;
    const functionId = t.functionOf(integration.props.IntegrationUri);
    if (!functionId) continue;
    const routeKey = t.text(route.props.RouteKey).trim();
    const stage = stageOf(t, apiId, true);
    const websocket = t.text(apiProps.ProtocolType, 'HTTP').toUpperCase() === 'WEBSOCKET';
    const common = {
      kind: 'api' as const,
      id: route.id,
      invocation: 'sync' as const,
      enabled: true,
      apiId,
      ...optional('stageVariables', stage.variables),
    };
    if (websocket) {
      routes.push({
        functionId,
        declaredBy: route.id,
        trigger: {
          ...common,
          api: 'websocket',
          path: routeKey,
          method: 'WS',
          stage: stage.name || 'production',
          routeSelectionExpression: t.text(apiProps.RouteSelectionExpression, DEFAULT_ROUTE_SELECTION),
          twoWay: twoWay.has(route.id),
        },
      });
      continue;
    }
    const [first, second] = routeKey.split(/\s+/);
    const target =
      second === undefined
        ? { method: 'ANY', path: first || '$default' }
        : { method: first.toUpperCase(), path: second };
    const custom = t.text(route.props.AuthorizationType).toUpperCase() === 'CUSTOM';
    const authorizer = custom ? v2Authorizer(t, route.props.AuthorizerId) : undefined;
    const cors = corsConfiguration(t.resolver.resolve(apiProps.CorsConfiguration));
    routes.push({
      functionId,
      declaredBy: route.id,
      trigger: {
        ...common,
        api: 'http',
        ...target,
        payloadFormatVersion: t.text(integration.props.PayloadFormatVersion, '2.0') === '1.0' ? '1.0' : '2.0',
        stage: stage.name || '$default',
        ...optional('cors', cors),
        ...optional('lambdaAuthorizer', authorizer),
      },
    });
  }
  return routes;
}
