import { Router } from 'express';
import { JiraError } from '../jira-error.js';
import { stringParam } from '../query-params.js';
import type { SimulatorContext } from '../simulator-context.js';
import { userBean } from '../user-json.js';

const ADMIN_NAME = 'admin';

const GLOBAL_PERMISSIONS: Record<string, { id: string; name: string; description: string }> = {
  ADMINISTER: {
    id: '0',
    name: 'Jira Administrators',
    description: 'Ability to perform most administration functions.',
  },
  SYSTEM_ADMIN: {
    id: '44',
    name: 'Jira System Administrators',
    description: 'Ability to perform all administration functions.',
  },
  USER_PICKER: {
    id: '27',
    name: 'Browse users and groups',
    description: 'Ability to select a user or group from a popup window.',
  },
};

/** serverInfo, myself and mypermissions: what a client asks first to learn where it is and who it is. */
export function serverInfoRoutes(context: SimulatorContext): Router {
  const router = Router();

  router.get('/rest/api/2/serverInfo', (_req, res) => {
    const traits = context.traits;
    res.json({
      baseUrl: context.baseUrl,
      version: traits.version,
      versionNumbers: traits.versionNumbers,
      // What Jira Data Center reports too: "DataCenter" is not a value it sends.
      deploymentType: 'Server',
      buildNumber: traits.buildNumber,
      buildDate: '2026-01-15T00:00:00.000+0000',
      serverTime: new Date().toISOString().replace('Z', '+0000'),
      scmInfo: 'simulator',
      serverTitle: 'Jira (Reclaim simulator)',
    });
  });

  router.get('/rest/api/2/myself', (_req, res) => {
    const index = context.world.store.indexOfName(ADMIN_NAME);
    if (index !== undefined) {
      res.json(userBean(context, index));
      return;
    }
    // A fixture without an admin user: the caller still is the instance's administrator.
    res.json({
      self: `${context.baseUrl}/rest/api/2/user?username=${ADMIN_NAME}`,
      key: ADMIN_NAME,
      name: ADMIN_NAME,
      emailAddress: 'admin@example.com',
      avatarUrls: {},
      displayName: 'Administrator',
      active: true,
      deleted: false,
      timeZone: 'UTC',
      locale: 'en_US',
      groups: { size: 1, items: [] },
      applicationRoles: { size: 1, items: [] },
      expand: 'groups,applicationRoles',
    });
  });

  router.get('/rest/api/2/mypermissions', (req, res) => {
    // Without `permissions`, Jira answers every permission of the caller.
    const requested = stringParam(req, 'permissions') ?? Object.keys(GLOBAL_PERMISSIONS).join(',');
    const permissions: Record<string, unknown> = {};
    for (const key of requested
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean)) {
      const known = GLOBAL_PERMISSIONS[key];
      if (!known) throw new JiraError(404, [`No permission with key ${key} found.`]);
      permissions[key] = { ...known, key, type: 'GLOBAL', havePermission: true };
    }
    res.json({ permissions });
  });

  return router;
}
