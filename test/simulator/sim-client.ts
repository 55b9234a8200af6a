/* Small HTTP helpers for the simulator tests: real requests over loopback with fetch. */

export const BEARER = { authorization: 'Bearer sim-token' };
export const BASIC_ADMIN = { authorization: `Basic ${Buffer.from('admin:admin').toString('base64')}` };
/** The simulator's default Jira User Server application, the only caller Crowd REST answers. */
export const CROWD_APP = {
  authorization: `Basic ${Buffer.from('reclaim:reclaim-secret').toString('base64')}`,
};

export interface JsonResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

export async function call<T = unknown>(
  baseUrl: string,
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<JsonResponse<T>> {
  const response = await fetch(baseUrl + path, {
    method,
    headers: {
      ...BEARER,
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...options.headers,
    },
    body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: (text ? JSON.parse(text) : undefined) as T,
  };
}

export const get = <T = unknown>(baseUrl: string, path: string, headers?: Record<string, string>) =>
  call<T>(baseUrl, 'GET', path, { headers });

export interface UserBeanLike {
  name: string;
  key: string;
  active: boolean;
  displayName: string;
  emailAddress: string;
  lastLoginTime?: string;
  directoryId?: unknown;
  groups?: { size: number; items: { name: string; self: string }[] };
  applicationRoles?: { size: number; items: { key: string; name: string }[] };
}

export type { SimUserState as UserState } from '../support/sim-hooks.js';
