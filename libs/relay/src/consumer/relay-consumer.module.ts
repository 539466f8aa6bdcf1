import { Module, type DynamicModule } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { InvalidRelayOptionError } from '../errors/invalid-relay-option.error';
import { RelayConsumer } from './relay-consumer';
import { RELAY_CONSUMER_OPTIONS } from './relay-consumer.constants';
import type { RelayConsumerModuleOptions } from './relay-consumer-module-options';

/**
 * The consuming side, for another Nest service: `@IntegrationEventHandler`
 * methods fed by a durable JetStream consumer, each message handled once through
 * an inbox table in the service's PostgreSQL.
 */
@Module({})
export class RelayConsumerModule {
  static forRoot(options: RelayConsumerModuleOptions): DynamicModule {
    if (!options?.servers || (Array.isArray(options.servers) && options.servers.length === 0)) {
      throw new InvalidRelayOptionError('servers', 'give at least one NATS URL');
    }
    if (!options.durableName || !/^[A-Za-z0-9_-]+$/.test(options.durableName)) {
      throw new InvalidRelayOptionError(
        'durableName',
        'name the durable consumer (letters, digits, _ and -)',
      );
    }
    if (!options.database) {
      throw new InvalidRelayOptionError('database', 'give a postgresql:// URL or a pg Pool');
    }
    if (
      options.maxAttempts !== undefined &&
      !(Number.isInteger(options.maxAttempts) && options.maxAttempts >= 1)
    ) {
      throw new InvalidRelayOptionError(
        'maxAttempts',
        `must be an integer >= 1, got ${options.maxAttempts}`,
      );
    }
    return {
      module: RelayConsumerModule,
      imports: [DiscoveryModule],
      providers: [{ provide: RELAY_CONSUMER_OPTIONS, useValue: options }, RelayConsumer],
      exports: [RelayConsumer],
    };
  }
}
