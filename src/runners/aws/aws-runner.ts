import { Runner } from '../runner';
import { AwsClients } from './aws-clients';
import { refuseLegacyConfig } from './details';

/** Base of the AWS runner types: they share the account's SDK clients and take no `config`. */
export abstract class AwsRunner<D> extends Runner<D> {
  constructor(
    name: string,
    config: Record<string, unknown> | undefined,
    protected readonly aws: AwsClients,
  ) {
    super(name);
    refuseLegacyConfig(config);
  }
}
