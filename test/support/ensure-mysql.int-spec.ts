import { freePort } from './free-port';
import { ensureMysql } from './provisioning';

// The steps after "nothing answers" for MySQL, pointed at a port where nothing
// listens: whether Debian's mariadb-server gets installed, and what a test file
// is told when it does not. The install itself is replaced: apt-get install of
// an installed package is a no-op here, so it would prove nothing.
describe('the MySQL lookup when nothing answers', () => {
  let url: string;
  const status = jest.fn();

  // MYSQL_URL would come first: the first three tests are about the steps after it.
  const saved = process.env.MYSQL_URL;

  beforeAll(async () => {
    url = `mysql://cello:cello@127.0.0.1:${await freePort()}/mysql`;
  });

  beforeEach(() => {
    delete process.env.MYSQL_URL;
  });

  afterEach(() => {
    if (saved !== undefined) process.env.MYSQL_URL = saved;
  });

  it('installs mariadb-server when none is installed and installing is allowed', async () => {
    // Given
    const install = jest.fn(async () => undefined);
    // When
    const outcome = ensureMysql({
      url,
      installed: false,
      decision: { install: true, reason: 'running as root with apt-get' },
      install,
      status,
    });
    // Then: installed, started, and still nothing at this port, which the error says
    await expect(outcome).rejects.toThrow(
      `no MySQL/MariaDB reachable at ${url.replace('cello:cello', '***')} (installed mariadb-server with apt-get`,
    );
    expect(install).toHaveBeenCalledTimes(1);
    expect(status).not.toHaveBeenCalled();
  });

  it('says why it does not install, and how to provide a server, when installing is not allowed', async () => {
    // Given
    const install = jest.fn(async () => undefined);
    // When
    const outcome = ensureMysql({
      url,
      installed: false,
      decision: { install: false, reason: 'CELLO_TEST_NO_INSTALL is set' },
      install,
    });
    // Then
    await expect(outcome).rejects.toThrow(
      /none installed; not installing mariadb-server: CELLO_TEST_NO_INSTALL is set\. Set MYSQL_URL to/,
    );
    expect(install).not.toHaveBeenCalled();
  });

  it('never installs when a server is installed, even a stopped one', async () => {
    // Given
    const install = jest.fn(async () => undefined);
    // When
    const outcome = ensureMysql({
      url,
      installed: true,
      decision: { install: true, reason: 'running as root with apt-get' },
      install,
    });
    // Then
    await expect(outcome).rejects.toThrow(
      `no MySQL/MariaDB reachable at ${url.replace('cello:cello', '***')}`,
    );
    expect(install).not.toHaveBeenCalled();
  });

  it('finds again what the global setup found, and says so in one line', async () => {
    // Given
    if (saved !== undefined) process.env.MYSQL_URL = saved;
    // When
    const found = await ensureMysql({ status });
    // Then
    expect(found).toBe(process.env.CELLO_TEST_MYSQL_ADMIN_URL);
    expect(status).toHaveBeenCalledTimes(1);
    expect(status).toHaveBeenCalledWith(
      'mysql',
      saved === undefined
        ? expect.stringMatching(/^using the local server at 127\.0\.0\.1:3306/)
        : 'using MYSQL_URL',
    );
  });
});
