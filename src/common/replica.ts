import { hostname } from 'node:os';

/** This process, as run records, logs and alerts name it: `<host>:<pid>`. */
export const REPLICA = `${hostname()}:${process.pid}`;
