import * as z from 'zod/mini';

/** One rule of an organization: event-type patterns and the queue they go to. */
export interface Route {
  readonly events: readonly string[];
  readonly queue: string;
}

/** Organization id to its rules, and the queue for events no rule matches. */
export interface RoutingTable {
  readonly organizations: Readonly<Record<string, readonly Route[]>>;
  readonly unrouted?: string | undefined;
}

/** Where one event goes: every matching queue once, or the unrouted fallback. */
export interface RouteResult {
  readonly queues: readonly string[];
  readonly matched: boolean;
}

/** Routes a verified event by its envelope's organization and type. */
export type Router = (organizationId: number, type: string) => RouteResult;

interface CompiledRoute {
  readonly pattern: RegExp;
  readonly queue: string;
}

/**
 * Turns an event pattern into an anchored expression: `*` matches any run of
 * characters, dots included, and every other character stands for itself.
 */
export function compilePattern(pattern: string): RegExp {
  const parts = pattern.split('*').map(escapeRegExp);
  return new RegExp(`^${parts.join('.*')}$`);
}

/** Compiles a routing table once, so routing an event is a few regex tests. */
export function createRouter(table: RoutingTable): Router {
  const compiled = new Map<string, CompiledRoute[]>();
  for (const [id, routes] of Object.entries(table.organizations)) {
    compiled.set(id, routes.flatMap(compileRoute));
  }

  const fallback = table.unrouted === undefined ? [] : [table.unrouted];

  return (organizationId, type) => {
    const routes = compiled.get(String(organizationId)) ?? [];
    const queues = new Set<string>();
    for (const route of routes) {
      if (route.pattern.test(type)) {
        queues.add(route.queue);
      }
    }

    if (queues.size === 0) {
      return { queues: fallback, matched: false };
    }

    return { queues: [...queues], matched: true };
  };
}

function compileRoute(route: Route): CompiledRoute[] {
  return route.events.map((event) => ({
    pattern: compilePattern(event),
    queue: route.queue,
  }));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const routeSchema = z.object({
  events: z.array(z.string()),
  queue: z.string(),
});
const routingTableSchema = z.object({
  organizations: z.record(z.string(), z.array(routeSchema)),
  unrouted: z.optional(z.string()),
});

/** Checks a routing table read from a file, failing with the bad key named. */
export function parseRoutingTable(json: unknown): RoutingTable {
  const result = routingTableSchema.safeParse(json);
  if (!result.success) {
    const paths = result.error.issues.map((issue) => issue.path.join('.'));
    throw new Error(`routing table is invalid at: ${paths.join(', ')}`);
  }

  return result.data;
}
