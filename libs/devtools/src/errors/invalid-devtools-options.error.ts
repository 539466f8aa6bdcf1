import { CelloError } from '@cello/core';

/** A `DevtoolsModule.forRoot` option that cannot be used; the message says how to fix it. */
export class InvalidDevtoolsOptionsError extends CelloError {
  static readonly code = 'invalid-devtools-options';

  constructor(
    /** The option at fault. */
    readonly option: string,
    detail: string,
  ) {
    super(InvalidDevtoolsOptionsError.code, `DevtoolsModule option "${option}" ${detail}`);
  }
}
