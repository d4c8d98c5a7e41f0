import { FleetPreview } from './fleet';

/** What a dry run found out about one permission the action needs. */
export interface PermissionCheck {
  /** IAM action, e.g. `ec2:StopInstances`. */
  permission: string;
  result: 'allowed' | 'denied' | 'not checked';
  /** Why denied (with the account and role used) or why it could not be checked. */
  detail?: string;
}

/** What running a job now would do, found without doing it. */
export interface DryRunReport {
  /** The resource's state now, as described; null when it could not be described. */
  state: string | null;
  /** What the run would do, in a sentence ("i-0abc is running; stop would stop it"). */
  would: string;
  checks: PermissionCheck[];
  /** For a job naming its resources by tag: what the selector matches now. */
  fleet?: FleetPreview;
}
