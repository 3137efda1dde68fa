// Drives the real console (built by Vite, served by a real server on SQLite) in headless Chromium.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type FlagwardServer } from '../../server/src/app/server';
import { verifyExportOffline } from '../../server/src/audit/offline.verifier';

const CHROMIUM = process.env.FLAGWARD_CHROMIUM ?? '/usr/bin/chromium';
const webDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const webDist = path.join(webDir, 'dist');
const SCREENSHOTS = process.env.FLAGWARD_SCREENSHOT_DIR ?? os.tmpdir();
const OWNER = { email: 'owner@acme.com', password: 'correct horse battery' };
const DEV = { email: 'dev@acme.com', password: 'another long password' };

function newestMtime(target: string): number {
  const stat = fs.statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...fs.readdirSync(target).map((name) => newestMtime(path.join(target, name))));
}

/** Builds the console with Vite when dist is missing or older than its sources (as `npm start` does). */
function buildConsoleIfStale(): void {
  const built = path.join(webDist, 'index.html');
  const sources = ['src', 'index.html', 'vite.config.ts', 'package.json'].map((p) => path.join(webDir, p));
  const stale = !fs.existsSync(built) || Math.max(...sources.map(newestMtime)) > fs.statSync(built).mtimeMs;
  if (!stale) return;
  const vite = path.resolve(webDir, '../../node_modules/vite/bin/vite.js');
  const result = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], {
    cwd: webDir,
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`vite build failed:\n${result.stdout}\n${result.stderr}`);
}

