import type { RecordedRequest } from './fake-aws';
import type { FakeResources, Tags } from './fake-aws-resources';
import {
  ACCOUNT,
  EC2_NS,
  ec2Error,
  indexed,
  page,
  queryFilters,
  Reply,
  REGION,
  wildcard,
  xml,
} from './fake-wire';

/** EC2's instance state codes. */
const CODES: Record<string, number> = {
  pending: 0,
  running: 16,
  'shutting-down': 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
};

const FILTERS = new Set([
  'instance-id',
  'instance-state-name',
  'instance-state-code',
  'tag-key',
  'tag-value',
]);

/** EC2 query actions on instances: describes with filters and pages, actions on several. */
export function ec2Reply(s: FakeResources, r: RecordedRequest): Reply | undefined {
  if (r.params.DryRun === 'true') return undefined; // the stateless DryRunOperation answer
  switch (r.action) {
    case 'DescribeInstances':
      return describeInstances(s, r.params);
    case 'StartInstances':
    case 'StopInstances':
      return change(s, r.action, r.params);
    case 'RebootInstances':
      return reboot(s, r.params);
    default:
      return undefined;
  }
}

/**
 * `InstanceId.N` (each named instance, made if unknown) or every instance, narrowed by
 * `Filter.N` (all must hold, any value of one; `*` and `?` wildcards), `MaxResults` (5-1000;
 * all at once without it) a page, continued with `NextToken`.
 */
function describeInstances(s: FakeResources, p: Record<string, string>): Reply {
  const ids = [...new Set(indexed(p, 'InstanceId'))];
  const filters = queryFilters(p, 'Filter', 'Value');
  if (p.MaxResults !== undefined && ids.length > 0)
    return ec2Error(
      'InvalidParameterCombination',
      400,
      'The parameter instancesSet cannot be used with the parameter maxResults',
    );
  const max = p.MaxResults === undefined ? Infinity : Number(p.MaxResults);
  if (max !== Infinity && !(Number.isInteger(max) && max >= 5 && max <= 1000))
    return ec2Error(
      'InvalidParameterValue',
      400,
      `Value ( ${p.MaxResults} ) for parameter maxResults is invalid. Expecting a value between 5 and 1000.`,
    );
  const bad = filters.find((f) => !FILTERS.has(f.name) && !f.name.startsWith('tag:'));
  if (bad) return ec2Error('InvalidParameterValue', 400, `The filter '${bad.name}' is invalid`);
  for (const id of ids) s.instance(id);
  const candidates = ids.length > 0 ? ids : [...s.instances.keys()];
  const compiled = filters.map((f) => ({ name: f.name, patterns: f.values.map(wildcard) }));
  const matching = candidates.filter((id) =>
    compiled.every((f) => matches(f, id, s.instance(id).state, s.tagsOf('instance', id))),
  );
  const got = page(matching, p.NextToken, max, 'ec2:DescribeInstances');
  if (!got)
    return ec2Error(
      'InvalidPaginationToken',
      400,
      'The specified pagination token is not valid or is expired.',
    );
  // Instances of one reservation on this page are listed together, as EC2 does.
  const byReservation = new Map<string, string[]>();
  for (const id of got.items) {
    const rid = s.reservations.get(id) ?? `r-${id.replace(/^i-/, '')}`;
    byReservation.set(rid, [...(byReservation.get(rid) ?? []), id]);
  }
  const reservations = [...byReservation]
    .map(
      ([rid, members]) =>
        `<item><reservationId>${rid}</reservationId><ownerId>${ACCOUNT}</ownerId><groupSet/>` +
        `<instancesSet>${members.map((id) => instanceItem(id, s.show(s.instance(id)), s.tagsOf('instance', id))).join('')}</instancesSet></item>`,
    )
    .join('');
  return {
    body:
      `<DescribeInstancesResponse xmlns="${EC2_NS}"><requestId>{{requestId}}</requestId>` +
      `<reservationSet>${reservations}</reservationSet>` +
      (got.next ? `<nextToken>${got.next}</nextToken>` : '') +
      `</DescribeInstancesResponse>`,
  };
}

function matches(
  f: { name: string; patterns: RegExp[] },
  id: string,
  state: string,
  tags: Tags,
): boolean {
  const any = (text: string | undefined) =>
    text !== undefined && f.patterns.some((re) => re.test(text));
  switch (f.name) {
    case 'instance-id':
      return any(id);
    case 'instance-state-name':
      return any(state);
    case 'instance-state-code':
      return any(String(CODES[state]));
    case 'tag-key':
      return Object.keys(tags).some(any);
    case 'tag-value':
      return Object.values(tags).some(any);
    default: // tag:<key>
      return any(tags[f.name.slice(4)]);
  }
}

