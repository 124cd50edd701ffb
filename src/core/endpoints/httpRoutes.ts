/**
 * The route table of the HTTP front: every enabled API Gateway (REST, HTTP API), ALB and function URL route of the
 * workspace's functions, and how a request finds its route.
 *
 * URL layout (one port for everything):
 * - API Gateway and ALB routes are served at their own path (`GET /orders/{id}` at `/orders/42`), as `sam local
 *   start-api` serves them; the stage is not part of the URL.
 * - A function URL is served under `/lambda-url/<function name>/`, the rest of the path being the path the function
 *   sees (a function URL is a host of its own on AWS).
 * - A WebSocket API is served at `ws://<host>/<API logical id>/<stage>` (WS-1): an upgrade request there opens a
 *   connection; its routes are picked per message by the API's route selection expression, not by path.
 * When two routes of different APIs claim the same method and path, the first one declared answers (HTTP-2).
 */
import type { FunctionConfig, HttpTrigger, Origin } from '../discovery/functionConfig';
import { safeDecode } from './httpMessage';

export type HttpRouteKind = 'rest' | 'http' | 'alb' | 'url' | 'websocket';

export interface HttpRoute {
  functionName: string;
  kind: HttpRouteKind;
  /** Upper case; `ANY` matches every method. */
  method: string;
  /** The route's path template (`/orders/{id}`, `/{proxy+}`, `$default`, an ALB pattern, or `/` for a URL). */
  path: string;
  trigger: HttpTrigger;
  origin?: Origin;
}

/** Where function URLs live on the front. */
export const FUNCTION_URL_PREFIX = '/lambda-url/';

/** The routes of the workspace's functions, in declaration order (authorizer triggers are not routes). */
export function routeTable(functions: readonly FunctionConfig[]): HttpRoute[] {
  const routes: HttpRoute[] = [];
  for (const fn of functions) {
    fn.triggers.forEach((trigger, i) => {
      if (trigger.kind !== 'api' || !trigger.enabled || trigger.authorizer) return;
      // A function has one URL: FunctionUrlConfig and the AWS::Lambda::Url SAM makes of it are the same one.
      if (trigger.api === 'url' && routes.some((r) => r.kind === 'url' && r.functionName === fn.name)) return;
      const origin = fn.origins[`triggers.${i}`];
      routes.push({
        functionName: fn.name,
        kind: trigger.api,
        method: (trigger.method || 'ANY').toUpperCase(),
        path: trigger.path || '/',
        trigger,
        ...(origin ? { origin } : {}),
      });
    });
  }
  return routes;
}

export interface RouteMatch {
  route: HttpRoute;
  /** API Gateway: the values of the route's `{name}` and `{name+}` segments, decoded. */
  pathParameters: Record<string, string>;
  /** The path the function sees: the request's, or for a function URL what follows its prefix. */
  path: string;
}

type Segment = { type: 'literal'; text: string } | { type: 'param'; name: string } | { type: 'greedy'; name: string };

function segmentsOf(template: string): Segment[] {
  return template
    .split('/')
    .filter((s) => s !== '')
    .map((s): Segment => {
      const m = /^\{([^}+]+)(\+)?\}$/.exec(s);
      if (!m) return { type: 'literal', text: s };
      return m[2] ? { type: 'greedy', name: m[1] } : { type: 'param', name: m[1] };
    });
}

const RANK = { literal: 2, param: 1, greedy: 0 } as const;

/**
 * HTTP-1: API Gateway's route selection. A path template matches segment by segment (`{name}` one segment,
 * `{name+}` the rest, at least one); the most specific match wins: literal segments over parameters over greedy
 * ones, left to right; then a route of the request's own method over `ANY`. `$default` (HTTP APIs) matches every
 * request no other route does.
 */
function matchTemplate(
  template: string,
  pathSegments: string[],
): { params: Record<string, string>; rank: number[] } | undefined {
  const segments = segmentsOf(template);
  const params: Record<string, string> = {};
  const rank: number[] = [];
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i];
    if (s.type === 'greedy') {
      if (i !== segments.length - 1 || pathSegments.length <= i) return undefined;
      params[s.name] = pathSegments.slice(i).map(safeDecode).join('/');
      rank.push(RANK.greedy);
      return { params, rank };
    }
    const actual = pathSegments[i];
    if (actual === undefined) return undefined;
    if (s.type === 'literal') {
      if (s.text !== actual && safeDecode(s.text) !== safeDecode(actual)) return undefined;
    } else params[s.name] = safeDecode(actual);
    rank.push(RANK[s.type]);
  }
  return pathSegments.length === segments.length ? { params, rank } : undefined;
}

