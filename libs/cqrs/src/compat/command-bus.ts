import { Inject, Injectable, Optional } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { CommandBus as CelloCommandBus } from '../command-bus';
import type { AsyncContext } from './async-context';
import type { Command } from './command';
import { COMPAT_COMMAND_METADATA, COMPAT_CQRS_MODULE_OPTIONS } from './compat.constants';
import { CompatMessageBus } from './compat-message-bus';
import type { CompatCqrsModuleOptions } from './cqrs-compat-module-options';
import { CommandHandlerNotFoundException } from './errors/command-handler-not-found.exception';
import { InvalidCommandHandlerException } from './errors/invalid-command-handler.exception';
import type { ICommand } from './interfaces/message.interfaces';
import type { ICommandPublisher } from './interfaces/publisher.interfaces';

/**
 * @nestjs/cqrs's `CommandBus`, dispatching through Cello's: per-handler
 * timeouts, middleware, validation and metrics apply. It is also the stream
 * of executed commands.
 */
@Injectable()
export class CommandBus<
  CommandBase extends ICommand = ICommand,
> extends CompatMessageBus<CommandBase> {
  protected readonly idKey = COMPAT_COMMAND_METADATA;
  /** Sees every executed command; by default this bus's own stream. */
  publisher: ICommandPublisher<CommandBase>;

  constructor(
    cello: CelloCommandBus,
    moduleRef: ModuleRef,
    @Optional() @Inject(COMPAT_CQRS_MODULE_OPTIONS) options?: CompatCqrsModuleOptions,
  ) {
    super(cello, moduleRef);
    this.publisher = (options?.commandPublisher as ICommandPublisher<CommandBase> | undefined) ?? {
      publish: (command) => this.subject$.next(command),
    };
  }

  /** Executes a `Command<R>`; resolves with its handler's `R`. */
  execute<R = void>(command: Command<R>, context?: AsyncContext): Promise<R>;
  /** Executes any command object; the result type is the second type argument. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  execute<T extends CommandBase, R = any>(command: T, context?: AsyncContext): Promise<R>;
  execute(command: ICommand, context?: AsyncContext): Promise<unknown> {
    return this.run(command as CommandBase, context);
  }

  protected publishToObservers(command: CommandBase): void {
    this.publisher.publish(command);
  }

  protected notFound(name: string): Error {
    return new CommandHandlerNotFoundException(name);
  }

  protected invalidHandler(name: string): Error {
    return new InvalidCommandHandlerException(`"${name}" has no execute(command) method`);
  }
}
