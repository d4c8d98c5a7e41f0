import { registerDecorator } from 'class-validator';

/** Service names Go's listener resolves, for the few a config is likely to hold. */
const NAMED_PORTS: Record<string, number> = { http: 80, https: 443, 'http-alt': 8080 };

export interface Listen {
  /** undefined: every interface, as Go's ":8080" (and "[::]:8080", "0.0.0.0" on dual stack). */
  host?: string;
  port: number;
}

/**
 * The original's `listenAddress` in the forms Go's net.Listen took: `:8080`, `0.0.0.0:8080`,
 * `[::]:8080`, `localhost:8080`, `[::1]:8080`, a service name (`:http`). Empty means `:8080`,
 * the original's default. Returns null when it is none of them.
 */
export function parseListenAddress(text: string): Listen | null {
  if (text === '') return { port: 8080 };
  const colon = text.lastIndexOf(':');
  if (colon < 0) return null;
  let host = text.slice(0, colon);
  const portText = text.slice(colon + 1);
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : NAMED_PORTS[portText];
  if (port === undefined || port > 65535) return null;
  if (host.startsWith('[')) {
    if (!host.endsWith(']')) return null;
    host = host.slice(1, -1);
  } else if (host.includes(':')) {
    return null; // IPv6 needs brackets
  }
  if (!/^[A-Za-z0-9.:%_-]*$/.test(host)) return null;
  // Go listens on every address for "", "0.0.0.0" and "::" alike (dual stack).
  const everywhere = host === '' || host === '0.0.0.0' || host === '::';
  return everywhere ? { port } : { host, port };
}

export function ListenAddress(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'listenAddress',
      target: target.constructor,
      propertyName: propertyName as string,
      options: {
        message:
          '$property must be [host]:port, such as ":8080", "0.0.0.0:8080", "[::]:8080" or "localhost:8080"',
      },
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' && parseListenAddress(value) !== null,
      },
    });
}
