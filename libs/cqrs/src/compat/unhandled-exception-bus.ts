import { Inject, Injectable, Optional } from '@nestjs/common';
import { type Observable, type OperatorFunction, filter } from 'rxjs';
import { COMPAT_CQRS_MODULE_OPTIONS } from './compat.constants';
import type { CompatCqrsModuleOptions } from './cqrs-compat-module-options';
import type { ICommand, IEvent } from './interfaces/message.interfaces';
import type {
  IUnhandledExceptionPublisher,
  UnhandledExceptionInfo,
} from './interfaces/publisher.interfaces';
import { ObservableBus } from './observable-bus';

/** The stream of errors thrown by event handlers and sagas, which have no caller to reject. */
@Injectable()
export class UnhandledExceptionBus<Cause = IEvent | ICommand> extends ObservableBus<
  UnhandledExceptionInfo<Cause>
> {
  /** Where `publish` sends; by default this bus's own stream. */
  publisher: IUnhandledExceptionPublisher<Cause>;

  constructor(@Optional() @Inject(COMPAT_CQRS_MODULE_OPTIONS) options?: CompatCqrsModuleOptions) {
    super();
    this.publisher = (options?.unhandledExceptionPublisher as
      IUnhandledExceptionPublisher<Cause> | undefined) ?? {
      publish: (info) => this.subject$.next(info),
    };
  }

  /** Keeps the infos whose exception is an instance of one of `types`. */
  static ofType<T extends UnhandledExceptionInfo, E extends new (...args: never[]) => unknown>(
    ...types: E[]
  ): OperatorFunction<T, T> {
    return (source: Observable<T>) =>
      source.pipe(filter((info) => types.some((type) => info.exception instanceof type)));
  }

  /** Reports an unhandled exception. */
  publish(info: UnhandledExceptionInfo<Cause>): unknown {
    return this.publisher.publish(info);
  }
}
