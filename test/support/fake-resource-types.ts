/** The shapes of the fake AWS resources and of the bulk adders' options. */

/** A state on its way to another: shown `left` more describes, then the final state. */
export interface Moving {
  state: string;
  next?: string;
  left: number;
}

export interface Group {
  desired: number;
  min: number;
  max: number;
  inService: Moving;
  suspended: Set<string>;
}

export interface Service {
  desired: number;
  running: Moving;
}

export type Tags = Record<string, string>;

/** What carries tags: the key of `tagsOf` (a service's id is `cluster/name`). */
export type TaggedKind = 'instance' | 'db' | 'cluster' | 'group' | 'service';

/** For the bulk adders: the tags every new resource carries, and how its id begins. */
export interface AddOptions {
  tags?: Tags;
  idPrefix?: string;
}

export interface FailOptions {
  /** The HTTP status (default: the one AWS answers the code with, e.g. 500 for capacity). */
  status?: number;
  message?: string;
  /** How many calls fail (default: every one until reset). */
  times?: number;
}

export interface Failure {
  code: string;
  status: number;
  message?: string;
  times: number;
}
