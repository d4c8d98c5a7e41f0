/*
 * Runs s3rver (a real S3 protocol server) for the tests, in its own process. Arguments: data
 * directory, bucket, port (0: any), and an optional per-request delay in ms (benchmarks). Started by
 * s3-server.ts with --openssl-legacy-provider: s3rver 3.7 makes its ListObjectsV2 continuation
 * tokens with DES, which OpenSSL 3 disables by default. Prints {"port": N} once listening.
 *
 * It also answers S3's conditional PUT (If-None-Match: *, If-Match: <ETag>), which S3 gained in
 * 2024 and s3rver predates, with S3's documented codes: 412 PreconditionFailed when the condition
 * fails, 404 NoSuchKey for If-Match on a missing key. Checks and writes are serialized per key.
 */
'use strict';
const S3rver = require('s3rver');

const [directory, bucket, port, latencyMs] = process.argv.slice(2);

const tails = new Map();
function locked(key, section) {
  const previous = tails.get(key) || Promise.resolve();
  const current = previous.then(section, section);
  const tail = current.catch(() => undefined);
  tails.set(key, tail);
  return current.finally(() => {
    if (tails.get(key) === tail) tails.delete(key);
  });
}

function s3Error(ctx, status, code, message) {
  ctx.status = status;
  ctx.type = 'application/xml';
  ctx.body = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`;
}

async function conditionalPut(ctx, next) {
  const ifMatch = ctx.get('if-match');
  const ifNoneMatch = ctx.get('if-none-match');
  if (ctx.method !== 'PUT' || (!ifMatch && !ifNoneMatch) || ctx.get('x-amz-copy-source'))
    return next();
  const [, bucketName, ...rest] = ctx.path.split('/').map(decodeURIComponent);
  const key = rest.join('/');
  return locked(`${bucketName}/${key}`, async () => {
    const etag = await ctx.store.getMetadata(bucketName, key).then(
      (m) => m.etag,
      () => null,
    );
    if (ifMatch && etag === null)
      return s3Error(ctx, 404, 'NoSuchKey', 'The specified key does not exist.');
    if ((ifNoneMatch === '*' && etag !== null) || (ifMatch && ifMatch !== etag)) {
      return s3Error(
        ctx,
        412,
        'PreconditionFailed',
        'At least one of the pre-conditions you specified did not hold',
      );
    }
    return next();
  });
}

const server = new S3rver({
  address: '127.0.0.1',
  port: Number(port) || 0,
  silent: true,
  directory,
  configureBuckets: [{ name: bucket }],
});
server.middleware.unshift(conditionalPut);
// Benchmarks only: answer each request after a fixed delay, standing in for S3's network latency.
if (Number(latencyMs) > 0) {
  server.middleware.unshift((ctx, next) =>
    new Promise((r) => setTimeout(r, Number(latencyMs))).then(next),
  );
}
server.run().then(
  (address) => process.stdout.write(JSON.stringify({ port: address.port }) + '\n'),
  (err) => {
    process.stderr.write(`s3rver failed to start: ${err.message}\n`);
    process.exit(1);
  },
);
process.on('SIGTERM', () => process.exit(0));
