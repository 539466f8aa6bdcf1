import { Event, EventType } from '@cello/event-sourcing';

/** An account was opened for its owner. */
@EventType('AccountOpened')
export class AccountOpened extends Event {
  constructor(
    readonly accountId: string,
    readonly owner: string,
  ) {
    super();
  }

  override get streamId(): string {
    return this.accountId;
  }
}
