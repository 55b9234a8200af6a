import { z } from 'zod';
import { openApiPath, type ApiRoute } from './route-registry.js';

/*
 * Reclaim's OpenAPI 3.1 document, generated from the route registry: the same zod schemas that
 * validate a request describe it here (z.toJSONSchema, the input side of each schema), so the
 * document cannot drift from what the API accepts.
 */

const errorEnvelope = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.unknown().optional(),
    requestId: z.string().optional(),
  }),
});

function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
    target: 'draft-2020-12',
  }) as Record<string, unknown>;
  return rest;
}

function parameters(route: ApiRoute): unknown[] {
  const out: unknown[] = [];
  for (const name of route.path.match(/:([A-Za-z0-9_]+)/g) ?? []) {
    const key = name.slice(1);
    const schema = route.params?.shape[key] as z.ZodType | undefined;
    out.push({
      name: key,
      in: 'path',
      required: true,
      schema: schema ? jsonSchema(schema) : { type: 'string' },
    });
  }
  if (route.query) {
    const object = jsonSchema(route.query) as { properties?: Record<string, unknown>; required?: string[] };
    for (const [name, schema] of Object.entries(object.properties ?? {})) {
      out.push({ name, in: 'query', required: object.required?.includes(name) ?? false, schema });
    }
  }
  return out;
}

const ERROR_RESPONSES: Record<string, string> = {
  '400': 'Bad input: the message and details name the field',
  '401': 'No valid API token (Authorization: Bearer …)',
  '403': 'The token lacks the role this route needs',
  '404': 'No such resource',
  '405': 'The path exists, with other methods (see Allow)',
  '413': 'The body is larger than 1 MB',
};

function operation(route: ApiRoute): Record<string, unknown> {
  const responses: Record<string, unknown> = {};
  for (const [status, response] of Object.entries(route.responses)) {
    const contentType = response.contentType ?? 'application/json';
    responses[status] = {
      description: response.description,
      content: { [contentType]: response.schema ? { schema: jsonSchema(response.schema) } : {} },
    };
  }
  for (const [status, description] of Object.entries(ERROR_RESPONSES)) {
    if (route.role === null && (status === '401' || status === '403')) continue;
    if (!route.body && status === '413') continue;
    responses[status] ??= {
      description,
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    };
  }
  return {
    summary: route.summary,
    operationId: `${route.method}${route.path.replace(/[/:.]+(\w)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase())}`,
    ...(route.tags ? { tags: route.tags } : {}),
    ...(route.role === null ? { security: [] } : { 'x-reclaim-role': route.role }),
    parameters: parameters(route),
    ...(route.body
      ? {
          requestBody: {
            required: false,
            content: { 'application/json': { schema: jsonSchema(route.body) } },
          },
        }
      : {}),
    responses,
  };
}

export function openApiDocument(routes: readonly ApiRoute[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = `/api${openApiPath(route.path)}`;
    (paths[path] ??= {})[route.method] = operation(route);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Reclaim API',
      version,
      description:
        'Runs, plans, approvals, undo and the audit log of Reclaim. Roles: viewer < operator < admin.',
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: { Error: jsonSchema(errorEnvelope) },
    },
  };
}
