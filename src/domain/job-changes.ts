import { Subject, Subscription } from 'rxjs';
import { JobDocument } from './job-document';
import { JobKey } from './job-key';

export type JobChange =
  | { type: 'saved'; document: JobDocument }
  | { type: 'deleted'; key: JobKey }
  /** `ids`: the jobs the delete removed (a job created in the group meanwhile is not one). */
  | { type: 'groupDeleted'; account: string; group: string; ids: string[] };

/**
 * Announces writes made through the API so caches update at once instead of at the next
 * refresh. `origin` tells local writes from ones relayed from another replica, so a relay does
 * not echo them back.
 */
export class JobChanges {
  private readonly subject = new Subject<{ change: JobChange; origin: 'local' | 'remote' }>();

  publish(change: JobChange, origin: 'local' | 'remote' = 'local'): void {
    this.subject.next({ change, origin });
  }

  subscribe(listener: (change: JobChange, origin: 'local' | 'remote') => void): Subscription {
    return this.subject.subscribe(({ change, origin }) => listener(change, origin));
  }
}
