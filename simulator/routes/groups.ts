import { Router, type Request } from 'express';
import { JiraError } from '../jira-error.js';
import { boolParam, intParam, stringParam } from '../query-params.js';
import type { SimulatorContext } from '../simulator-context.js';
import { groupSelf, userJsonBean } from '../user-json.js';
import type { UserStore } from '../user-store.js';

/**
 * Jira DC's page cap for /group/member is not documented; 50 (Cloud's documented cap) keeps
 * clients honest about paging.
 */
const MEMBER_PAGE_CAP = 50;

function groupFromQuery(req: Request, store: UserStore): number {
  const groupname = stringParam(req, 'groupname');
  if (!groupname) throw new JiraError(400, ['A group name must be provided.']);
  const groupId = store.groupIdOf(groupname);
  if (groupId === undefined) throw new JiraError(404, [`The group '${groupname}' does not exist.`]);
  return groupId;
}

/** GroupBean, with the member list left unexpanded as Jira does by default. */
function groupBean(context: SimulatorContext, groupName: string, memberCount: number) {
  return {
    name: groupName,
    self: groupSelf(context, groupName),
    users: { size: memberCount, items: [] as unknown[], 'max-results': 50, 'start-index': 0, 'end-index': 0 },
    expand: 'users',
  };
}

/** `expand=users[a:b]` (both ends included, at most 50), `expand=users` = `users[0:49]`; else undefined. */
function usersRange(expand: string | undefined): { start: number; end: number } | undefined {
  for (const part of (expand ?? '').split(',')) {
    const match = /^users(?:\[(\d+):(\d+)\])?$/.exec(part.trim());
    if (!match) continue;
    const start = match[1] === undefined ? 0 : Number(match[1]);
    const end = match[2] === undefined ? MEMBER_PAGE_CAP - 1 : Number(match[2]);
    return { start, end: Math.min(end, start + MEMBER_PAGE_CAP - 1) };
  }
  return undefined;
}

/** Group membership: list members, add a user, remove a user. */
export function groupRoutes(context: SimulatorContext): Router {
  const router = Router();

  // The target of every group `self` link: the group with its member count (members via /group/member).
  // Jira 9's group resource, with its members paged by `expand=users[a:b]`; Jira 10 removed it.
  router.get('/rest/api/2/group', (req, res, next) => {
    if (!context.traits.hasGroupResource) {
      next();
      return;
    }
    const store = context.world.store;
    const groupId = groupFromQuery(req, store);
    const members = store.membersOf(groupId);
    const bean = groupBean(context, store.groupNames[groupId] as string, members.length);
    const range = usersRange(stringParam(req, 'expand'));
    if (range) {
      const page = members.slice(range.start, range.end + 1);
      bean.users = {
        size: members.length,
        items: Array.from(page, (index) => userJsonBean(context, index)),
        'max-results': MEMBER_PAGE_CAP,
        'start-index': range.start,
        'end-index': page.length > 0 ? range.start + page.length - 1 : range.start,
      };
    }
    res.json(bean);
  });

  router.get('/rest/api/2/group/member', (req, res) => {
    const store = context.world.store;
    const groupId = groupFromQuery(req, store);
    const includeInactive = boolParam(req, 'includeInactiveUsers', false);
    const startAt = intParam(req, 'startAt', 0);
    const maxResults = Math.min(intParam(req, 'maxResults', MEMBER_PAGE_CAP), MEMBER_PAGE_CAP);
    if (startAt < 0) throw JiraError.fieldError(400, 'startAt', 'startAt must not be negative');
    if (maxResults < 0) throw JiraError.fieldError(400, 'maxResults', 'maxResults must not be negative');

    const members = store.membersOf(groupId);
    const values: Record<string, unknown>[] = [];
    let total = 0;
    if (includeInactive) {
      // Every member counts: the page is a slice, not a walk of the whole group (a group of a
      // million members is listed in 20,000 pages).
      total = members.length;
      for (const index of members.subarray(startAt, startAt + maxResults)) {
        values.push(userJsonBean(context, index));
      }
    } else {
      for (const index of members) {
        if (!store.isActive(index)) continue;
        if (total >= startAt && values.length < maxResults) values.push(userJsonBean(context, index));
        total++;
      }
    }
    const groupName = store.groupNames[groupId] as string;
    res.json({
      self:
        `${context.baseUrl}/rest/api/2/group/member?groupname=${encodeURIComponent(groupName)}` +
        `&includeInactiveUsers=${includeInactive}&startAt=${startAt}&maxResults=${maxResults}`,
      ...(startAt + values.length < total
        ? {
            nextPage:
              `${context.baseUrl}/rest/api/2/group/member?groupname=${encodeURIComponent(groupName)}` +
              `&includeInactiveUsers=${includeInactive}&startAt=${startAt + values.length}&maxResults=${maxResults}`,
          }
        : {}),
      maxResults,
      startAt,
      total,
      isLast: startAt + values.length >= total,
      values,
    });
  });

  router.post('/rest/api/2/group/user', (req, res) => {
    const store = context.world.store;
    const groupId = groupFromQuery(req, store);
    const body = req.body as { name?: unknown } | undefined;
    const username = typeof body?.name === 'string' ? body.name : undefined;
    if (!username) throw JiraError.fieldError(400, 'name', 'A user name must be provided.');
    const index = store.indexOfName(username);
    if (index === undefined) throw new JiraError(404, [`The user named '${username}' does not exist`]);
    const groupName = store.groupNames[groupId] as string;
    context.changeFaults.admit(index, `adding ${store.name(index)} to ${groupName}`);
    if (!store.addToGroup(index, groupId)) {
      throw new JiraError(400, [
        `Cannot add user. '${store.name(index)}' already belongs to the group '${groupName}'.`,
      ]);
    }
    res.status(201).json(groupBean(context, groupName, store.membersOf(groupId).length));
  });

  router.delete('/rest/api/2/group/user', (req, res) => {
    const store = context.world.store;
    const groupId = groupFromQuery(req, store);
    const username = stringParam(req, 'username');
    if (!username) throw JiraError.fieldError(400, 'username', 'A user name must be provided.');
    const index = store.indexOfName(username);
    if (index === undefined) throw new JiraError(404, [`The user named '${username}' does not exist`]);
    context.changeFaults.admit(index, `removing ${store.name(index)} from ${store.groupNames[groupId]}`);
    if (!store.removeFromGroup(index, groupId)) {
      throw new JiraError(400, [
        `Cannot remove user. '${store.name(index)}' is not a member of the group '${store.groupNames[groupId]}'.`,
      ]);
    }
    res.status(200).end();
  });

  return router;
}
