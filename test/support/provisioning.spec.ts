import { aptInstallDecision, installsForbidden, withLock } from './provisioning';

describe('the harness provisioning decisions', () => {
  it('installs a missing system package only as root, with apt-get, when installs are allowed', () => {
    expect(aptInstallDecision({ root: true, hasApt: true, forbidden: false })).toEqual({
      install: true,
      reason: 'running as root with apt-get',
    });
    expect(aptInstallDecision({ root: false, hasApt: true, forbidden: false })).toEqual({
      install: false,
      reason: 'not running as root',
    });
    expect(aptInstallDecision({ root: true, hasApt: false, forbidden: false })).toEqual({
      install: false,
      reason: 'apt-get is not available',
    });
    expect(aptInstallDecision({ root: true, hasApt: true, forbidden: true })).toEqual({
      install: false,
      reason: 'CELLO_TEST_NO_INSTALL is set',
    });
  });

  it('reads CELLO_TEST_NO_INSTALL as a yes/no switch', () => {
    for (const value of ['1', 'true', 'yes', 'TRUE']) {
      expect(installsForbidden({ CELLO_TEST_NO_INSTALL: value })).toBe(true);
    }
    for (const value of [undefined, '', '0', 'false', 'no']) {
      expect(installsForbidden({ CELLO_TEST_NO_INSTALL: value })).toBe(false);
    }
  });

  it('lets one holder at a time run under a lock, and frees it when the work fails', async () => {
    // Given
    const name = `spec-${process.pid}-${Date.now()}`;
    let inside = 0;
    let most = 0;
    const work = async () => {
      inside++;
      most = Math.max(most, inside);
      await new Promise((resolve) => setTimeout(resolve, 50));
      inside--;
    };
    // When
    await Promise.all([withLock(name, work), withLock(name, work), withLock(name, work)]);
    await expect(
      withLock(name, async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    // Then
    expect(most).toBe(1);
    await expect(withLock(name, async () => 'free again')).resolves.toBe('free again');
  });
});
