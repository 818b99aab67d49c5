// The admin page end to end in headless Chromium (Debian's, driven by playwright-core), on the
// BPI-R4 test router with its recorded ping replies: the live state on each card against the
// exporter's own /metrics, moving WANs by drag and by keyboard, the settings form with the
// listener's validation messages, the countdown across a reload and in a second client, the phone
// layout, and the Content-Security-Policy. Screenshots at 1280 and 390 px go to test-artifacts/.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseExposition } from '../exporter/parse-exposition.ts';
import { call, startAdminLab, TOKEN, type AdminLab } from './admin-lab.ts';
import { ROOT, scrape } from './helpers.ts';
import { requireCommand } from './setup/preflight.ts';

// Found on the PATH (Debian's package puts it in /usr/bin); missing, the suite's preflight names it.
const CHROMIUM = requireCommand('chromium');
const ARTIFACTS = path.join(ROOT, 'test-artifacts');

describe('admin page in Chromium', () => {
  let lab: AdminLab;
  let browser: Browser;

  beforeAll(async () => {
    lab = await startAdminLab({ confirm_timeout_seconds: 60 }, undefined, { ping: true });
    await mkdir(ARTIFACTS, { recursive: true });
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

  /** A page in a context of its own (its own sessionStorage: another client), logged in. */
  async function open(width = 1280, height = 900): Promise<Page> {
    const context = await browser.newContext({ viewport: { width, height } });
    const page = await context.newPage();
    // Every Content-Security-Policy violation the page meets, from before its first script.
    await page.addInitScript(
      "window.violations = []; document.addEventListener('securitypolicyviolation', (e) => window.violations.push(e.violatedDirective + ' ' + e.blockedURI));",
    );
    await page.goto(lab.url);
    await page.fill('#token', TOKEN);
    await page.click('#login button');
    await page.locator('.card[data-wan="wan1"][data-state]').waitFor();
    return page;
  }

  const violations = (page: Page) => page.evaluate<string[]>('window.violations');
  // Expressions evaluated in the page are strings: the project's TypeScript has no DOM types.
  const focusedWan = (page: Page) => page.evaluate<string | undefined>('document.activeElement?.dataset.wan');

  it('shows on each card the live state the exporter reports for the router', async () => {
    const page = await open();
    const metrics = parseExposition(await scrape(lab.exporter.url));
    const value = (name: string, labels: Record<string, string>) =>
      metrics
        .find((f) => f.name === name)!
        .samples.find((s) => s.suffix === '' && Object.entries(labels).every(([k, v]) => s.labels[k] === v))!;
    const wan1 = page.locator('.card[data-wan="wan1"]');

    expect(await wan1.getAttribute('data-state')).toBe('up');
    expect(await wan1.locator('.state').textContent()).toBe('▲ up');
    const uptime = value('openwrt_interface_uptime_seconds', { interface: 'wan1' }).value;
    expect(Number(await wan1.locator('[data-field="uptime"]').getAttribute('data-value'))).toBe(uptime);
    expect(await wan1.locator('[data-field="uptime"]').textContent()).toBe(
      `${Math.floor(uptime / 3600)}h ${Math.floor((uptime % 3600) / 60)}m`,
    );
    expect(await wan1.locator('[data-field="device"]').textContent()).toBe(
      value('openwrt_wan_device_info', { interface: 'wan1' }).labels.device,
    );
    expect(await wan1.locator('[data-field="public-ip"]').textContent()).toBe(
      value('openwrt_omr_wan_info', { interface: 'wan1' }).labels.public_ip,
    );
    const inForce = metrics
      .find((f) => f.name === 'openwrt_mptcp_effective_mode')!
      .samples.find((s) => s.labels.interface === 'wan1' && s.value === 1)!;
    expect(await wan1.locator('[data-field="mptcp"]').getAttribute('data-value')).toBe(inForce.labels.mode);
    for (const target of ['vps', 'cloudflare']) {
      const labels = { interface: 'wan1', target };
      const li = wan1.locator(`.targets li[data-target="${target}"]`);
      const rtt = value('openwrt_ping_last_rtt_seconds', labels).value;
      expect(Number(await li.getAttribute('data-latency'))).toBe(rtt);
      expect(await li.textContent()).toContain(`${(rtt * 1000).toFixed(1)} ms`);
      const lost = 1 - value('openwrt_ping_responses_total', labels).value / value('openwrt_ping_requests_total', labels).value;
      expect(Number(await li.getAttribute('data-loss'))).toBeCloseTo(lost, 9);
      expect(await li.locator('svg.spark polyline').count()).toBe(1);
    }
    // wan3: 2 of its 11 echo requests to the VPS went unanswered.
    expect(await page.locator('.card[data-wan="wan3"] li[data-target="vps"]').textContent()).toContain('loss 18.2 %');
    // wan2's link is up, but OMR's tracker says down: said apart from the link state.
    expect(await page.locator('.card[data-wan="wan2"] .state').textContent()).toBe('▲ up');
    expect(await page.locator('.card[data-wan="wan2"] .tracker').isVisible()).toBe(true);
    expect(await wan1.locator('.tracker').isVisible()).toBe(false);
    // wan2 is configured "on", but with the tracker's verdict its endpoint is off: a visible warning.
    const modeOf = (name: string, wan: string) =>
      metrics.find((f) => f.name === name)!.samples.find((s) => s.labels.interface === wan && s.value === 1)!.labels.mode;
    const wan2Mode = page.locator('.card[data-wan="wan2"] [data-field="mptcp"]');
    expect(value('openwrt_mptcp_mode_mismatch', { interface: 'wan2' }).value).toBe(1);
    expect(await wan2Mode.textContent()).toBe(
      `⚠ ${modeOf('openwrt_mptcp_configured_mode', 'wan2')} configured, ${modeOf('openwrt_mptcp_effective_mode', 'wan2')} in force`,
    );
    expect(await wan2Mode.getAttribute('class')).toBe('warning');
    expect(await wan1.locator('[data-field="mptcp"]').getAttribute('class')).toBe('');
    // A disabled WAN netifd says has no device: both, in words and not by colour alone.
    expect(await page.locator('.card[data-wan="wan4"]').getAttribute('data-state')).toBe('disabled');
    expect(await page.locator('.card[data-wan="wan4"] .state').textContent()).toBe('⊘ disabled · no device (NO_DEVICE)');

    // Traffic: 2.5 MB more received on wan1's device, nothing sent. The rate is the page's own two
    // samples apart, and download stays download.
    const netdev = path.join(lab.router.dir, 'rootfs/proc/net/dev');
    const before = await readFile(netdev, 'utf8');
    await writeFile(
      netdev,
      before.replace(/^( +wan: )(\d+)/m, (_m, head: string, bytes: string) => head + String(Number(bytes) + 2_500_000)),
    );
    // Polled from here: the page's CSP forbids the eval that a string waitForFunction needs.
    let rate = { receive: 0, transmit: '', interval: 0, text: '' };
    await expect
      .poll(
        async () =>
          (rate = await page.evaluate<typeof rate>(
            `(() => {
              const dd = document.querySelector('.card[data-wan="wan1"] [data-field="rate"]');
              const interval = Number(document.querySelector('#board').dataset.interval);
              return { receive: Number(dd.dataset.receive), transmit: dd.dataset.transmit, interval, text: dd.textContent };
            })()`,
          )).receive,
        { timeout: 30_000, interval: 500 },
      )
      .toBeGreaterThan(0);
    expect(rate.receive * rate.interval).toBeCloseTo(2_500_000 * 8, 3);
    expect(rate.transmit).toBe('0');
    expect(rate.text).toMatch(/^↓ [\d.]+ (k|M)bit\/s · ↑ 0 bit\/s$/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'admin-page-1280.png'), fullPage: true });
    expect(await violations(page)).toEqual([]);
    await page.context().close();
  }, 60_000);

  it('drags wan3 from Standby to Bonded, previews, applies and confirms', async () => {
    const page = await open(1200, 800);
    expect(await page.locator('[data-column="standby"] [data-wan="wan3"]').count()).toBe(1);
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
    expect(await page.textContent('#pending-rule')).toContain('At zero, routerscope puts the previous configuration back');

    await page.click('#confirm');
    await page.locator('#status', { hasText: 'confirmed' }).waitFor();
    expect(await page.locator('#pending').isHidden()).toBe(true);
    expect(await lab.configFile('network')).toMatch(/config interface 'wan3'\n(\t.*\n)*\toption multipath 'on'/);
    expect(await lab.configFile('openmptcprouter')).toMatch(/config interface 'wan3'\n\toption multipath 'on'/);
    expect((await lab.audit()).slice(-2).map((a) => a.result)).toEqual(['applied, awaiting confirmation', 'confirmed']);
    await page.context().close();
  }, 60_000);

  it('moves a WAN with the keyboard only; a reload and another client keep the countdown and offer no second change', async () => {
    const page = await open();
    // Tab to wan2's card, as someone without a mouse would.
    for (let i = 0; i < 80; i++) {
      await page.keyboard.press('Tab');
      if ((await focusedWan(page)) === 'wan2') break;
    }
    expect(await focusedWan(page)).toBe('wan2');
    // The focus ring is drawn (not removed by the style sheet).
    expect(await page.evaluate('getComputedStyle(document.activeElement).outlineStyle')).toBe('solid');
    await page.keyboard.press('ArrowRight');
    expect(await page.locator('[data-column="standby"] [data-wan="wan2"]').count()).toBe(1);
    expect(await focusedWan(page)).toBe('wan2');
    expect(await page.textContent('#status')).toBe('wan2 moved to Standby: preview to see the plan');
    await page.focus('#preview');
    await page.keyboard.press('Enter');
    await page.locator('#plan').waitFor({ state: 'visible' });
    expect(await page.textContent('#commands')).toContain('set network.wan2.multipath=backup');
    await page.focus('#apply');
    await page.keyboard.press('Enter');
    await page.locator('#pending').waitFor({ state: 'visible' });

    // The countdown counts down, and comes back after a reload from what the listener says.
    const first = Number(await page.textContent('#countdown'));
    await expect.poll(async () => Number(await page.textContent('#countdown')), { timeout: 10_000 }).toBeLessThan(first);
    await page.reload();
    await page.locator('#pending').waitFor({ state: 'visible' });
    const afterReload = Number(await page.textContent('#countdown'));
    expect(afterReload).toBeLessThan(first);
    expect(afterReload).toBeGreaterThan(30);
    expect(await page.textContent('#pending-what')).toBe('WAN policy');
    expect(await page.locator('#preview').isDisabled()).toBe(true);

    // Another client sees the same change pending, and cannot start a second one.
    const other = await open();
    await other.locator('#pending').waitFor({ state: 'visible' });
    expect(Math.abs(Number(await other.textContent('#countdown')) - afterReload)).toBeLessThanOrEqual(3);
    expect(await other.locator('#preview').isDisabled()).toBe(true);
    await other.click('.card[data-wan="wan1"] button.edit');
    expect(await other.locator('#settings-preview').isDisabled()).toBe(true);

    await other.click('#confirm');
    await other.locator('#status', { hasText: 'confirmed' }).waitFor();
    // The first page learns at its next refresh that nothing is pending any more.
    await page.locator('#pending').waitFor({ state: 'hidden', timeout: 15_000 });
    expect(await page.locator('#preview').isDisabled()).toBe(false);
    expect(await lab.configFile('network')).toMatch(/config interface 'wan2'\n(\t.*\n)*\toption multipath 'backup'/);
    await other.context().close();
    await page.context().close();
  }, 90_000);

  it("shows the listener's validation message beside the field, then applies and confirms a valid change", async () => {
    const page = await open();
    await page.click('.card[data-wan="wan1"] button.edit');
    await page.locator('#settings').waitFor({ state: 'visible' });
    expect(await page.inputValue('#f-proto')).toBe('dhcp');
    expect(await page.locator('#f-ipaddr').isDisabled()).toBe(true);

    await page.fill('#f-mtu', '100');
    await page.click('#settings-preview');
    await page.locator('#err-mtu', { hasText: 'mtu' }).waitFor();
    expect(await page.textContent('#err-mtu')).toBe('mtu must be a whole number from 576 to 9000, not 100');
    expect(await page.getAttribute('#f-mtu', 'aria-invalid')).toBe('true');
    expect(await page.textContent('#err-dns')).toBe('');

    await page.fill('#f-dns1', '9.9.9.9x');
    await page.fill('#f-mtu', '1492');
    await page.click('#settings-preview');
    await page.locator('#err-dns', { hasText: 'dns' }).waitFor();
    expect(await page.textContent('#err-dns')).toBe('dns server "9.9.9.9x" is not an IP address');
    expect(await page.textContent('#err-mtu')).toBe('');

    await page.fill('#f-dns1', '9.9.9.9');
    await page.click('#settings-preview');
    await page.locator('#settings-plan').waitFor({ state: 'visible' });
    const plan = await page.textContent('#settings-commands');
    expect(plan).toContain('set network.wan1.mtu=1492');
    expect(plan).toContain('add_list network.wan1.dns=9.9.9.9');
    expect(await lab.configFile('network')).not.toContain("option mtu '1492'");

    await page.click('#settings-apply');
    await page.locator('#pending').waitFor({ state: 'visible' });
    expect(await page.textContent('#pending-what')).toBe('Settings of wan1');
    await page.click('#confirm');
    await page.locator('#status', { hasText: 'confirmed' }).waitFor();
    const network = await lab.configFile('network');
    expect(network).toMatch(/config interface 'wan1'\n(\t.*\n)*\toption mtu '1492'/);
    expect(network).toMatch(/config interface 'wan1'\n(\t.*\n)*\tlist dns '9.9.9.9'/);
    expect(await violations(page)).toEqual([]);
    await page.context().close();
  }, 60_000);

  it('stacks the columns at 390 px wide', async () => {
    const page = await open(390, 844);
    const boxes = await page.evaluate<Array<{ x: number; y: number; height: number }>>(
      "[...document.querySelectorAll('.column')].map((c) => c.getBoundingClientRect().toJSON())",
    );
    expect(new Set(boxes.map((b) => Math.round(b.x))).size).toBe(1);
    for (let i = 1; i < boxes.length; i++) expect(boxes[i]!.y).toBeGreaterThanOrEqual(boxes[i - 1]!.y + boxes[i - 1]!.height);
    // Nothing wider than the screen: no sideways scrolling on a phone.
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await page.screenshot({ path: path.join(ARTIFACTS, 'admin-page-390.png'), fullPage: true });
    await page.context().close();
  }, 60_000);

  it('is served under a strict Content-Security-Policy that blocks inline script, and works under it', async () => {
    for (const asset of ['/', '/app.js', '/app.css']) {
      const res = await call(lab.url, 'GET', asset, { token: null });
      expect(res.status).toBe(200);
      expect(res.headers['content-security-policy']).toBe("default-src 'self'; frame-ancestors 'none'");
      expect(res.headers['x-frame-options']).toBe('DENY');
    }
    const page = await open();
    // The page has worked (cards, live state) with nothing blocked; an inline script is blocked.
    expect(await violations(page)).toEqual([]);
    await page.evaluate("const s = document.createElement('script'); s.textContent = 'window.inlineRan = true'; document.body.append(s);");
    expect(await page.evaluate('window.inlineRan')).toBeUndefined();
    await expect.poll(async () => (await violations(page)).length).toBeGreaterThan(0);
    expect((await violations(page))[0]).toMatch(/^script-src-elem inline/);
    await page.context().close();
  }, 60_000);
});
