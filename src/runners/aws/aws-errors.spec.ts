import { RunnerError } from '../../common/errors';
import { awsRunnerError } from './aws-errors';
import { sdkError } from '../../../test/support/aws-test-helpers';

const who = 'account "acct" via role arn:aws:iam::123456789012:role/minion';

describe('awsRunnerError', () => {
  it.each([
    ['UnauthorizedOperation', 403],
    ['AccessDenied', 403],
    ['AccessDeniedException', 400],
    ['AuthFailure', 401],
  ])('%s is permanent and names the account and role', (name, status) => {
    const e = awsRunnerError(sdkError(name, status), 'EC2 start of i-1', who);
    expect(e).toBeInstanceOf(RunnerError);
    expect(e.permanent).toBe(true);
    expect(e.message).toContain(
      'refused for account "acct" via role arn:aws:iam::123456789012:role/minion',
    );
    expect(e.requestId).toBe(`req-${name}`);
  });

  it.each([
    ['RequestLimitExceeded', 503],
    ['ThrottlingException', 400],
    ['Throttling', 400],
    ['InternalError', 500],
    ['ServiceUnavailable', 503],
    ['IncorrectInstanceState', 400],
    ['InvalidDBInstanceStateFault', 400],
  ])('%s is retryable', (name, status) => {
    const e = awsRunnerError(sdkError(name, status), 'x', who);
    expect(e.permanent).toBe(false);
    expect(e.message).toContain(name);
  });

  it('a network error is retryable', () => {
    const e = awsRunnerError(
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
      'x',
      who,
    );
    expect(e.permanent).toBe(false);
  });

  it.each(['InvalidInstanceID.NotFound', 'InvalidParameterValue', 'ClusterNotFoundException'])(
    '%s (a bad request) is permanent',
    (name) => {
      expect(awsRunnerError(sdkError(name, 400), 'x', who).permanent).toBe(true);
    },
  );

  it('passes a RunnerError through unchanged', () => {
    const original = new RunnerError('mine', true);
    expect(awsRunnerError(original, 'x', who)).toBe(original);
  });
});
