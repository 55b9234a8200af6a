import { stateKey } from '../../queues/connection.js';

/*
 * The licence monitor's Redis key: `licence-alert:{application}`, the alert state of one
 * application (above the threshold or not, when it last alerted). Refreshed by every check,
 * it expires when checks stop (at least a day after the cooldown).
 */
export function licenceAlertKey(prefix: string, application: string): string {
  return stateKey(prefix, 'licence-alert', application);
}
