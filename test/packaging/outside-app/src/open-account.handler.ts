import { CommandHandler, type ICommandHandler } from '@cello/cqrs';
import { EventStore } from '@cello/event-sourcing';
import { Account } from './account.aggregate.js';
import { OpenAccountCommand, type AccountOpenedResult } from './open-account.command.js';

@CommandHandler(OpenAccountCommand)
export class OpenAccountHandler implements ICommandHandler<OpenAccountCommand> {
  constructor(private readonly eventStore: EventStore) {}

  async execute(command: OpenAccountCommand): Promise<AccountOpenedResult> {
    const account = Account.open(command.accountId, command.owner);
    const written = await this.eventStore.save(account);
    const position = written?.positions.at(-1);
    return { accountId: account.id, version: account.version, position: String(position) };
  }
}
