import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The operator console, built into dist/ui (beside the compiled server, which serves it under
 * /v1/minion/ui/). Relative asset URLs (`base: './'`), no inline script or style (the server's
 * Content-Security-Policy allows neither), no source maps shipped.
 */
const here = dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root: here,
  base: './',
  publicDir: resolve(here, 'public'),
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: resolve(here, '..', 'dist', 'ui'),
    emptyOutDir: true,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    target: 'es2022',
    reportCompressedSize: true,
  },
});
