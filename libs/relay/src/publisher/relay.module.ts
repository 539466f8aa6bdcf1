import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { InvalidRelayOptionError } from '../errors/invalid-relay-option.error';
import { RELAY_CONNECTION_OPTIONS } from './relay.constants';
import { RelayPublisher } from './relay-publisher';
import { createRelaySubscriberClass } from './relay-subscriber.factory';
import type {
  RelayConnectionOptions,
  RelayDefinitionOptions,
  RelayModuleAsyncOptions,
  RelayModuleOptions,
} from './relay-module-options';

/**
 * Relays committed events to NATS JetStream: import it beside
 * `EventSourcingModule.forRoot(...)`. The relay is a durable subscriber of the
 * listed event types; it publishes them to `<subjectPrefix>.<EventType>` with
 * the event id as `Nats-Msg-Id`, and its checkpoint moves only after JetStream acked.
 */
@Module({})
export class RelayModule {
  static forRoot(options: RelayModuleOptions): DynamicModule {
    checkDefinition(options);
    checkConnection(options);
    return RelayModule.build(options, [{ provide: RELAY_CONNECTION_OPTIONS, useValue: options }]);
  }

  static forRootAsync(options: RelayModuleAsyncOptions): DynamicModule {
    checkDefinition(options);
    if (typeof options.useFactory !== 'function') {
      throw new InvalidRelayOptionError('useFactory', 'forRootAsync needs a useFactory function');
    }
    return RelayModule.build(
      options,
      [
        {
          provide: RELAY_CONNECTION_OPTIONS,
          useFactory: async (...args: unknown[]) => {
            const connection = await options.useFactory(...args);
            checkConnection(connection);
            return connection;
          },
          inject: options.inject ?? [],
        },
      ],
      options.imports,
    );
  }

  private static build(
    definition: RelayDefinitionOptions,
    providers: Provider[],
    imports: DynamicModule['imports'] = [],
  ): DynamicModule {
    const subscriber = createRelaySubscriberClass(definition);
    return {
      module: RelayModule,
      imports,
      providers: [...providers, RelayPublisher, subscriber],
      exports: [RelayPublisher],
    };
  }
}

function checkDefinition(options: RelayDefinitionOptions): void {
  if (!options || !Array.isArray(options.events) || options.events.length === 0) {
    throw new InvalidRelayOptionError('events', 'list the event classes to relay (at least one)');
  }
  for (const event of options.events) {
    if (typeof event !== 'function') {
      throw new InvalidRelayOptionError('events', `${String(event)} is not an event class`);
    }
  }
}

function checkConnection(options: RelayConnectionOptions): void {
  const servers = options?.servers;
  if (!servers || (Array.isArray(servers) && servers.length === 0)) {
    throw new InvalidRelayOptionError('servers', 'give at least one NATS URL');
  }
  const prefix = options.subjectPrefix ?? 'cello';
  if (!/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(prefix)) {
    throw new InvalidRelayOptionError(
      'subjectPrefix',
      `"${prefix}" is not a NATS subject prefix (tokens of letters, digits, _ and -, joined by dots)`,
    );
  }
  const stream = options.stream ?? 'CELLO';
  if (!/^[A-Za-z0-9_-]+$/.test(stream)) {
    throw new InvalidRelayOptionError(
      'stream',
      `"${stream}" is not a JetStream stream name (letters, digits, _ and -)`,
    );
  }
  for (const key of ['duplicateWindowMs', 'publishTimeoutMs'] as const) {
    const value = options[key];
    if (value !== undefined && !(Number.isFinite(value) && value > 0)) {
      throw new InvalidRelayOptionError(
        key,
        `must be a positive number of milliseconds, got ${value}`,
      );
    }
  }
}
