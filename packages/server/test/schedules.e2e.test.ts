import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from '../src/app/server';
import { FlagConfigurationRepository } from '../src/flags/configuration.repository';
import { FlagRepository } from '../src/flags/flag.repository';
import { MemberRepository } from '../src/members/member.repository';
import { OrganizationRepository } from '../src/organization/organization.repository';
import { RolloutScheduler } from '../src/schedules/rollout.scheduler';
import { RolloutScheduleRepository } from '../src/schedules/schedule.repository';
import { DATABASES } from './support/databases';
import { snapshotDatabase } from './support/snapshot';
import {
  addMember,
  auditEntries,
  setupOrganization,
  startTestServer,
  type TestServer,
} from './support/test-server';

const HOUR = 60 * 60 * 1000;
const split = (on: number) => [
  { variation: 'true', weight: on },
  { variation: 'false', weight: 100000 - on },
];

describe.each(DATABASES)('rollout schedules on %s', (database) => {
  let t: TestServer;
  let owner: string;
  let sam: { token: string };
  let now = new Date('2030-06-01T12:00:00.000Z');
  const clock = () => now;
  const later = (hours: number) => new Date(now.getTime() + hours * HOUR).toISOString();
  const advanceTo = (iso: string) => {
    now = new Date(iso);
  };
  const url = (flag: string, suffix = '/rollout-schedule') =>
    `/api/v1/projects/shop/flags/${flag}/environments/production${suffix}`;

  async function entries(flag?: string) {
    const all = await auditEntries(t);
    return flag === undefined ? all : all.filter((e) => e.flag === flag);
  }
  async function config(flag: string) {
    return (await t.request('GET', url(flag, ''), { as: { token: owner } })).body;
  }
  async function newFlag(key: string) {
    const created = await t.request('POST', '/api/v1/projects/shop/flags', {
      as: { token: owner },
      body: { key, name: key },
    });
    expect(created.status).toBe(201);
  }
  async function schedule(flag: string, steps: Array<{ at: string; weights: unknown }>, as = sam.token) {
    return t.request('PUT', url(flag), { as: { token: as }, body: { steps } });
  }
  async function setRole(email: string, orgRole: 'admin' | 'member') {
    const response = await t.request('PATCH', `/api/v1/members/${email}`, {
      as: { token: owner },
      body: { orgRole },
    });
    expect(response.status, response.text).toBe(200);
  }

  beforeAll(async () => {
    t = await startTestServer(database, { backgroundJobs: false, clock });
    owner = (await setupOrganization(t)).token;
    await t.request('POST', '/api/v1/projects', {
      as: { token: owner },
      body: { key: 'shop', name: 'Shop' },
    });
    sam = await addMember(t, owner, { email: 'sam@acme.test', orgRole: 'admin' });
  });
  afterAll(async () => t.close());

  it('ramps 0 → 25 → 50 → 100% as the system on behalf of the scheduler, one entry per step', async () => {
    await newFlag('checkout-v2');
    expect((await t.request('PATCH', url('checkout-v2', ''), { as: sam, body: { on: true } })).status).toBe(
      200,
    );
    const steps = [0, 25000, 50000, 100000].map((on, i) => ({ at: later(i + 1), weights: split(on) }));
    const scheduled = await schedule('checkout-v2', steps);
    expect(scheduled.status, scheduled.text).toBe(200);
    expect(scheduled.body).toMatchObject({
      flag: 'checkout-v2',
      environment: 'production',
      steps,
      nextStep: 0,
      nextAt: steps[0]!.at,
      scheduledBy: 'sam@acme.test',
    });
    expect((await entries()).at(-1)).toMatchObject({
      actions: ['ScheduleFlagRollout'],
      actor: { type: 'member', email: 'sam@acme.test' },
      summary: `scheduled rollout of checkout-v2 in production: 0% at ${steps[0]!.at}, 25% at ${steps[1]!.at}, 50% at ${steps[2]!.at}, 100% at ${steps[3]!.at}`,
    });
    const member = await t.server.store.db
      .selectFrom('members')
      .select('id')
      .where('email', '=', 'sam@acme.test')
      .executeTakeFirstOrThrow();

    expect(await t.server.services.rolloutScheduler.tick()).toBe(0);
    const expected: Array<[string[], string]> = [
      [['UpdateFlagDefaultRule'], 'changed default rule of checkout-v2 in production'],
      [['UpdateFlagRollout'], 'rollout changed checkout-v2 0% → 25% in production'],
      [['UpdateFlagRollout'], 'rollout changed checkout-v2 25% → 50% in production'],
      [['UpdateFlagRollout'], 'rollout changed checkout-v2 50% → 100% in production'],
    ];
    for (const [i, [actions, summary]] of expected.entries()) {
      advanceTo(steps[i]!.at);
      const count = (await entries()).length;
      expect(await t.server.services.rolloutScheduler.tick()).toBe(1);
      expect(await t.server.services.rolloutScheduler.tick()).toBe(0);
      const all = await entries();
      expect(all.length).toBe(count + 1);
      expect(all.at(-1)).toMatchObject({
        outcome: 'applied',
        actions,
        summary,
        actor: { type: 'system', onBehalfOf: { id: member.id, email: 'sam@acme.test' } },
        at: steps[i]!.at,
        flag: 'checkout-v2',
        environment: 'production',
      });
      expect((await config('checkout-v2')).fallthrough).toEqual({ rollout: { weights: steps[i]!.weights } });
    }
    const done = await t.request('GET', url('checkout-v2'), { as: { token: owner } });
    expect(done.body).toMatchObject({ nextStep: 4, nextAt: null });
  });

  it('re-authorizes every step: after the scheduler is demoted the step is denied and recorded, and the schedule moves on', async () => {
    await newFlag('search');
    const steps = [25000, 50000, 75000].map((on, i) => ({ at: later(i + 1), weights: split(on) }));
    expect((await schedule('search', steps)).status).toBe(200);
    advanceTo(steps[0]!.at);
    expect(await t.server.services.rolloutScheduler.tick()).toBe(1);
    expect((await config('search')).fallthrough).toEqual({ rollout: { weights: split(25000) } });

    await setRole('sam@acme.test', 'member');
    advanceTo(steps[1]!.at);
    const before = await config('search');
    const count = (await entries()).length;
    expect(await t.server.services.rolloutScheduler.tick()).toBe(1);
    expect(await config('search')).toEqual(before);
    const all = await entries();
    expect(all.length).toBe(count + 1);
    const denied = all.at(-1)!;
    expect(denied).toMatchObject({
      outcome: 'denied',
      actions: ['UpdateFlagRollout'],
      summary: 'rollout changed search 25% → 50% in production',
      actor: { type: 'system', onBehalfOf: { email: 'sam@acme.test' } },
    });
    expect(denied.reason).toContain('UpdateFlagRollout');
    expect((await t.request('GET', url('search'), { as: { token: owner } })).body.nextStep).toBe(2);

    await setRole('sam@acme.test', 'admin');
    advanceTo(steps[2]!.at);
    expect(await t.server.services.rolloutScheduler.tick()).toBe(1);
    expect((await config('search')).fallthrough).toEqual({ rollout: { weights: split(75000) } });
  });

  it('denies and records every remaining step of a disabled scheduler', async () => {
    await newFlag('banner');
    const danToken = (await addMember(t, owner, { email: 'dan@acme.test', orgRole: 'admin' })).token;
    const steps = [10000, 20000].map((on, i) => ({ at: later(i + 1), weights: split(on) }));
    expect((await schedule('banner', steps, danToken)).status).toBe(200);
    const disabled = await t.request('PATCH', '/api/v1/members/dan@acme.test', {
      as: { token: owner },
      body: { disabled: true },
    });
    expect(disabled.status).toBe(200);
    const before = await config('banner');
    for (const step of steps) {
      advanceTo(step.at);
      expect(await t.server.services.rolloutScheduler.tick()).toBe(1);
      const entry = (await entries('banner')).at(-1)!;
      expect(entry).toMatchObject({ outcome: 'denied', actor: { onBehalfOf: { email: 'dan@acme.test' } } });
      expect(entry.reason).toContain('disabled');
    }
    expect(await config('banner')).toEqual(before);
    expect((await t.request('GET', url('banner'), { as: { token: owner } })).body).toMatchObject({
      nextStep: 2,
      nextAt: null,
    });
  });

  it('never applies or records a step twice when two schedulers tick at once', async () => {
    const ada = await addMember(t, owner, { email: 'ada@acme.test', orgRole: 'admin' });
    await newFlag('race');
    const second = new RolloutScheduler(
      t.server.services.deps,
      new RolloutScheduleRepository(),
      new FlagRepository(t.server.store.dialect),
      new FlagConfigurationRepository(t.server.store.dialect),
      new MemberRepository(),
      new OrganizationRepository(),
    );
    const steps = [20000, 40000, 60000, 80000].map((on, i) => ({ at: later(i + 1), weights: split(on) }));
    expect((await schedule('race', steps, ada.token)).status).toBe(200);
    for (const [i, step] of steps.entries()) {
      if (i === 3) await setRole('ada@acme.test', 'member');
      advanceTo(step.at);
      const results = await Promise.all([
        t.server.services.rolloutScheduler.tick(),
        second.tick(),
        t.server.services.rolloutScheduler.tick(),
        second.tick(),
      ]);
      expect(
        results.reduce((a, b) => a + b, 0),
        `step ${i}`,
      ).toBe(1);
    }
    const raced = (await entries('race')).filter((e) => e.actor.type === 'system');
    expect(raced.map((e) => e.outcome)).toEqual(['applied', 'applied', 'applied', 'denied']);
    expect(raced.map((e) => e.requestId)).toEqual(
      expect.arrayContaining([0, 1, 2, 3].map((i) => expect.stringMatching(new RegExp(`-${i}$`)))),
    );
    expect((await config('race')).fallthrough).toEqual({ rollout: { weights: split(60000) } });
    expect((await config('race')).version).toBe(4);
  });

  it('validates schedules naming the field, and refuses callers without ScheduleFlagRollout', async () => {
    await newFlag('checks');
    const before = await snapshotDatabase(t.server.store);
    const cases: Array<[unknown, string]> = [
      [{ steps: [] }, 'steps'],
      [{ steps: [{ at: 'tomorrow', weights: split(1) }] }, 'steps[0].at'],
      [
        {
          steps: [
            { at: later(2), weights: split(10000) },
            { at: later(1), weights: split(20000) },
          ],
        },
        'steps[1].at',
      ],
      [{ steps: [{ at: later(-1), weights: split(10000) }] }, 'steps'],
      [{ steps: [{ at: later(1), weights: [{ variation: 'true', weight: 10 }] }] }, 'steps[0].weights'],
      [
        { steps: [{ at: later(1), weights: [{ variation: 'maybe', weight: 100000 }] }] },
        'steps[0].weights[0].variation',
      ],
      [{ steps: [{ at: later(1), weights: split(10000) }], bucketBy: '' }, 'bucketBy'],
      [{ steps: [{ at: later(1), weights: split(10000) }], extra: 1 }, ''],
    ];
    for (const [body, path] of cases) {
      const response = await t.request('PUT', url('checks'), { as: { token: owner }, body });
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    }
    expect(await snapshotDatabase(t.server.store)).toBe(before);

    const member = await addMember(t, owner, { email: 'mo@acme.test' });
    const refused = await schedule('checks', [{ at: later(1), weights: split(10000) }], member.token);
    expect(refused.status).toBe(403);
    expect(refused.body.missing.map((m: { action: string }) => m.action)).toEqual(['ScheduleFlagRollout']);
    expect((await t.request('GET', url('checks'), { as: { token: member.token } })).status).toBe(403);
    expect((await t.request('GET', url('checks'), { as: { token: owner } })).status).toBe(404);
  });

  it('replaces a schedule with PUT, buckets by the given attribute, and cancels with DELETE', async () => {
    await newFlag('plans');
    expect((await schedule('plans', [{ at: later(1), weights: split(10000) }])).status).toBe(200);
    const replaced = await t.request('PUT', url('plans'), {
      as: sam,
      body: { steps: [{ at: later(2), weights: split(30000) }], bucketBy: 'orgId' },
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ bucketBy: 'orgId', steps: [{ weights: split(30000) }] });
    expect((await entries('plans')).at(-1)!.summary).toMatch(
      /^rescheduled rollout of plans in production: 30% at /,
    );
    advanceTo(later(1));
    expect(await t.server.services.rolloutScheduler.tick()).toBe(0);
    advanceTo(later(1));
    expect(await t.server.services.rolloutScheduler.tick()).toBe(1);
    expect((await config('plans')).fallthrough).toEqual({
      rollout: { bucketBy: 'orgId', weights: split(30000) },
    });

    expect((await schedule('plans', [{ at: later(1), weights: split(90000) }])).status).toBe(200);
    const cancelled = await t.request('DELETE', url('plans'), { as: sam });
    expect(cancelled.status).toBe(204);
    expect((await entries('plans')).at(-1)).toMatchObject({
      actions: ['ScheduleFlagRollout'],
      summary: 'cancelled the rollout schedule of plans in production',
    });
    expect((await t.request('GET', url('plans'), { as: sam })).status).toBe(404);
    advanceTo(later(2));
    expect(await t.server.services.rolloutScheduler.tick()).toBe(0);
    expect((await config('plans')).fallthrough).toEqual({
      rollout: { bucketBy: 'orgId', weights: split(30000) },
    });
  });
});

