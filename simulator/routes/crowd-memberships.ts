import type { Request, Response } from 'express';
import type { SimulatorContext } from '../simulator-context.js';

/*
 * Crowd's `GET /rest/usermanagement/1/group/membership` (Crowd REST 1.1+): every group with its
 * direct user members and nested groups, in XML only (Crowd has no JSON form of it). The
 * simulator has no nested groups, so each `<groups>` is empty. Written group by group, so a
 * large directory streams as Crowd's does.
 */

function xmlAttribute(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;');
}

export function groupMemberships(context: SimulatorContext, req: Request, res: Response): void {
  if (!context.crowdGroupMemberships) {
    // Crowd REST before 1.1 has no such resource.
    res.status(404).type('text/html').send('<html><body>Not Found</body></html>');
    return;
  }
  if (!req.accepts('application/xml')) {
    res.status(406).json({ reason: 'NOT_ACCEPTABLE', message: 'group memberships are served as XML only' });
    return;
  }
  const store = context.world.store;
  res.status(200).type('application/xml; charset=utf-8');
  res.write('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<memberships>');
  store.groupNames.forEach((group, groupId) => {
    const users = Array.from(
      store.membersOf(groupId),
      (index) => `<user name="${xmlAttribute(store.name(index))}"/>`,
    ).join('');
    res.write(
      `<membership group="${xmlAttribute(group)}"><users>${users}</users><groups></groups></membership>`,
    );
  });
  res.end('</memberships>\n');
}
