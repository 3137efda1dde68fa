import type { ServiceDeps } from '../app/service-deps';

import type { OrganizationRepository } from '../organization/organization.repository';
import type { IamRepository } from './iam.repository';
import { assignmentView, describeGrant } from './iam.views';

/**
 * Writes each assignment's expiry into the audit log, once, as the system actor. Expired grants stop
 * working at their instant whatever this does (decisions filter by time); this only keeps the record
 * complete. Several server processes may run it: each expiry is claimed in the entry's transaction.
 */
export class ExpiryRecorder {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly deps: ServiceDeps,
    private readonly repository: IamRepository,
    private readonly organizations: OrganizationRepository,
  ) {}

  /** Records every expiry that is due now; returns how many this call recorded. */
  async tick(): Promise<number> {
    const now = this.deps.clock().toISOString();
    const due = await this.repository.unrecordedExpiries(this.deps.store.db, now);
    let recorded = 0;
    for (const row of due) {
      const org = await this.organizations.findById(this.deps.store.db, row.org_id);
      if (!org) continue;
      const view = assignmentView(row);
      const claimed = await this.deps.governed.run({
        principal: { kind: 'system', org: { id: org.id, key: org.key, name: org.name } },
        meta: { requestId: `expiry-${row.id}` },
        plan: async (tx) => {
          if (!(await this.repository.claimExpiry(tx, row.id))) return { unchanged: true, result: false };
          return {
            requirements: [],
            actions: ['ExpireAssignment'],
            resource: `policy/${row.policy_key}`,
            project: view.params.project,
            flag: view.params.flag,
            summary: `permission expired ${describeGrant({ member: view.member, group: view.group, policy: row.policy_key, params: view.params })}`,
            before: view,
            apply: async () => true,
          };
        },
      });
      if (claimed) recorded += 1;
    }
    return recorded;
  }

  start(intervalMs = 1000): void {
    this.timer = setInterval(() => {
      this.tick().catch(() => undefined);
    }, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
