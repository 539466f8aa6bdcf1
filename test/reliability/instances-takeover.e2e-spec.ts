import { usePostgresDatabase } from '../support/postgres-database';
import { killDemoProcesses } from './support/demo-process';
import { runInstancesScenario, WATCHED_SUBSCRIBER } from './support/instances-scenario';

describe.each([2, 4])('when %i demo instances share one PostgreSQL database', (instances) => {
  const db = usePostgresDatabase();

  afterEach(async () => {
    await killDemoProcesses();
  });

  it('should run each subscription on one instance, take it over after a SIGKILL and double nothing', async () => {
    // Given: the instances, orders and async fulfilments sent to all of them
    // When: the holder of the orders projection is SIGKILLed with sagas in flight
    const result = await runInstancesScenario({ url: db.url, instances });

    // Then: every instance appended, and every invariant held afterwards
    expect(result.problems).toEqual([]);
    expect(result.instancesAppending).toBe(instances);
    expect(result.report.lost).toBe(0);
    expect(result.report.duplicated).toBe(0);
    // and before the kill each subscription had one owner, which alone said it runs it
    expect(Object.keys(result.ownersBeforeKill)).toContain(WATCHED_SUBSCRIBER);
    for (const [name, owners] of Object.entries(result.ownersBeforeKill)) {
      expect({ name, owners: owners.length }).toEqual({ name, owners: 1 });
    }
    // and every time an instance started running a subscription it held a new fencing token
    const tokens = result.runsHere.map((run) => `${run.subscriber}#${run.token}`);
    expect(new Set(tokens).size).toBe(tokens.length);
    const watchedRuns = result.runsHere.filter((run) => run.subscriber === WATCHED_SUBSCRIBER);
    expect(watchedRuns).toHaveLength(2);
    expect(watchedRuns[0].pid).not.toBe(watchedRuns[1].pid);
    // and the killed instance's unfinished sagas were each recovered by exactly one survivor
    expect(result.sagasOrphaned).toBeGreaterThan(0);
    for (const [sagaId, pids] of Object.entries(result.recoveredBy)) {
      expect({ sagaId, recoveredBy: pids.length }).toEqual({ sagaId, recoveredBy: 1 });
    }
    // and the takeover came within 10 seconds (the scenario waits at most that long)
    expect(result.takeoverMs).toBeDefined();
  }, 90_000);
});
