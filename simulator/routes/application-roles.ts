import { Router } from 'express';
import { JiraError } from '../jira-error.js';
import { stringParam } from '../query-params.js';
import type { SimulatorContext } from '../simulator-context.js';
import type { ApplicationRole } from '../user-store.js';
import { userFromQuery } from './user-lookup.js';

function roleBean(context: SimulatorContext, role: ApplicationRole): Record<string, unknown> {
  const store = context.world.store;
  const userCount = store.roleUserCount(role);
  const unlimited = role.numberOfSeats === -1;
  const groupName = (id: number) => store.groupNames[id] as string;
  return {
    key: role.key,
    groups: role.groupIds.map(groupName),
    name: role.name,
    defaultGroups: role.defaultGroupIds.map(groupName),
    selectedByDefault: role.selectedByDefault,
    defined: true,
    numberOfSeats: role.numberOfSeats,
    remainingSeats: unlimited ? -1 : role.numberOfSeats - userCount,
    userCount,
    userCountDescription: role.key === 'jira-servicedesk' ? `${userCount} agents` : `${userCount} users`,
    hasUnlimitedSeats: unlimited,
    platform: role.platform,
  };
}

function roleFromQuery(context: SimulatorContext, key: string | undefined): ApplicationRole {
  const role = key === undefined ? undefined : context.world.store.roleOf(key);
  if (!role) throw JiraError.fieldError(400, 'applicationKey', `Application '${key ?? ''}' is not defined.`);
  return role;
}

/** Application roles (seat counts), and granting or revoking one role for one user. */
export function applicationRoleRoutes(context: SimulatorContext): Router {
  const router = Router();

  router.get('/rest/api/2/applicationrole', (_req, res) => {
    res.json(context.world.store.roles.map((role) => roleBean(context, role)));
  });

  router.get('/rest/api/2/applicationrole/:key', (req, res) => {
    const role = context.world.store.roleOf(req.params.key);
    if (!role)
      throw new JiraError(404, [`The application role with key '${req.params.key}' does not exist.`]);
    res.json(roleBean(context, role));
  });

  // Granting access is joining the role's default groups.
  router.post('/rest/api/2/user/application', (req, res) => {
    const store = context.world.store;
    const role = roleFromQuery(context, stringParam(req, 'applicationKey'));
    const index = userFromQuery(req, store);
    context.changeFaults.admit(index, `granting ${role.key} to ${store.name(index)}`);
    for (const groupId of role.defaultGroupIds) store.addToGroup(index, groupId);
    res.status(200).end();
  });

  // Revoking access is leaving every group of the role.
  router.delete('/rest/api/2/user/application', (req, res) => {
    const store = context.world.store;
    const role = roleFromQuery(context, stringParam(req, 'applicationKey'));
    const index = userFromQuery(req, store);
    context.changeFaults.admit(index, `revoking ${role.key} from ${store.name(index)}`);
    for (const groupId of role.groupIds) store.removeFromGroup(index, groupId);
    res.status(204).end();
  });

  return router;
}
