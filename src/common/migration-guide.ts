/** Where the differences from the Go service, and what to change for each, are written down. */
export const MIGRATION_GUIDE = 'docs/migrating-from-go.md';
