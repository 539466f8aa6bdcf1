import { Subject } from 'rxjs';
import { type IEvent, ofType } from '@cello/cqrs/compat';

class Lent implements IEvent {
  shared = 'shared';
  lentOnly = 'lentOnly';
}
class Returned implements IEvent {
  shared = 'shared';
}
class LentLate extends Lent {}
class Lost implements IEvent {
  lostOptional?: string;
}

describe('ofType', () => {
  let stream: Subject<IEvent>;
  let kept: IEvent[];

  beforeEach(() => {
    stream = new Subject();
    kept = [];
    stream.pipe(ofType(Lent)).subscribe((event) => kept.push(event));
  });

  it('should drop every event when none is of the given class', () => {
    stream.next(new Returned());
    stream.next(new Lost());
    expect(kept).toEqual([]);
  });

  it('should keep only the instances of the given class', () => {
    const lent = new Lent();
    stream.next(new Returned());
    stream.next(lent);
    stream.next(new Date());
    expect(kept).toEqual([lent]);
    expect(kept[0]).toBe(lent);
  });

  it('should keep instances of subclasses of the given class', () => {
    const events = [new Lent(), new LentLate()];
    stream.next(new Returned());
    events.forEach((event) => stream.next(event));
    expect(kept).toEqual(events);
  });

  it('should type the output as the union of similar classes (checked by tsc)', async () => {
    const seen = new Promise<string>((resolve) => {
      stream.pipe(ofType(Lent, Returned)).subscribe((event) => {
        // @ts-expect-error -- Lent | Returned has no key only some of them have
        void event.lentOnly;
        resolve(event.shared);
      });
    });
    stream.next(new Returned());
    await expect(seen).resolves.toBe('shared');
  });

  it('should type the output as the union of disparate classes (checked by tsc)', async () => {
    const seen = new Promise<string | undefined>((resolve) => {
      stream.pipe(ofType(Lent, Lost)).subscribe((event) => {
        // @ts-expect-error -- Lost has no lentOnly
        void event.lentOnly;
        resolve(event instanceof Lent ? event.lentOnly : event.lostOptional);
      });
    });
    stream.next(new Lent());
    await expect(seen).resolves.toBe('lentOnly');
  });
});