function instanceItem(id: string, state: string, tags: Tags): string {
  const tagSet = Object.entries(tags)
    .map(([k, v]) => `<item><key>${xml(k)}</key><value>${xml(v)}</value></item>`)
    .join('');
  return (
    `<item><instanceId>${id}</instanceId><imageId>ami-0fa4e000000000001</imageId>` +
    `<instanceState><code>${CODES[state] ?? 0}</code><name>${state}</name></instanceState>` +
    `<instanceType>t3.micro</instanceType><placement><availabilityZone>${REGION}a</availabilityZone></placement>` +
    (tagSet ? `<tagSet>${tagSet}</tagSet>` : '') +
    `</item>`
  );
}

/** Which states an action refuses (IncorrectInstanceState) and which it leaves as they are. */
const RULES = {
  StartInstances: {
    refuse: ['stopping', 'shutting-down', 'terminated'],
    keep: ['pending', 'running'],
    verb: 'started',
  },
  StopInstances: {
    refuse: ['pending', 'shutting-down', 'terminated'],
    keep: ['stopping', 'stopped'],
    verb: 'stopped',
  },
  RebootInstances: { refuse: ['shutting-down', 'terminated'], keep: [], verb: 'rebooted' },
};

/** Refuses the whole call when one named instance has an injected failure or a wrong state. */
function refusal(s: FakeResources, action: keyof typeof RULES, ids: string[]): Reply | undefined {
  if (ids.length === 0)
    return ec2Error('MissingParameter', 400, 'The request must contain the parameter InstanceId');
  const failure = s.failureFor(`ec2:${action}`, ids);
  if (failure)
    return ec2Error(
      failure.code,
      failure.status,
      failure.message ?? message(failure.code, failure.id, action),
    );
  const wrong = ids.find((id) => RULES[action].refuse.includes(s.instance(id).state));
  if (wrong)
    return ec2Error(
      'IncorrectInstanceState',
      400,
      message('IncorrectInstanceState', wrong, action),
    );
  return undefined;
}

function message(code: string, id: string, action: keyof typeof RULES): string {
  if (code === 'IncorrectInstanceState')
    return `The instance '${id}' is not in a state from which it can be ${RULES[action].verb}.`;
  if (code === 'InsufficientInstanceCapacity')
    return (
      `We currently do not have sufficient t3.micro capacity in the Availability Zone you requested ` +
      `(${REGION}a). Our system will be working on provisioning additional capacity.`
    );
  return `${code} for instance '${id}' (fake AWS)`;
}

/** StartInstances / StopInstances: each named instance moves (or stays), listed in order. */
function change(
  s: FakeResources,
  action: 'StartInstances' | 'StopInstances',
  p: Record<string, string>,
): Reply {
  const ids = [...new Set(indexed(p, 'InstanceId'))];
  const refused = refusal(s, action, ids);
  if (refused) return refused;
  const start = action === 'StartInstances';
  const items = ids.map((id) => {
    const m = s.instance(id);
    const before = m.state;
    if (!RULES[action].keep.includes(before))
      s.move(m, start ? 'pending' : 'stopping', `ec2:${action}`, start ? 'running' : 'stopped');
    return (
      `<item><instanceId>${id}</instanceId>` +
      `<currentState><code>${CODES[m.state] ?? 0}</code><name>${m.state}</name></currentState>` +
      `<previousState><code>${CODES[before] ?? 0}</code><name>${before}</name></previousState></item>`
    );
  });
  return {
    body:
      `<${action}Response xmlns="${EC2_NS}"><requestId>{{requestId}}</requestId>` +
      `<instancesSet>${items.join('')}</instancesSet></${action}Response>`,
  };
}

/** RebootInstances: the instances stay running (a reboot shows no state on the API). */
function reboot(s: FakeResources, p: Record<string, string>): Reply {
  const ids = [...new Set(indexed(p, 'InstanceId'))];
  return (
    refusal(s, 'RebootInstances', ids) ?? {
      body: `<RebootInstancesResponse xmlns="${EC2_NS}"><requestId>{{requestId}}</requestId><return>true</return></RebootInstancesResponse>`,
    }
  );
}
