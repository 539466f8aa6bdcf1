import { Aggregate, AggregateRoot, EventHandler } from '@cello/event-sourcing';
import { AccountOpened } from './account-opened.event.js';

/** An account rebuilt from its events. */
@AggregateRoot({ type: 'Account' })
export class Account extends Aggregate {
  owner = '';

  static open(accountId: string, owner: string): Account {
    const account = new Account();
    account.apply(new AccountOpened(accountId, owner));
    return account;
  }

  @EventHandler(AccountOpened)
  onOpened(event: AccountOpened): void {
    this.id = event.accountId;
    this.owner = event.owner;
  }
}
