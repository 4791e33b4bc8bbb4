import type { AppDeps } from '../handlers/types.js';
import type { JobDef } from './job.js';

/** Every scheduled job of this deployment, configured from `deps.config`. */
export function buildJobs(_deps: AppDeps): JobDef[] {
  return [];
}
