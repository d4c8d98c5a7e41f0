import { CorruptJobError, parseJob } from './job-document';

const where = { account: 'acct', group: 'grp', id: 'job' };

describe('parseJob', () => {
  it('takes Go zero values for missing keys and the key for where the job lives', () => {
    const doc = parseJob('{"account":"elsewhere","name":null,"enabled":true}', where);
    expect(doc).toStrictEqual({
      account: 'acct',
      description: '',
      details: {},
      group: 'grp',
      id: 'job',
      modified_at: '',
      modified_by: '',
      name: '',
      schedule_expression: '',
      enabled: true,
    });
  });

  it.each([
    ['{"half":', 'not valid JSON'],
    ['[1]', 'not a JSON object'],
    ['{"details":[]}', 'details is not an object'],
    ['{"details":{"runner":1}}', 'details.runner is not a string'],
    ['{"name":3}', 'name is not a string'],
    ['{"timezone":false}', 'timezone is not a string'],
  ])('refuses %s as corrupt: %s', (text, reason) => {
    const parse = () => parseJob(text, where);
    expect(parse).toThrow(CorruptJobError);
    expect(parse).toThrow(`stored job acct/grp/job cannot be read: ${reason}`);
  });
});
