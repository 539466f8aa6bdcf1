import { Inject, Injectable, Logger } from '@nestjs/common';
import type { SagaStatusView } from '@cello/saga';
import { DEVTOOLS_OPTIONS } from '../devtools-module-options';
import type { DevtoolsModuleOptions, DevtoolsRedactionTarget } from '../devtools-module-options';
import type { BrowsedEvent } from '../events/event-browser';

/** Shown instead of a value whose `redact` call threw: failing closed, never the raw value. */
export const REDACTION_FAILED = '[redaction failed]';

/** Applies the app's `redact` option to what the devtools endpoints answer. */
@Injectable()
export class DevtoolsRedactor {
  private readonly logger = new Logger('DevtoolsModule');

  constructor(@Inject(DEVTOOLS_OPTIONS) private readonly options: DevtoolsModuleOptions) {}

  /** The event with `redact` applied to its payload and metadata. */
  event(event: BrowsedEvent): BrowsedEvent {
    if (!this.options.redact) return event;
    return {
      ...event,
      data: this.apply(event.data, { kind: 'event', type: event.type }, `event ${event.position}`),
      metadata: this.apply(
        event.metadata,
        { kind: 'metadata', type: event.type },
        `event ${event.position}`,
      ) as Record<string, unknown>,
    };
  }

  /** The saga view with `redact` applied to its context. */
  saga(view: SagaStatusView): SagaStatusView {
    if (!this.options.redact) return view;
    return {
      ...view,
      context: this.apply(
        view.context,
        { kind: 'saga', type: view.sagaName },
        `saga ${view.sagaId}`,
      ) as SagaStatusView['context'],
    };
  }

  private apply(value: unknown, target: DevtoolsRedactionTarget, what: string): unknown {
    try {
      // A copy: the redactor may mutate what it gets without touching anything cached.
      return this.options.redact!(structuredClone(value), target);
    } catch (error) {
      this.logger.warn(
        `redact threw for ${what} (${target.kind} ${target.type}): ${String(error)}`,
      );
      return REDACTION_FAILED;
    }
  }
}