function compareRank(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? -1) - (b[i] ?? -1);
    if (d !== 0) return d;
  }
  return 0;
}

/** ALB path patterns: case-sensitive, `*` any run of characters, `?` exactly one. */
export function albPatternMatches(pattern: string, path: string): boolean {
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    's',
  );
  return re.test(path);
}

const methodMatches = (route: HttpRoute, method: string) => route.method === 'ANY' || route.method === method;

/** The route a request goes to, or undefined (the front answers 404 or 403 as the integration would). */
export function matchRoute(routes: readonly HttpRoute[], method: string, requestPath: string): RouteMatch | undefined {
  if (requestPath.startsWith(FUNCTION_URL_PREFIX)) {
    const rest = requestPath.slice(FUNCTION_URL_PREFIX.length);
    const slash = rest.indexOf('/');
    const name = safeDecode(slash < 0 ? rest : rest.slice(0, slash));
    const route = routes.find((r) => r.kind === 'url' && r.functionName === name);
    return route ? { route, pathParameters: {}, path: slash < 0 ? '/' : rest.slice(slash) } : undefined;
  }
  const pathSegments = requestPath.split('/').filter((s) => s !== '');
  let best: { match: RouteMatch; rank: number[]; exactMethod: boolean } | undefined;
  for (const route of routes) {
    if ((route.kind !== 'rest' && route.kind !== 'http') || route.path === '$default' || !methodMatches(route, method))
      continue;
    const m = matchTemplate(route.path, pathSegments);
    if (!m) continue;
    const exactMethod = route.method === method;
    const better =
      !best ||
      compareRank(m.rank, best.rank) > 0 ||
      (compareRank(m.rank, best.rank) === 0 && exactMethod && !best.exactMethod);
    if (better) best = { match: { route, pathParameters: m.params, path: requestPath }, rank: m.rank, exactMethod };
  }
  if (best) return best.match;
  const fallback = routes.find((r) => r.kind === 'http' && r.path === '$default' && methodMatches(r, method));
  if (fallback) return { route: fallback, pathParameters: {}, path: requestPath };
  // ALB: rules in priority order (lowest first), then as declared.
  const alb = routes
    .map((route, index) => ({ route, index }))
    .filter(({ route }) => route.kind === 'alb')
    .sort(
      (a, b) =>
        (a.route.trigger.priority ?? Number.MAX_SAFE_INTEGER) - (b.route.trigger.priority ?? Number.MAX_SAFE_INTEGER) ||
        a.index - b.index,
    )
    .find(({ route }) => methodMatches(route, method) && albPatternMatches(route.path, requestPath));
  return alb ? { route: alb.route, pathParameters: {}, path: requestPath } : undefined;
}

/** Routes whose path matches the request whatever its method (CORS preflights, 403 vs 404). */
export function routesForPath(routes: readonly HttpRoute[], requestPath: string): HttpRoute[] {
  if (requestPath.startsWith(FUNCTION_URL_PREFIX)) {
    const m = matchRoute(routes, 'ANY', requestPath);
    return m ? [m.route] : [];
  }
  const pathSegments = requestPath.split('/').filter((s) => s !== '');
  return routes.filter((r) => {
    if (r.kind === 'url' || r.kind === 'websocket') return false;
    if (r.kind === 'alb') return albPatternMatches(r.path, requestPath);
    if (r.path === '$default') return true;
    return matchTemplate(r.path, pathSegments) !== undefined;
  });
}

/** The path a client requests for a route: parameters shown as written (`/orders/{id}`). */
export function routeUrlPath(route: HttpRoute): string {
  if (route.kind === 'url') return `${FUNCTION_URL_PREFIX}${encodeURIComponent(route.functionName)}/`;
  if (route.kind === 'websocket') return webSocketApiPath(route.trigger);
  if (route.path === '$default') return '/';
  return route.path.startsWith('/') ? route.path : `/${route.path}`;
}

/** WS-1: where a WebSocket API accepts connections on the front: `/<API logical id>/<stage>`. */
export function webSocketApiPath(trigger: Pick<HttpTrigger, 'apiId' | 'stage'>): string {
  return `/${encodeURIComponent(trigger.apiId ?? 'WebSocketApi')}/${encodeURIComponent(trigger.stage ?? 'production')}`;
}
