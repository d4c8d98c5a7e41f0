import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface VersionInfo {
  version: string;
  githash: string;
  buildstamp: string;
}

/** The project root: the nearest directory above this file holding package.json. */
function projectRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

let cached: VersionInfo | undefined;

/** package.json's version plus the build info `npm run build` writes, read once. */
export function versionInfo(): VersionInfo {
  if (cached) return cached;
  const root = projectRoot();
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  const infoPath = join(root, 'dist', 'build-info.json');
  const info = existsSync(infoPath)
    ? (JSON.parse(readFileSync(infoPath, 'utf8')) as Partial<VersionInfo>)
    : {};
  cached = {
    version: pkg.version,
    githash: process.env.MINION_GITHASH ?? info.githash ?? 'unknown',
    buildstamp: process.env.MINION_BUILDSTAMP ?? info.buildstamp ?? 'unknown',
  };
  return cached;
}
