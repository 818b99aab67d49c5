// The admin page end to end in headless Chromium (Debian's, driven by playwright-core): drag a WAN
// from Standby to Bonded, look at the plan, apply, confirm, and find the change in the UCI files.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import * as path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAdminLab, TOKEN, type AdminLab } from './admin-lab.ts';
import { ROOT } from './helpers.ts';
import { requireCommand } from './setup/preflight.ts';

// Found on the PATH (Debian's package puts it in /usr/bin); missing, the suite's preflight names it.
const CHROMIUM = requireCommand('chromium');

describe('admin page in Chromium', () => {
  let lab: AdminLab;
  let browser: Browser;

  beforeAll(async () => {
    lab = await startAdminLab({ confirm_timeout_seconds: 60 });
    // playwright-core gives the browser a fresh empty profile of its own.
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await lab?.stop();
  });

  it('drags wan3 from Standby to Bonded, previews, applies and confirms', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    await page.goto(lab.url);
    await page.fill('#token', TOKEN);
    await page.click('#login button');
    const standby = page.locator('[data-column="standby"] [data-wan="wan3"]');
    await standby.waitFor();
    expect(await page.locator('[data-column="bonded"] .card').count()).toBe(1);

    await page.dragAndDrop('[data-wan="wan3"]', '[data-column="bonded"]');
    expect(await page.locator('[data-column="bonded"] [data-wan="wan3"]').count()).toBe(1);

    await page.click('#preview');
    await page.locator('#plan').waitFor({ state: 'visible' });
    const plan = await page.textContent('#commands');
    expect(plan).toContain('set network.wan3.multipath=on');
    expect(plan).toContain('ubus call network reload');
    expect(await lab.configFile('network')).toMatch(/config interface 'wan3'\n(\t.*\n)*\toption multipath 'backup'/);

    await page.click('#apply');
    await page.locator('#pending').waitFor({ state: 'visible' });
    const countdown = Number(await page.textContent('#countdown'));
    expect(countdown).toBeGreaterThan(30);
    expect(countdown).toBeLessThanOrEqual(60);
    await mkdir(path.join(ROOT, 'test-artifacts'), { recursive: true });
    await page.screenshot({ path: path.join(ROOT, 'test-artifacts', 'admin-page.png'), fullPage: true });

    await page.click('#confirm');
    await page.locator('#status', { hasText: 'confirmed' }).waitFor();
    expect(await lab.configFile('network')).toMatch(/config interface 'wan3'\n(\t.*\n)*\toption multipath 'on'/);
    expect(await lab.configFile('openmptcprouter')).toMatch(/config interface 'wan3'\n\toption multipath 'on'/);
    expect((await lab.audit()).map((a) => a.result)).toEqual(['applied, awaiting confirmation', 'confirmed']);
    expect(existsSync(path.join(ROOT, 'test-artifacts', 'admin-page.png'))).toBe(true);
  });
});
