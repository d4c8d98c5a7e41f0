import {
  GetResourcesCommand,
  ResourceGroupsTaggingAPIClient,
} from '@aws-sdk/client-resource-groups-tagging-api';
import { Pacing } from './pacing';
import { tagRecord, TagSelector } from './tag-selector';

/** A resource found through the Resource Groups Tagging API. */
export interface Tagged {
  arn: string;
  tags: Record<string, string>;
}

/**
 * Every resource of `types` (`rds:db`, `rds:cluster`, `ecs:service`) carrying the selector's
 * tags, through the Resource Groups Tagging API (`GetResources`, paginated, 100 a page): what RDS
 * and ECS need, having no tag filter of their own on describe. The API can lag a tag change by a
 * little; the describe that follows has the resource's state.
 */
export async function findTagged(
  tagging: ResourceGroupsTaggingAPIClient,
  pacing: Pacing,
  account: string,
  selector: TagSelector,
  types: string[],
  signal: AbortSignal,
): Promise<Tagged[]> {
  const found: Tagged[] = [];
  let token: string | undefined;
  do {
    await pacing.take(account, 'tagging:GetResources', 1, signal);
    const page = await tagging.send(
      new GetResourcesCommand({
        TagFilters: selector.conditions.map((c) => ({ Key: c.key, Values: c.values })),
        ResourceTypeFilters: types,
        ResourcesPerPage: 100,
        PaginationToken: token || undefined,
      }),
      { abortSignal: signal },
    );
    for (const m of page.ResourceTagMappingList ?? []) {
      if (m.ResourceARN) found.push({ arn: m.ResourceARN, tags: tagRecord(m.Tags) });
    }
    token = page.PaginationToken;
  } while (token);
  return found;
}

/** The resource part of an ARN after `<service>:<region>:<account>:` (`db:mydb`, `service/c/s`). */
export function arnResource(arn: string): string {
  return arn.split(':').slice(5).join(':');
}

/** Splits `items` into chunks of `size`. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
