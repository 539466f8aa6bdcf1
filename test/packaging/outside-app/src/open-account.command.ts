import { Command } from '@cello/cqrs';

/** What opening an account answers. */
export interface AccountOpenedResult {
  readonly accountId: string;
  readonly version: number;
  readonly position: string;
}

/** Opens an account: appends `AccountOpened` to a new stream. */
export class OpenAccountCommand extends Command<AccountOpenedResult> {
  constructor(
    readonly accountId: string,
    readonly owner: string,
  ) {
    super();
  }
}
