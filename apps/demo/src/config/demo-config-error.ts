import { CelloError } from '@cello/core';

/** An environment variable of the demo has a value it cannot use. */
export class DemoConfigError extends CelloError {
  static readonly code = 'demo-config-invalid';

  constructor(
    /** The environment variable at fault. */
    readonly variable: string,
    detail: string,
  ) {
    super(DemoConfigError.code, `${variable}: ${detail}`);
  }
}
