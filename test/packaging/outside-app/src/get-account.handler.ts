import { QueryHandler, type IQueryHandler } from '@cello/cqrs';
import { EventStore } from '@cello/event-sourcing';
import { Account } from './account.aggregate.js';
import { GetAccountQuery, type AccountView } from './get-account.query.js';

@QueryHandler(GetAccountQuery)
export class GetAccountHandler implements IQueryHandler<GetAccountQuery> {
  constructor(private readonly eventStore: EventStore) {}

  async execute(query: GetAccountQuery): Promise<AccountView> {
    const account = await this.eventStore.load(Account, query.accountId);
    return { accountId: account.id, owner: account.owner, version: account.version };
  }
}
