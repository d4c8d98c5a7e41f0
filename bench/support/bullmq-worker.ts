/**
 * A worker of the BullMQ reference in bench:distributed, in its own process: a bare BullMQ Worker
 * (concurrency 16, as a minion replica) whose processor only notes when it started each job.
 * Env: REF_PREFIX, REF_QUEUE. Messages in: {report: true} -> {starts: [[jobId, scheduledMs, epochMs]]}.
 */
import { Worker } from 'bullmq';

const starts: [string, number, number][] = [];

const worker = new Worker(
  process.env.REF_QUEUE ?? 'reference',
  async (job) => {
    // Job scheduler iterations are `repeat:<scheduler id>:<fire time in ms>`.
    const id = job.id ?? '';
    starts.push([id, Number(id.slice(id.lastIndexOf(':') + 1)), Date.now()]);
  },
  {
    connection: { host: '127.0.0.1', port: 6379, maxRetriesPerRequest: null },
    prefix: process.env.REF_PREFIX,
    concurrency: 16,
    removeOnComplete: { age: 3600 },
  },
);

process.on('message', async (m: { report?: boolean; close?: boolean }) => {
  if (m.report) process.send?.({ starts });
  if (m.close) {
    await worker.close();
    process.exit(0);
  }
});
void worker.waitUntilReady().then(() => process.send?.({ ready: true }));
