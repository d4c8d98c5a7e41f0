import { JobDocument } from '../../src/domain/job-document';
import { RunContext, Runner } from '../../src/runners/runner';

/** A job document with the given details, for runner specs. */
export function ctx(details: Record<string, string>, account = 'acct'): RunContext {
  const job: JobDocument = {
    account,
    description: '',
    details,
    group: 'g',
    id: 'j1',
    modified_at: '',
    modified_by: '',
    name: 'n',
    schedule_expression: '* * * * *',
    enabled: true,
  };
  return { account, job, signal: new AbortController().signal };
}

/** An AWS SDK service error as the SDK raises it (name, fault, metadata with request id). */
export function sdkError(name: string, status: number, message = `${name} happened`): Error {
  return Object.assign(new Error(message), {
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status, requestId: `req-${name}` },
  });
}

/** Parses the context's details as the executor does, then runs: what a run does end to end. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function runParsed<R extends Runner<any>>(
  runner: R,
  context: RunContext,
): Promise<Awaited<ReturnType<R['run']>>> {
  return (await runner.run(context, runner.parseDetails(context.job.details))) as Awaited<
    ReturnType<R['run']>
  >;
}
