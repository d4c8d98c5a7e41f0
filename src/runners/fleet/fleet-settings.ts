import { integer } from '../aws/details';

/** How a runner acts on fleets: its `config` keys (defaults in parentheses). */
export interface FleetSettings {
  /** A selector matching more resources acts on none (`maxResources`, 1000). */
  maxResources: number;
  /** Ids per call where the API takes several: EC2 start/stop/reboot (`batchSize`, 50). */
  batchSize: number;
  /** Calls acting at once, per run (`actConcurrency`, 4). */
  actConcurrency: number;
  /** The tag that snoozes one resource (`skipTag`, "minion:skip"). */
  skipTag: string;
}

export const FLEET_CONFIG_KEYS = ['maxResources', 'batchSize', 'actConcurrency', 'skipTag'];
export const MAX_FLEET = 5000;

export const FLEET_DEFAULTS: FleetSettings = {
  maxResources: 1000,
  batchSize: 50,
  actConcurrency: 4,
  skipTag: 'minion:skip',
};

/** The fleet keys of a runner's `config`; throws naming a bad one. */
export function fleetSettings(config: Record<string, unknown> = {}): FleetSettings {
  const out = { ...FLEET_DEFAULTS };
  const number = (key: 'maxResources' | 'batchSize' | 'actConcurrency', max: number) => {
    const v = config[key];
    if (v === undefined) return;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > max) {
      throw new Error(`${key}: ${JSON.stringify(v)} must be an integer from 1 to ${max}`);
    }
    out[key] = v;
  };
  number('maxResources', MAX_FLEET);
  number('batchSize', 1000);
  number('actConcurrency', 64);
  const tag = config.skipTag;
  if (tag !== undefined) {
    if (typeof tag !== 'string' || tag.length < 1 || tag.length > 128) {
      throw new Error(`skipTag: ${JSON.stringify(tag)} must be a tag key of 1-128 characters`);
    }
    out.skipTag = tag;
  }
  return out;
}

/** The job's own limit (`max_resources`), within the runner's. */
export function jobMaxResources(details: Record<string, string>, runner: FleetSettings): number {
  return integer(details, 'max_resources', 1, MAX_FLEET, runner.maxResources);
}
