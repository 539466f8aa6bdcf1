import { Query } from '@cello/cqrs';

/** An account as its events rebuild it. */
export interface AccountView {
  readonly accountId: string;
  readonly owner: string;
  readonly version: number;
}

/** Loads one account from the event store. */
export class GetAccountQuery extends Query<AccountView> {
  constructor(readonly accountId: string) {
    super();
  }
}
