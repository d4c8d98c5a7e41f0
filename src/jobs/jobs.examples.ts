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

/** One create body per runner type (the original README's examples, and the Auto Scaling one of docs/api.md). */
export const RUNNER_EXAMPLES = {
  instance: {
    summary: 'EC2: start an instance on weekday mornings',
    value: {
      job: {
        name: 'start-spinaaaabbbb11112222',
        schedule_expression: '0 8 * * MON-FRI',
        enabled: true,
        details: {
          runner: 'instanceRunner',
          instance_action: 'start',
          instance_id: 'i-aaaabbbb11112222',
        },
      },
    },
  },
  fleet: {
    summary: 'EC2 fleet: stop every instance tagged Schedule=office-hours on weekday evenings',
    value: {
      job: {
        name: 'stop-office-hours',
        schedule_expression: '0 19 * * MON-FRI',
        timezone: 'Europe/Berlin',
        enabled: true,
        details: {
          runner: 'instanceRunner',
          instance_action: 'stop',
          tag_selector: 'Schedule=office-hours',
          max_resources: '1000',
        },
      },
    },
  },
  sequence: {
    summary: 'Sequence: start a stack in order (database, then the web fleet, then the service)',
    value: {
      job: {
        name: 'start-stack',
        schedule_expression: '0 7 * * MON-FRI',
        timezone: 'Europe/Berlin',
        enabled: true,
        details: {
          runner: 'stackRunner',
          steps:
            'shop/0b6d6f52-7d3c-4c2a-9e4d-1a2b3c4d5e6f,shop/6bcfa79f-615e-470d-97c1-687f3357497d,shop/d7e88fea-5a43-4a08-a5e9-c9b19baebefd',
          on_failure: 'stop',
        },
      },
    },
  },
  database: {
    summary: 'RDS: stop a database every evening',
    value: {
      job: {
        name: 'stop-tst',
        schedule_expression: '0 19 * * *',
        enabled: true,
        details: {
          runner: 'databaseRunner',
          database_action: 'stop',
          instance_id: 'spintst-db000b36',
        },
      },
    },
  },
  service: {
    summary: 'ECS: scale a service to zero',
    value: {
      job: {
        name: 'service-scale-job-test',
        schedule_expression: '00 18 * * *',
        enabled: true,
        details: {
          runner: 'serviceRunner',
          service_action: 'scale',
          service_cluster: 'spindev-cluster-123',
          service_name: 'spindev-svc-123',
          desired_count: '0',
        },
      },
    },
  },
  task: {
    summary: 'ECS: run 3 tasks of a task definition',
    value: {
      job: {
        name: 'task-run-job-test',
        schedule_expression: '00 18 * * *',
        enabled: true,
        details: {
          runner: 'taskRunner',
          task_action: 'run',
          task_cluster: 'spindev-cluster-123',
          task_name: 'spindev-svc-123',
          count: '3',
        },
      },
    },
  },
  autoscaling: {
    summary: 'Auto Scaling: scale a group to 0 (and its minimum) on weekday evenings',
    value: {
      job: {
        name: 'asg-nightly-off',
        schedule_expression: '0 20 * * MON-FRI',
        enabled: true,
        details: {
          runner: 'autoScalingRunner',
          autoscaling_action: 'scale',
          group_name: 'web-asg',
          desired_capacity: '0',
          min_size: '0',
        },
      },
    },
  },
};
