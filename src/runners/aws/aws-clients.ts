import { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { RDSClient } from '@aws-sdk/client-rds';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type {
  AwsCredentialIdentityProvider,
  FinalizeRequestMiddleware,
  MetadataBearer,
  MiddlewareStack,
} from '@smithy/types';
import { Account } from '../../domain/accounts';
import { checkFence } from '../../domain/fence';

/** Calls that only read; every other command changes something and is fenced. */
const READS = /^(Describe|List|Get)/;

type ClientClass<C> = new (config: {
  region?: string;
  credentials?: AwsCredentialIdentityProvider;
  retryMode?: string;
  maxAttempts?: number;
}) => C;

/** The part of an SDK client the fence needs: its middleware stack (same for every service). */
type FencedClient = { middlewareStack: MiddlewareStack<object, MetadataBearer> };

/**
 * SDK clients per account and service, built once and reused. With `role_arn` the account's
 * clients use temporary credentials from STS AssumeRole (the SDK provider refreshes them before
 * they expire); without it, the default credential chain. Endpoint overrides come from the
 * standard SDK environment (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_EC2, ...), untouched here.
 */
export class AwsClients {
  private readonly clients = new Map<string, unknown>();
  private readonly credentials = new Map<string, AwsCredentialIdentityProvider | undefined>();

  constructor(private readonly accounts: Readonly<Record<string, Account>>) {}

  ec2(account: string): EC2Client {
    return this.client(account, 'ec2', EC2Client);
  }

  rds(account: string): RDSClient {
    return this.client(account, 'rds', RDSClient);
  }

  ecs(account: string): ECSClient {
    return this.client(account, 'ecs', ECSClient);
  }

  autoScaling(account: string): AutoScalingClient {
    return this.client(account, 'autoscaling', AutoScalingClient);
  }

  /** The Resource Groups Tagging API: finds RDS and ECS resources by tag (fleets). */
  tagging(account: string): ResourceGroupsTaggingAPIClient {
    return this.client(account, 'tagging', ResourceGroupsTaggingAPIClient);
  }

  /** Who calls AWS for this account, for error messages (never a secret). */
  identity(account: string): string {
    const role = this.accounts[account]?.role_arn;
    return role
      ? `account "${account}" via role ${role}`
      : `account "${account}" via the default credential chain`;
  }

  private client<C>(account: string, service: string, Client: ClientClass<C>): C {
    const key = `${account}\u0000${service}`;
    let client = this.clients.get(key) as C | undefined;
    if (!client) {
      client = new Client({
        region: this.accounts[account]?.region,
        credentials: this.credentialsFor(account),
        // Throttling slows this client down (client-side rate limiting) before it retries: what
        // a fleet of a thousand calls needs, and harmless for one call.
        retryMode: 'adaptive',
        maxAttempts: 5,
      });
      // Fencing (domain/fence.ts): right before each call that acts, the run checks that its
      // replica still holds the occurrence; a frozen replica woken up after another took the
      // occurrence over sends nothing. Outside a fenced run (API dry runs) this is a no-op.
      // Placed after the SDK's retry middleware, so every attempt is checked, the retries too: a
      // throttled call backs off (seconds, with adaptive retries), and the claim may be lost
      // meanwhile.
      const fence: FinalizeRequestMiddleware<object, MetadataBearer> =
        (next, context) => async (args) => {
          if (!READS.test(context.commandName ?? '')) await checkFence();
          return next(args);
        };
      (client as unknown as FencedClient).middlewareStack.addRelativeTo(fence, {
        relation: 'after',
        toMiddleware: 'retryMiddleware',
        name: 'minionFence',
      });
      this.clients.set(key, client);
    }
    return client;
  }

  private credentialsFor(account: string): AwsCredentialIdentityProvider | undefined {
    if (!this.credentials.has(account)) {
      const def = this.accounts[account];
      this.credentials.set(
        account,
        def?.role_arn
          ? fromTemporaryCredentials({
              params: {
                RoleArn: def.role_arn,
                RoleSessionName: def.session_name ?? `minion-${account}`.slice(0, 64),
                ExternalId: def.external_id,
              },
              clientConfig: { region: def.region },
            })
          : undefined,
      );
    }
    return this.credentials.get(account);
  }
}