describe('web console in Chromium', { timeout: 120_000 }, () => {
  let dataDir: string;
  let server: FlagwardServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let base: string;
  let invitationLink = '';
  /** Uncaught errors in the page: a console that throws fails the test that made it throw. */
  const pageErrors: string[] = [];
  const savedDatabaseUrl = process.env.FLAGWARD_DATABASE_URL;

  /** Calls the API as the signed-in owner, through the page (its cookie and CSRF token). */
  const apiAsOwner = <T>(method: string, url: string): Promise<T> =>
    page.evaluate(
      async ([m, u]) => {
        const response = await fetch(u!, {
          method: m,
          headers: { 'x-csrf-token': sessionStorage.getItem('flagward.csrf') ?? '' },
        });
        return response.json();
      },
      [method, url],
    ) as Promise<T>;

  const open = async (hash: string) => {
    await page.goto(`${base}/${hash}`);
    await page.getByText(`Flagward · Acme`).waitFor();
  };

  beforeAll(async () => {
    if (!fs.existsSync(CHROMIUM)) {
      throw new Error(
        `Chromium is required for the browser tests but ${CHROMIUM} does not exist: run scripts/ensure-chromium.sh (or set FLAGWARD_CHROMIUM)`,
      );
    }
    buildConsoleIfStale();
    delete process.env.FLAGWARD_DATABASE_URL;
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'flagward-console-'));
    server = await createServer(
      { dataDir, port: 0, host: '127.0.0.1', logLevel: 'silent' },
      { webDist, backgroundJobs: false },
    );
    base = await server.app.listen({ port: 0, host: '127.0.0.1' });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    context.on('weberror', (error) => pageErrors.push(error.error().message));
    page = await context.newPage();
    page.on('dialog', (dialog) => void dialog.accept());
    page.setDefaultTimeout(15_000);
  }, 180_000);

  afterEach(() => {
    expect(pageErrors.splice(0)).toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (savedDatabaseUrl !== undefined) process.env.FLAGWARD_DATABASE_URL = savedDatabaseUrl;
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('first-run setup creates the organization and signs the owner in', async () => {
    await page.goto(base);
    await page.getByRole('heading', { name: 'Welcome to Flagward' }).waitFor();
    await page.getByLabel('Organization name').fill('Acme');
    await page.getByLabel('Organization key').fill('acme');
    await page.getByLabel('Your name').fill('Olivia Owner');
    await page.getByLabel('Email').fill(OWNER.email);
    await page.getByLabel('Password').fill(OWNER.password);
    await page.getByRole('button', { name: 'Create organization' }).click();
    await page.getByText('Flagward · Acme').waitFor();
    await expect(page.getByText(`${OWNER.email} (owner)`).isVisible()).resolves.toBe(true);
  });

  it('creates a project', async () => {
    await open('#/projects');
    const form = page.locator('section', { has: page.getByRole('heading', { name: 'New project' }) });
    await form.getByLabel('Key').fill('shop');
    await form.getByLabel('Name').fill('Shop');
    await form.getByRole('button', { name: 'Create project' }).click();
    const row = page.getByRole('row', { name: /shop\s+Shop/ });
    await row.waitFor();
    await expect(row.textContent()).resolves.toContain('production');
  });

  it('creates a flag, toggles it in development and ramps its default rule', async () => {
    await open('#/flags?project=shop');
    await page.getByRole('button', { name: 'New flag' }).click();
    const form = page.locator('section', { has: page.getByRole('heading', { name: 'New flag' }) });
    await form.getByLabel('Key').fill('checkout-v2');
    await form.getByLabel('Name').fill('Checkout v2');
    await form.getByLabel('Tags').fill('web');
    await form.getByRole('button', { name: 'Create flag' }).click();

    const devSwitch = page.getByRole('switch', { name: 'checkout-v2 in development' });
    await devSwitch.waitFor();
    await expect(devSwitch.getAttribute('aria-checked')).resolves.toBe('false');
    await page.getByLabel('Comment for your next change').fill('dogfooding');
    await devSwitch.click();
    await page
      .locator('[role=switch][aria-label="checkout-v2 in development"][aria-checked="true"]')
      .waitFor();
    const flags = await apiAsOwner<{
      items: { key: string; environments: Record<string, { on: boolean }> }[];
    }>('GET', '/api/v1/projects/shop/flags');
    expect(flags.items[0]?.environments).toMatchObject({
      development: { on: true },
      production: { on: false },
    });
    await page.screenshot({ path: path.join(SCREENSHOTS, 'flagward-flags.png'), fullPage: true });

    // Targeting in development: a 25% rollout of the default rule.
    await page
      .getByRole('row', { name: /Checkout v2/ })
      .getByRole('button', { name: 'Targeting' })
      .first()
      .click();
    await page.getByRole('heading', { name: 'Targeting in Development' }).waitFor();
    await page.getByLabel('Percentage rollout').check();
    await page.getByLabel('Everyone else gets: percentage of true').fill('25');
    await page.getByText('Pending: changed default rule of checkout-v2 in development').waitFor();
    await page.getByText('Needs UpdateFlagDefaultRule in development.').waitFor();
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('No pending change.').waitFor();
    // Moving the percentages of an existing rollout is a rollout change, a separate (protectable) action.
    await page.getByLabel('Everyone else gets: percentage of true').fill('50');
    await page.getByText('Pending: rollout changed checkout-v2 25% → 50% in development').waitFor();
    await page.getByText('Needs UpdateFlagRollout in development.').waitFor();
    await page.getByLabel('Comment (optional, kept in the audit log)').fill('ramp to half');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('No pending change.').waitFor();
    const config = await apiAsOwner<{ fallthrough: unknown; version: number }>(
      'GET',
      '/api/v1/projects/shop/flags/checkout-v2/environments/development',
    );
    expect(config.fallthrough).toEqual({
      rollout: {
        weights: [
          { variation: 'true', weight: 50000 },
          { variation: 'false', weight: 50000 },
        ],
      },
    });
    await page.screenshot({ path: path.join(SCREENSHOTS, 'flagward-targeting.png'), fullPage: true });
  });

  it('invites a member and shows the invitation link', async () => {
    await open('#/iam/members');
    const form = page.locator('section', { has: page.getByRole('heading', { name: 'Invite a member' }) });
    await form.getByLabel('Email').fill(DEV.email);
    await form.getByLabel('Name').fill('Dana Developer');
    await form.getByRole('button', { name: 'Invite' }).click();
    const notice = page.getByText('Send this invitation link (shown once)');
    await notice.waitFor();
    invitationLink = (await page.locator('.notice .mono').textContent()) ?? '';
    expect(invitationLink).toMatch(new RegExp(`^${base}/\\?invitation=.+`));
    await page.getByRole('row', { name: new RegExp(DEV.email) }).waitFor();
  });

  it('validates a policy’s patterns as you type, then saves it', async () => {
    await open('#/iam/policies?policy=new');
    const editor = page.locator('.policy-editor');
    await editor.getByLabel('Key').fill('release-freeze');
    await editor.getByLabel('Name').fill('Release freeze');
    await editor.getByLabel('Effect').selectOption('deny');
    const actions = editor.getByLabel('Statement 0: add an action');
    await actions.fill('UpdateFlagOn');
    await editor.locator('.chip', { hasText: 'UpdateFlagOn' }).waitFor();
    const pattern = editor.getByLabel('Statement 0 resource 0');
    await pattern.pressSequentially('project/shop:env/');
    const status = editor.getByRole('status');
    await status.waitFor();
    await expect(status.textContent()).resolves.toMatch(/at position \d+: /);
    await expect(editor.getByRole('button', { name: 'Create policy' }).isDisabled()).resolves.toBe(true);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'flagward-policy.png'), fullPage: true });

    await pattern.pressSequentially('production:flag/*');
    await editor.getByText('selects flag resources').waitFor();
    await expect(editor.getByRole('status').count()).resolves.toBe(0);
    await editor.getByRole('button', { name: 'Create policy' }).click();
    await page.getByRole('heading', { name: 'Release freeze' }).waitFor();
    await page.locator('.menu').getByText('release-freeze').waitFor();
  });

  it('grants a built-in role after a what-if preview and lists it', async () => {
    await open('#/iam/assignments');
    await page.getByLabel('Policy to grant').selectOption('non-production-access');
    await page.getByLabel('Grant to').selectOption(`member:${DEV.email}`);
    await expect(page.getByRole('button', { name: 'Grant' }).isDisabled()).resolves.toBe(true);
    await page.getByRole('button', { name: 'Preview' }).click();
    await page.getByRole('heading', { name: 'If you save this' }).waitFor();
    await page.getByText(/\+ gains CanAccessProject on project\/shop/).waitFor();
    await page.getByRole('button', { name: 'Grant' }).click();
    const row = page.getByRole('row', { name: new RegExp(`non-production-access\\s+${DEV.email}`) });
    await row.waitFor();
    await expect(row.textContent()).resolves.toContain('project shop');
  });

  it('creates an API token limited to a policy, shows its secret once and revokes it', async () => {
    await open('#/iam/tokens');
    await page.getByLabel('Token name').fill('ci');
    await page.getByLabel('Limit the token to a policy').selectOption('non-production-access');
    await page.getByRole('button', { name: 'Create token' }).click();
    const notice = page.getByRole('status').filter({ hasText: 'Copy the secret of ci now' });
    await notice.waitFor();
    const secret = (await notice.locator('.mono').textContent()) ?? '';
    expect(secret).toMatch(/^fw_pat_/);
    const row = page.getByRole('row', { name: /^ci\b/ });
    await expect(row.textContent()).resolves.toContain(
      'non-production-access on project shop, within your permissions',
    );

    // The owner may change production; this token may not.
    const asToken = (method: string, url: string, body?: unknown) =>
      page.evaluate(
        async ([m, u, b, token]) => {
          const response = await fetch(u as string, {
            method: m as string,
            headers: {
              authorization: `Bearer ${token}`,
              ...(b ? { 'content-type': 'application/json' } : {}),
            },
            ...(b ? { body: JSON.stringify(b) } : {}),
          });
          return { status: response.status, body: await response.json() };
        },
        [method, url, body, secret] as const,
      );
    const toggled = await asToken(
      'PATCH',
      '/api/v1/projects/shop/flags/checkout-v2/environments/production',
      {
        on: true,
      },
    );
    expect(toggled.status).toBe(403);
    expect(toggled.body.detail).toContain(
      'the API token "ci" is limited to non-production-access on shop project',
    );
    await page.screenshot({ path: path.join(SCREENSHOTS, 'flagward-tokens.png'), fullPage: true });

    await row.getByRole('button', { name: 'Revoke' }).click();
    await row.getByText('revoked').waitFor();
    await expect(asToken('GET', '/api/v1/me').then((r) => r.status)).resolves.toBe(401);
  });

  it('tells a member in plain words that production is protected', async () => {
    const devContext = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    devContext.on('weberror', (error) => pageErrors.push(error.error().message));
    try {
      const dev = await devContext.newPage();
      dev.setDefaultTimeout(15_000);
      await dev.goto(invitationLink);
      await dev.getByRole('heading', { name: 'Accept your invitation' }).waitFor();
      await dev.getByLabel('Choose a password').fill(DEV.password);
      await dev.getByRole('button', { name: 'Accept and sign in' }).click();
      await dev.getByText(`${DEV.email} (member)`).waitFor();
      // Plain members see no management buttons the server would refuse.
      await dev.goto(`${base}/#/projects`);
      await dev.getByRole('row', { name: /shop/ }).waitFor();
      await expect(dev.getByRole('heading', { name: 'New project' }).count()).resolves.toBe(0);

      await dev.goto(`${base}/#/flags?project=shop`);
      await dev.getByRole('switch', { name: 'checkout-v2 in production' }).click();
      const alert = dev.getByRole('alert');
      await alert.waitFor();
      await expect(alert.textContent()).resolves.toContain(
        'UpdateFlagOn in production is protected: ask an owner, an admin or someone with',
      );
      await dev.screenshot({ path: path.join(SCREENSHOTS, 'flagward-protected.png'), fullPage: true });
      await expect(
        dev.getByRole('switch', { name: 'checkout-v2 in production' }).getAttribute('aria-checked'),
      ).resolves.toBe('false');
    } finally {
      await devContext.close();
    }
  });

  it('explains a decision and finds who can do it', async () => {
    await open('#/iam/access');
    const check = page.locator('section', { has: page.getByRole('heading', { name: 'Check a decision' }) });
    await check.getByLabel('Member', { exact: true }).selectOption(DEV.email);
    await check.getByLabel('Action', { exact: true }).selectOption('UpdateFlagOn');
    await check.getByLabel('Resource', { exact: true }).fill('project/shop:env/production:flag/checkout-v2');
    await check.getByRole('button', { name: 'Check' }).click();
    const verdict = check.getByRole('status');
    await verdict.waitFor();
    await expect(verdict.textContent()).resolves.toMatch(/Denied — denied by a protected operation/);

    const whoCan = page.locator('section', { has: page.getByRole('heading', { name: 'Who can…' }) });
    await whoCan.getByLabel('Action', { exact: true }).selectOption('UpdateFlagOn');
    await whoCan
      .getByLabel('Resource', { exact: true })
      .fill('project/shop:env/development:flag/checkout-v2');
    await whoCan.getByRole('button', { name: 'Find who can' }).click();
    await whoCan
      .getByRole('row', { name: new RegExp(`${DEV.email}.*non-production-access statement`) })
      .waitFor();
    await whoCan.getByRole('row', { name: new RegExp(`${OWNER.email}.*organization role owner`) }).waitFor();
  });

  it('shows the audit log with summaries, diffs and a verified chain', async () => {
    await open('#/audit');
    const available = await apiAsOwner<{ items?: unknown[] }>('GET', '/api/v1/audit?limit=1');
    if (!available.items) {
      await page.getByText('The audit log is not available on this server.').waitFor();
      return;
    }
    await page.getByText('enabled checkout-v2 in development').waitFor();
    await page.getByText(/permission granted dev@acme.com non-production-access/).waitFor();
    await page.getByText(`invited ${DEV.email} as member`).waitFor();
    await expect(page.locator('tr.denied').count()).resolves.toBeGreaterThan(0);
    await page.getByRole('button', { name: 'enabled checkout-v2 in development' }).click();
    await page.locator('table.diff').getByText('on', { exact: true }).waitFor();
    await page.getByText('“dogfooding”').waitFor();

    await page.getByLabel('Outcome').selectOption('denied');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/outcome=denied/);
    await expect(page.locator('tr.denied').count()).resolves.toBeGreaterThan(0);
    // The URL changes before the filtered page renders: wait for the applied entries to go.
    await page
      .getByText('enabled checkout-v2 in development')
      .first()
      .waitFor({ state: 'detached', timeout: 10_000 });
    await expect(page.getByText('enabled checkout-v2 in development').count()).resolves.toBe(0);

    await open('#/audit/timeline?project=shop&environment=development');
    await page.getByText('enabled checkout-v2 in development').waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'flagward-audit.png'), fullPage: true });

    await open('#/audit/integrity');
    await page.getByText('The log verifies.').waitFor();
  });

  it('hands a reviewer an export, its checkpoint and the key, which verify offline', async () => {
    const available = await apiAsOwner<{ items?: unknown[] }>('GET', '/api/v1/audit?limit=1');
    if (!available.items) return;
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'flagward-evidence-'));
    const download = async (name: string): Promise<string> => {
      const [file] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('link', { name, exact: true }).click(),
      ]);
      const to = path.join(folder, file.suggestedFilename());
      await file.saveAs(to);
      return to;
    };
    try {
      await open('#/audit/integrity');
      await page.getByRole('button', { name: 'Sign a checkpoint now' }).click();
      const complete = {
        file: await download('Export NDJSON'),
        checkpoint: await download('Checkpoint'),
        key: await download('Verifier key'),
      };
      expect(path.basename(complete.file)).toMatch(/^audit-\d+\.ndjson$/);
      expect(await verifyExportOffline(complete, undefined, { workers: 0 })).toMatchObject({
        ok: true,
        mode: 'complete',
      });

      // The log grows past the checkpoint; the filtered export still stops at it, with its proofs.
      await page.evaluate(() =>
        // Without the session's cookie, which would make it a cookie-authenticated write without CSRF.
        fetch('/api/v1/auth/login', {
          method: 'POST',
          credentials: 'omit',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: 'nobody@acme.com', password: 'not the password' }),
        }),
      );
      await open('#/audit?outcome=denied');
      await page.getByText('failed sign-in as nobody@acme.com').waitFor();
      const filtered = {
        file: await download('Export NDJSON'),
        checkpoint: await download('Checkpoint'),
        key: complete.key,
      };
      expect(filtered.checkpoint).toBe(complete.checkpoint);
      const result = await verifyExportOffline(filtered, undefined, { workers: 0 });
      expect(result).toMatchObject({ ok: true, mode: 'filtered' });
      expect(result.checked).toBeGreaterThan(0);
      expect(fs.readFileSync(filtered.file, 'utf8')).not.toContain('nobody@acme.com');
      const csv = await download('Export CSV');
      expect(fs.readFileSync(csv, 'utf8')).toMatch(/^seq,id,at,actor/);
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });
});
