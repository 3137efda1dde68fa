import { createServices, type Services } from '../app/services';
import { type ConfigOverrides, type FlagwardConfig, loadConfig } from '../config/config';
import { openStore, type Store } from '../db/database';
import type { MemberPrincipal } from '../governance/principal';
import { MemberRepository } from '../members/member.repository';
import { OrganizationRepository } from '../organization/organization.repository';

/**
 * The services of the configured installation, for administration commands run on the server's
 * machine. They act as the organization's owner: whoever can run them can read the database and the
 * key files anyway.
 */
export interface LocalContext {
  config: FlagwardConfig;
  store: Store;
  services: Services;
  owner: MemberPrincipal;
  close(): Promise<void>;
}

export async function openLocalContext(overrides: ConfigOverrides): Promise<LocalContext> {
  const config = loadConfig(process.env, overrides);
  const store = openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    const org = await new OrganizationRepository().findOnly(store.db);
    if (!org) throw new Error('this installation has no organization yet (run setup first)');
    const owner = (await new MemberRepository().list(store.db, org.id)).find((m) => m.org_role === 'owner');
    if (!owner) throw new Error(`organization ${org.key} has no owner`);
    const services = createServices(config, store);
    return {
      config,
      store,
      services,
      owner: {
        kind: 'member',
        memberId: owner.id,
        email: owner.email,
        name: owner.name,
        orgRole: 'owner',
        org: { id: org.id, key: org.key, name: org.name },
        auth: 'session',
      },
      close: () => store.close(),
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}
