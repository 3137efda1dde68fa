import { Command } from 'commander';
import { storeOverrides, withStoreOptions } from '../audit/audit.commands';
import { openLocalContext } from './local.context';

interface StoreFlags {
  dataDir?: string;
  databaseUrl?: string;
}

/**
 * `flagward policy check|who-can`: the explanations of the authz API, computed locally against the
 * configured database. They run as the organization owner (who may inspect anyone's permissions).
 */
export function policyCommand(): Command {
  const policy = new Command('policy').description(
    'explain permissions (runs locally as the organization owner)',
  );

  withStoreOptions(
    policy
      .command('check')
      .description('may --member do --action on --resource? (exit 0 allowed, 1 denied)')
      .requiredOption('--member <email>', 'the member')
      .requiredOption('--action <action>', 'an action name, e.g. UpdateFlagOn')
      .requiredOption('--resource <rn>', 'a resource name, e.g. project/shop:env/production:flag/checkout-v2')
      .option('--json', 'print the result as JSON'),
  ).action(
    async (flags: StoreFlags & { member: string; action: string; resource: string; json?: boolean }) => {
      const local = await openLocalContext(storeOverrides(flags));
      try {
        const result = await local.services.authz.check(local.owner, {
          member: flags.member.trim().toLowerCase(),
          action: flags.action,
          resource: flags.resource,
        });
        if (flags.json) process.stdout.write(`${JSON.stringify(result)}\n`);
        else {
          process.stdout.write(
            `${result.allowed ? 'ALLOWED' : 'DENIED'} (${result.decision}): ${result.reason.message}\n`,
          );
        }
        process.exitCode = result.allowed ? 0 : 1;
      } finally {
        await local.close();
      }
    },
  );

  withStoreOptions(
    policy
      .command('who-can')
      .description('which members may do --action on --resource, and through what')
      .requiredOption('--action <action>', 'an action name')
      .requiredOption('--resource <rn>', 'a resource name')
      .option('--json', 'print the result as JSON'),
  ).action(async (flags: StoreFlags & { action: string; resource: string; json?: boolean }) => {
    const local = await openLocalContext(storeOverrides(flags));
    try {
      const result = await local.services.authz.whoCan(local.owner, flags.action, flags.resource);
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(result)}\n`);
        return;
      }
      if (result.items.length === 0) process.stdout.write('nobody\n');
      for (const item of result.items) {
        const via = item.via.map((v) => `${v.policy}#${v.statement}${v.group ? ` (group ${v.group})` : ''}`);
        process.stdout.write(
          `${item.member} (${item.orgRole})${via.length > 0 ? ` via ${via.join(', ')}` : ''}\n`,
        );
      }
    } finally {
      await local.close();
    }
  });

  return policy;
}
