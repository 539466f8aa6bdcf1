import { randomUUID } from 'node:crypto';
import { isCelloError } from '@cello/core';
import { SagaInvalidInputError } from '../errors/saga-invalid-input.error';
import { SagaMachine } from '../machine/saga-machine';
import { attemptsOf, withAttempts, type SagaAttempt } from '../runner/saga-attempt';
import { originOf, withOrigin } from '../runner/saga-origin';
import { writeOf } from '../runner/saga-writes';
import type { SagaStorage, SagaWrite } from '../storage/saga-storage';

const definition = {
  steps: [{ name: 'only', maxRetries: 0, hasCompensation: false, compensateOnFailure: false }],
  retryBaseMs: 10,
  retryCapMs: 100,
  timeoutMs: null,
};

function started(): SagaWrite['state'] {
  return SagaMachine.transition(SagaMachine.init(definition), { type: 'start', nowMs: Date.now() })
    .state;
}

function write(id: string, owner: string, overrides: Partial<SagaWrite> = {}): SagaWrite {
  return {
    id,
    status: 'running',
    state: started(),
    context: { n: 1 },
    owner,
    fencingToken: 1,
    leaseTtlMs: 60_000,
    ...overrides,
  };
}

/**
 * The backend contract suite for sagas: the behaviour every `SagaStorage` must
 * have (memory, PostgreSQL, MySQL, a user's own). Call it inside a jest test file;
 * `open` returns a ready storage and a way to open a second one on the same data.
 */
