import type { FlagwardConfig } from '../config/config';
import type { Store } from '../db/database';
import type { Authorizer } from '../governance/authorizer';
import type { GovernedChanges } from '../governance/governed-change';
import type { SecretBox } from '../security/secret-box';

/** What every service is built from. */
export interface ServiceDeps {
  store: Store;
  config: FlagwardConfig;
  governed: GovernedChanges;
  authorizer: Authorizer;
  secretBox: SecretBox;
  clock: () => Date;
}
