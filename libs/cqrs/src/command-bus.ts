import {
  CommandMessageContext,
  currentMessageContext,
  messageContextSwitch,
  runInMessageContext,
} from '@cello/core/internal';
import { Injectable } from '@nestjs/common';
import { MessageBus } from './bus/message-bus';
import type { CommandDispatchOptions } from './bus/dispatch-options';
import type { Command } from './message/command';

// Held directly: re-exported bindings are getters (a call and a keyed load per
// use, several ns each on the dispatch path); these are one variable read.
const contextSwitch = messageContextSwitch;
const MessageContextOfCommand = CommandMessageContext;
const currentContext = currentMessageContext;
const runInContext = runInMessageContext;

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
    if (!contextSwitch.enabled) {
      // No options (the common dispatch): no optional reads of a request and a signal.
      if (options === undefined) return this.send(command, undefined) as Promise<TResult>;
      return this.send(command, options.request, options.signal) as Promise<TResult>;
    }
    // The handler's appends carry the request's correlation id and this command as their cause.
    const context = new MessageContextOfCommand(options?.request, currentContext());
    return runInContext(
      context,
      () => this.send(command, options?.request, options?.signal) as Promise<TResult>,
    );
  }
}
