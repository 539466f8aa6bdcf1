import { Injectable } from '@nestjs/common';
import { MessageBus } from './bus/message-bus';
import type { CommandDispatchOptions } from './bus/dispatch-options';
import type { Command } from './message/command';

/**
 * Sends each command to its one `@CommandHandler`, through validation,
 * middleware and the time limit. Inject it, or `app.get(CommandBus)`.
 */
@Injectable()
export class CommandBus extends MessageBus {
  protected readonly kind = 'command' as const;

  /**
   * Runs `command`'s handler and resolves with its result, typed by the
   * command's `Command<TResult>`. Rejects with `HandlerNotFoundError`,
   * `ValidationError`, `CommandTimeoutError`, or what the handler threw.
   */
  dispatch<TResult>(command: Command<TResult>, options?: CommandDispatchOptions): Promise<TResult> {
    return this.send(command, options?.request, options?.signal) as Promise<TResult>;
  }
}