describe.each(DATABASES)('rollout schedules across a restart on %s', (database) => {
  it('applies the steps that fell due while the server was down, in order', async () => {
    let now = new Date('2030-06-01T12:00:00.000Z');
    const clock = () => now;
    const t = await startTestServer(database, { backgroundJobs: false, clock });
    try {
      const owner = (await setupOrganization(t)).token;
      await t.request('POST', '/api/v1/projects', {
        as: { token: owner },
        body: { key: 'shop', name: 'Shop' },
      });
      await t.request('POST', '/api/v1/projects/shop/flags', {
        as: { token: owner },
        body: { key: 'f', name: 'F' },
      });
      const steps = [10000, 20000].map((on, i) => ({
        at: new Date(now.getTime() + (i + 1) * HOUR).toISOString(),
        weights: split(on),
      }));
      const put = await t.request(
        'PUT',
        '/api/v1/projects/shop/flags/f/environments/production/rollout-schedule',
        {
          as: { token: owner },
          body: { steps },
        },
      );
      expect(put.status).toBe(200);
      await t.server.close();

      now = new Date(now.getTime() + 3 * HOUR);
      const restarted = await createServer(
        { dataDir: t.database.dataDir, databaseUrl: t.database.databaseUrl },
        { backgroundJobs: false, clock, webDist: null, logLevel: 'silent' },
      );
      try {
        expect(await restarted.services.rolloutScheduler.tick()).toBe(2);
        const org = await restarted.store.db
          .selectFrom('organizations')
          .select('id')
          .executeTakeFirstOrThrow();
        const summaries = (await restarted.services.auditRepository.listAll(restarted.store.db, org.id))
          .filter((e) => e.actor.type === 'system')
          .map((e) => e.summary);
        expect(summaries).toEqual([
          'changed default rule of f in production',
          'rollout changed f 10% → 20% in production',
        ]);
      } finally {
        await restarted.close();
      }
    } finally {
      await t.close();
    }
  });
});
