/**
 * The reference of `bench:api`: a bare Express hello-world, the same Express the app runs on,
 * nothing else (no auth, no validation, no logging). Listens on $PORT (default: one the system
 * chooses) and prints its port on stdout.
 */
import express from 'express';

const app = express();
app.get('/hello', (_req, res) => {
  res.json({ hello: 'world' });
});
const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  console.log(typeof address === 'object' && address ? address.port : 0);
});
