import type { Payload } from '../../queues/payloads.js';

/** One user handed from the scan to the evaluate stage: the evaluate job's payload. */
export type EvaluationRequest = Payload<'evaluate-user'>;