export function describeSagaStorageContract(
  name: string,
  open: () => Promise<{ storage: SagaStorage; other: () => Promise<SagaStorage> }>,
): void {
  describe(`${name} saga storage`, () => {
    let storage: SagaStorage;
    let other: () => Promise<SagaStorage>;

    beforeEach(async () => {
      ({ storage, other } = await open());
    });

    afterEach(async () => {
      await storage.close();
    });

    describe('when a saga is created and saved', () => {
      it('should read back the latest state and context', async () => {
        // Given
        const id = randomUUID();
        await storage.create({ ...write(id, 'a'), sagaName: 'orders' });
        // When
        const saved = await storage.save(write(id, 'a', { context: { n: 2, text: "it's <b>" } }));
        // Then
        expect(saved).toBe(true);
        const record = await storage.load(id);
        expect(record).toMatchObject({
          id,
          sagaName: 'orders',
          status: 'running',
          context: { n: 2, text: "it's <b>" },
          leaseOwner: 'a',
          fencingToken: 1,
        });
        expect(record?.state.steps[0].status).toBe('running');
        expect(await storage.load('missing')).toBeUndefined();
      });
    });

    describe('when a transition carries its attempt history', () => {
      it('should read the attempts back with the state, and the machine can resume it', async () => {
        // Given
        const id = randomUUID();
        await storage.create({ ...write(id, 'a'), sagaName: 'orders' });
        const attempts: SagaAttempt[] = [
          {
            step: 'only',
            kind: 'step',
            attempt: 1,
            startedAt: '2026-01-01T00:00:00.000Z',
            endedAt: '2026-01-01T00:00:00.250Z',
            durationMs: 250,
            outcome: 'failed',
            error: "card declined: it's <b>",
            idempotencyKey: `${id}:only`,
            owner: 'a',
          },
        ];
        // When
        const saved = await storage.save(
          writeOf(write(id, 'a'), withAttempts(JSON.stringify(started()), attempts)),
        );
        // Then
        expect(saved).toBe(true);
        const record = await storage.load(id);
        expect(attemptsOf(record?.state)).toEqual(attempts);
        expect(() =>
          SagaMachine.transition(record!.state, {
            type: 'step_succeeded',
            index: 0,
            nowMs: Date.now(),
          }),
        ).not.toThrow();
      });
    });

    describe('when a saga is created and saved with its origin (correlation id, trace context)', () => {
      it('should read the origin back with the state, so a recovering instance carries it on', async () => {
        // Given
        const id = randomUUID();
        const origin = {
          correlationId: "request-42 <it's>",
          trace: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
        };
        await storage.create({
          ...writeOf(write(id, 'a'), withOrigin(JSON.stringify(started()), origin)),
          sagaName: 'orders',
        });
        expect(originOf((await storage.load(id))?.state)).toEqual(origin);
        // When
        const saved = await storage.save(
          writeOf(write(id, 'a'), withOrigin(JSON.stringify(started()), origin)),
        );
        // Then
        expect(saved).toBe(true);
        const record = await storage.load(id);
        expect(originOf(record?.state)).toEqual(origin);
        expect(() =>
          SagaMachine.transition(record!.state, { type: 'step_succeeded', index: 0, nowMs: 1 }),
        ).not.toThrow();
      });
    });

    describe('when a saga is created with an id that exists', () => {
      it('should report false and leave the first one as it was', async () => {
        // Given
        const id = `order-${randomUUID()}`;
        const first = await storage.create({ ...write(id, 'a'), sagaName: 'orders' });
        // When
        const again = await storage.create({
          ...write(id, 'b', { context: { n: 99 } }),
          sagaName: 'refunds',
        });
        // Then
        expect(first).toBe(true);
        expect(again).toBe(false);
        expect(await storage.load(id)).toMatchObject({
          sagaName: 'orders',
          context: { n: 1 },
          leaseOwner: 'a',
        });
      });

      it('should create it once when the same id is created many times at once', async () => {
        // Given one id among others, created concurrently (the same coalesced batch, on backends that batch)
        const id = `order-${randomUUID()}`;
        const others = Array.from({ length: 3 }, () => randomUUID());
        // When
        const outcomes = await Promise.all([
          ...[1, 2, 3, 4].map((n) => storage.create({ ...write(id, `w${n}`), sagaName: 'orders' })),
          ...others.map((other) => storage.create({ ...write(other, 'x'), sagaName: 'orders' })),
        ]);
        // Then exactly one write of the shared id created it, and the others were created
        expect(outcomes.slice(0, 4).filter(Boolean)).toHaveLength(1);
        expect(outcomes.slice(4)).toEqual([true, true, true]);
        const winner = outcomes.slice(0, 4).indexOf(true) + 1;
        expect((await storage.load(id))?.leaseOwner).toBe(`w${winner}`);
      });
    });

    describe('when poisoned writes arrive at once with good ones', () => {
      // A lone surrogate passes JSON.stringify, and PostgreSQL's jsonb and MariaDB's JSON refuse it.
      const poison = { customer_id: '\ud800x' };
      // Finished sagas of an owner and kind of their own: the other cases never see them.
      const owner = `poison-${randomUUID()}`;
      const sagaName = `poison-${randomUUID()}`;
      const done = (overrides: Partial<SagaWrite>) => ({
        status: 'completed' as const,
        ...overrides,
      });

      async function settle(writes: Promise<boolean>[]) {
        const settled = await Promise.allSettled(writes);
        return settled.map((s) => (s.status === 'fulfilled' ? s.value : s.reason));
      }

      function expectInvalidInput(outcomes: unknown[]): void {
        for (const outcome of outcomes) {
          expect(isCelloError(outcome, SagaInvalidInputError.code)).toBe(true);
          expect(outcome).toBeInstanceOf(SagaInvalidInputError);
        }
      }

      it('should store every good create and refuse only the poisoned ones, as invalid input', async () => {
        // Given 60 good and 20 poisoned creates, interleaved (one coalesced batch, on backends that batch)
        const good = Array.from({ length: 60 }, () => randomUUID());
        const bad = Array.from({ length: 20 }, () => randomUUID());
        // When
        const outcomes = await settle(
          good.flatMap((id, i) => [
            storage.create({ ...write(id, owner, done({ context: { n: i } })), sagaName }),
            ...(i % 3 === 0
              ? [
                  storage.create({
                    ...write(bad[i / 3], 'a', { context: poison }),
                    sagaName: 'orders',
                  }),
                ]
              : []),
          ]),
        );
        // Then
        const badOutcomes = outcomes.filter((_, k) => k % 4 === 1);
        const goodOutcomes = outcomes.filter((_, k) => k % 4 !== 1);
        expect(goodOutcomes).toEqual(good.map(() => true));
        expectInvalidInput(badOutcomes);
        for (const id of bad) expect(await storage.load(id)).toBeUndefined();
        const stored = await storage.list({ sagaName, limit: 1000 });
        expect(stored.map((r) => r.id).sort()).toEqual([...good].sort());
      });

      it('should save every good transition and refuse only the poisoned ones, as invalid input', async () => {
        // Given 80 sagas, then 60 good and 20 poisoned saves at once
        const ids = Array.from({ length: 80 }, () => randomUUID());
        await Promise.all(
          ids.map((id) => storage.create({ ...write(id, owner, done({})), sagaName })),
        );
        const poisoned = (k: number) => k % 4 === 1;
        // When
        const outcomes = await settle(
          ids.map((id, k) =>
            storage.save(write(id, owner, done({ context: poisoned(k) ? poison : { n: 2, k } }))),
          ),
        );
        // Then
        expect(outcomes.filter((_, k) => !poisoned(k))).toEqual(Array(60).fill(true));
        expectInvalidInput(outcomes.filter((_, k) => poisoned(k)));
        for (const [k, id] of ids.entries()) {
          expect((await storage.load(id))?.context).toEqual(poisoned(k) ? { n: 1 } : { n: 2, k });
        }
      });
    });

    describe('when a writer lost its lease', () => {
      it('should refuse its write and keep the new owner', async () => {
        // Given a saga whose lease expired and was claimed by b
        const id = randomUUID();
        await storage.create({ ...write(id, 'a', { leaseTtlMs: 1 }), sagaName: 'orders' });
        await new Promise((r) => setTimeout(r, 20));
        const [claimed] = await storage.claimAbandoned('b', 60_000, 10);
        expect(claimed).toMatchObject({ id, leaseOwner: 'b', fencingToken: 2 });
        // When a writes with its stale token
        const saved = await storage.save(write(id, 'a', { context: { stale: true } }));
        // Then
        expect(saved).toBe(false);
        expect((await storage.load(id))?.context).toEqual({ n: 1 });
        expect(await storage.save(write(id, 'b', { fencingToken: 2 }))).toBe(true);
        expect(await storage.renewLeases('a', new Map([[id, 1]]), 60_000)).toEqual([]);
        expect(await storage.renewLeases('b', new Map([[id, 2]]), 60_000)).toEqual([id]);
      });
    });

    describe('when leases are live or the saga finished', () => {
      it('should not hand the saga to a claimer', async () => {
        // Given
        const live = randomUUID();
        const done = randomUUID();
        await storage.create({ ...write(live, 'a'), sagaName: 'orders' });
        await storage.create({ ...write(done, 'a', { leaseTtlMs: 1 }), sagaName: 'orders' });
        await storage.save(write(done, 'a', { status: 'completed', leaseTtlMs: 1 }));
        await new Promise((r) => setTimeout(r, 20));
        // When
        const claimed = await storage.claimAbandoned('b', 60_000, 10);
        // Then
        expect(claimed.map((r) => r.id)).not.toContain(live);
        expect(claimed.map((r) => r.id)).not.toContain(done);
        // nor to a later process of the same instance (a restart, or a twin)
        const same = await storage.claimAbandoned('a', 60_000, 10, { incarnation: 'a-later' });
        expect(same.map((r) => r.id)).not.toContain(live);
      });
    });

    describe('when a live lease is held by another process of the same instance', () => {
      async function heldBy(incarnation: string): Promise<string> {
        const id = randomUUID();
        await storage.create({ ...write(id, 'same'), sagaName: 'orders', incarnation });
        return id;
      }

      it('should take it only once that process stopped beating', async () => {
        // Given a saga leased for a minute to a process whose heartbeat lasts 100 ms
        const gone = `gone-${randomUUID()}`;
        expect(await storage.heartbeat('same', gone, 100)).toEqual({ expired: false, others: [] });
        const id = await heldBy(gone);
        const before = await storage.claimAbandoned('same', 60_000, 100, { incarnation: 'next' });
        expect(before.map((r) => r.id)).not.toContain(id);
        // When its heartbeat lapses
        await new Promise((r) => setTimeout(r, 250));
        // Then its successor takes the saga, with a new fencing token
        const after = await storage.claimAbandoned('same', 60_000, 100, { incarnation: 'next' });
        expect(after.find((r) => r.id === id)).toMatchObject({
          leaseOwner: 'same',
          leaseIncarnation: 'next',
          fencingToken: 2,
        });
        // and a lapsed heartbeat is never revived
        expect((await storage.heartbeat('same', gone, 60_000)).expired).toBe(true);
      });

      it('should take it at once when that process retired, and never while it beats', async () => {
        // Given two processes of one instance, beating
        const [retired, beating] = [`retired-${randomUUID()}`, `beating-${randomUUID()}`];
        await storage.heartbeat('twin', retired, 60_000);
        await storage.heartbeat('twin', beating, 60_000);
        const fromRetired = await heldBy(retired);
        const fromBeating = await heldBy(beating);
        // When one retires (a graceful stop)
        await storage.retireIncarnation(retired);
        await storage.heartbeat('twin', `restarted-${randomUUID()}`, 60_000);
        // Then only its saga is taken
        const claimed = (
          await storage.claimAbandoned('x', 60_000, 100, { incarnation: 'x-1' })
        ).map((r) => r.id);
        expect(claimed).toContain(fromRetired);
        expect(claimed).not.toContain(fromBeating);
      });

      it('should list the other live processes of the instance with their beats', async () => {
        // Given
        const instance = `instance-${randomUUID()}`;
        await storage.heartbeat(instance, 'one', 60_000);
        await storage.heartbeat(instance, 'one', 60_000);
        await storage.heartbeat(instance, 'stopped', 60_000);
        await storage.retireIncarnation('stopped');
        await storage.heartbeat('someone-else', 'other', 60_000);
        // When
        const beat = await storage.heartbeat(instance, 'two', 60_000);
        // Then
        expect(beat).toEqual({ expired: false, others: [{ incarnation: 'one', beats: 2 }] });
      });
    });

    describe('when the claimer drives a saga itself', () => {
      it('should not hand it that saga, even with its lease expired', async () => {
        // Given an expired lease on a saga the claiming process still drives
        const id = randomUUID();
        await storage.create({
          ...write(id, 'me', { leaseTtlMs: 1 }),
          sagaName: 'orders',
          incarnation: 'me-1',
        });
        await new Promise((r) => setTimeout(r, 20));
        // When / Then
        const mine = { incarnation: 'me-1', busy: [id] };
        expect(
          (await storage.claimAbandoned('me', 60_000, 100, mine)).map((r) => r.id),
        ).not.toContain(id);
        expect(await storage.load(id)).toMatchObject({ fencingToken: 1, leaseIncarnation: 'me-1' });
        // and once it no longer drives it (its drive ended), the saga is claimable again
        const orphan = await storage.claimAbandoned('me', 60_000, 100, { incarnation: 'me-1' });
        expect(orphan.map((r) => r.id)).toContain(id);
      });
    });

    describe('when two claimers scan at the same time', () => {
      it('should give each abandoned saga to exactly one of them', async () => {
        // Given
        const ids = Array.from({ length: 30 }, () => randomUUID());
        for (const id of ids) {
          await storage.create({ ...write(id, 'dead', { leaseTtlMs: 1 }), sagaName: 'orders' });
        }
        await new Promise((r) => setTimeout(r, 20));
        const second = await other();
        // When
        const claims = await Promise.all(
          Array.from({ length: 6 }, (_, i) =>
            (i % 2 ? second : storage).claimAbandoned(`claimer-${i}`, 60_000, 7),
          ),
        );
        await second.close();
        // Then
        const all = claims.flat().map((r) => r.id);
        expect(new Set(all).size).toBe(all.length);
        const rest = await storage.claimAbandoned('late', 60_000, 100);
        expect([...all, ...rest.map((r) => r.id)].sort()).toEqual([...ids].sort());
      });
    });

    describe('when a claimed saga is quarantined as corrupt', () => {
      it('should keep its state, list it as corrupt and never hand it to a claimer again', async () => {
        // Given an abandoned saga, claimed by b
        const id = randomUUID();
        const stored = write(id, 'dead', { leaseTtlMs: 1 });
        await storage.create({ ...stored, sagaName: 'orders' });
        await new Promise((r) => setTimeout(r, 20));
        const [claimed] = (await storage.claimAbandoned('b', 1, 10)).filter((r) => r.id === id);
        expect(claimed).toBeDefined();
        // When a stale claimer, then b, quarantine it
        expect(await storage.quarantine(id, 'dead', 1)).toBe(false);
        expect(await storage.quarantine(id, 'b', claimed.fencingToken)).toBe(true);
        // Then
        const after = await storage.load(id);
        expect(after).toMatchObject({ status: 'corrupt', leaseOwner: 'b' });
        expect(after?.state).toEqual(stored.state);
        expect((await storage.list({ status: 'corrupt' })).map((r) => r.id)).toContain(id);
        await new Promise((r) => setTimeout(r, 20)); // b's lease would have lapsed
        const later = await storage.claimAbandoned('c', 60_000, 100);
        expect(later.map((r) => r.id)).not.toContain(id);
        expect(
          await storage.claimAbandoned('b', 60_000, 100, { incarnation: randomUUID() }),
        ).not.toContainEqual(expect.objectContaining({ id }));
      });
    });

    describe('when sagas are listed', () => {
      it('should filter by status and saga name, newest first, up to the limit', async () => {
        // Given
        const a = randomUUID();
        const b = randomUUID();
        await storage.create({ ...write(a, 'x'), sagaName: 'list-a' });
        await new Promise((r) => setTimeout(r, 5));
        await storage.create({ ...write(b, 'x'), sagaName: 'list-b' });
        await storage.save(write(b, 'x', { status: 'compensation_failed' }));
        // When / Then
        const failed = await storage.list({ status: 'compensation_failed', sagaName: 'list-b' });
        expect(failed.map((r) => r.id)).toEqual([b]);
        const both = await storage.list({ status: ['running', 'compensation_failed'], limit: 500 });
        expect(both.map((r) => r.id).indexOf(b)).toBeLessThan(both.map((r) => r.id).indexOf(a));
        expect(await storage.list({ limit: 1 })).toHaveLength(1);
        expect(await storage.claim(b, 'compensation_failed', 'op', 60_000)).toMatchObject({
          leaseOwner: 'op',
        });
        expect(await storage.claim(a, 'compensation_failed', 'op', 60_000)).toBeUndefined();
      });
    });
  });
}
