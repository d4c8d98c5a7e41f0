/**
 * What an occurrence does to which resource: each runner says it of its jobs (`Runner.actsOn`),
 * the schedule view compares them to find conflicts.
 */
export interface ResourceAction {
  /** `<kind>:<identifier>`, e.g. `instance:i-0abc`, `service:cluster/web`. */
  resource: string;
  /** e.g. `start`, `stop`, `scale to 3`, `suspend Launch,Terminate`. */
  action: string;
}

export interface Acting {
  /** Index of the entry in the schedule. */
  index: number;
  at: number;
  job: string;
  what: ResourceAction;
  /**
   * For a fleet (a tag selector): the resources it matched at its last run or dry run
   * (`instance:i-0abc`), so it conflicts with a job naming one of them by id.
   */
  members?: readonly string[];
}

/**
 * Pairs of entries acting on one resource with different actions within `withinMs` of each
 * other (stop at 18:00 by one group, start at 17:59 by another), from two different jobs: the
 * same resource named by both, the same tag selector, or a resource a fleet last matched and a
 * job naming it by id. A job repeating itself is no conflict. Returns, per entry index, the
 * indexes it conflicts with (each once).
 */
export function findConflicts(acting: Acting[], withinMs: number): Map<number, number[]> {
  const byResource = new Map<string, Acting[]>();
  for (const a of acting) {
    for (const resource of new Set([a.what.resource, ...(a.members ?? [])])) {
      const list = byResource.get(resource);
      if (list) list.push(a);
      else byResource.set(resource, [a]);
    }
  }
  const conflicts = new Map<number, number[]>();
  const note = (a: Acting, b: Acting) => {
    const list = conflicts.get(a.index);
    if (!list) conflicts.set(a.index, [b.index]);
    else if (!list.includes(b.index)) list.push(b.index);
  };
  for (const list of byResource.values()) {
    list.sort((a, b) => a.at - b.at);
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length && list[j].at - list[i].at <= withinMs; j++) {
        const [a, b] = [list[i], list[j]];
        if (a.job !== b.job && a.what.action !== b.what.action) {
          note(a, b);
          note(b, a);
        }
      }
    }
  }
  return conflicts;
}
