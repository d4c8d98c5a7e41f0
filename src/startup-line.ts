import { AddressInfo } from 'node:net';
import { MinionSettings } from './config/settings';

/**
 * One line that says where minion listens and how it runs, without secrets: what an operator
 * looks for first in the log.
 */
export function startupLine(
  config: MinionSettings,
  repository: string,
  address: AddressInfo,
): string {
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const queue =
    config.coordination.backend.type === 'redis'
      ? 'redis (several replicas)'
      : 'memory (one process)';
  const log = config.runLog.store.type;
  const accounts = Object.keys(config.accounts);
  const runners = Object.entries(config.runners.runners).map(
    ([name, def]) => `${name} (${def.type})`,
  );
  return (
    `minion listening on http://${host}:${address.port}/v1/minion: org ${config.org}, ` +
    `repository ${repository}, queue ${queue}, run log ${log}, ` +
    `accounts ${accounts.join(', ') || 'none'}, runners ${runners.join(', ') || 'none'}, ` +
    `console ${config.console.enabled ? '/v1/minion/ui/' : 'off'}`
  );
}
