/** Request examples for Swagger, taken from the original minion README. */
export const CREATE_EXAMPLE = {
  job: {
    description: 'Do some dumb thing to my server',
    details: { runner: 'dummyRunner' },
    group: 'space-xy',
    modified_by: 'someone',
    name: 'dummy-spin1234567',
    schedule_expression: '* * * ? *',
    enabled: true,
  },
  tags: [
    { key: 'foo', value: 'bar' },
    { key: 'baz', value: 'biz' },
  ],
};

export const UPDATE_EXAMPLE = {
  ...CREATE_EXAMPLE,
  job: { ...CREATE_EXAMPLE.job, id: '6bcfa79f-615e-470d-97c1-687f3357497d', enabled: false },
};
