import { Event, EventType } from '@cello/event-sourcing';

/** The relayed event of the tests: the n-th scan of a parcel (its stream). */
@EventType('ParcelScanned')
export class ParcelScanned extends Event {
  constructor(
    readonly parcel: string,
    readonly n: number,
  ) {
    super();
  }

  override get streamId(): string {
    return `parcel-${this.parcel}`;
  }
}

/** An event the relay is not given: it must never reach JetStream. */
@EventType('ParcelWeighed')
export class ParcelWeighed extends Event {
  constructor(readonly parcel: string) {
    super();
  }

  override get streamId(): string {
    return `parcel-${this.parcel}`;
  }
}
