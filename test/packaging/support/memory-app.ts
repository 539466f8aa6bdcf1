/**
 * A child process for the optional-peers test: a small Nest app on Cello's
 * memory store, run where the optional peers cannot be resolved (see
 * block-optional-peers.js). Prints one line, `RESULT <json>` or `FAILED <json>`.
 * Usage: node -r scripts/register-ts.js -r block-optional-peers.js memory-app.ts <mode>
 *   memory: a command, an aggregate round trip, a saga and the health indicators;
 *   event-postgres | event-mysql | saga-postgres | saga-mysql | validation | metrics:
 *   the same app asking for that feature, expected to fail at start-up.
 */
import 'reflect-metadata';
import { Injectable, Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CelloMetricsModule } from '@cello/core';
import { Command, CommandBus, CommandHandler, CqrsModule, type ICommandHandler } from '@cello/cqrs';
import {
  Aggregate,
  AggregateRoot,
  Event,
  EventHandler,
  EventSourcingModule,
  EventStore,
  EventStoreHealthIndicator,
  EventType,
} from '@cello/event-sourcing';
import {
  Saga,
  SagaModule,
  SagaRunner,
  SagaStep,
  SagaStorageHealthIndicator,
  type SagaStepExecution,
} from '@cello/saga';

@EventType('Greeted')
class Greeted extends Event {
  constructor(
    readonly greetingId: string,
    readonly name: string,
  ) {
    super();
  }
  override get streamId(): string {
    return this.greetingId;
  }
}

@AggregateRoot({ type: 'Greeting' })
class Greeting extends Aggregate {
  names: string[] = [];
  greet(name: string): void {
    this.apply(new Greeted(this.id, name));
  }
  @EventHandler(Greeted)
  onGreeted(event: Greeted): void {
    this.names.push(event.name);
  }
}

class GreetCommand extends Command<{ version: number; names: string[] }> {
  constructor(
    readonly greetingId: string,
    readonly name: string,
  ) {
    super();
  }
}

@CommandHandler(GreetCommand)
class GreetHandler implements ICommandHandler<GreetCommand> {
  constructor(private readonly eventStore: EventStore) {}
  async execute(command: GreetCommand): Promise<{ version: number; names: string[] }> {
    const greeting = new Greeting();
    greeting.id = command.greetingId;
    greeting.greet(command.name);
    await this.eventStore.save(greeting);
    const loaded = await this.eventStore.load(Greeting, command.greetingId);
    return { version: loaded.version, names: loaded.names };
  }
}

interface WelcomeContext {
  name: string;
  welcomed?: boolean;
}

@Saga('Welcome')
@Injectable()
class WelcomeSaga {
  @SagaStep({ name: 'welcome' })
  welcome({ context }: SagaStepExecution<WelcomeContext>): Promise<void> {
    context.welcomed = true;
    return Promise.resolve();
  }
}

function appModule(mode: string): DynamicModule {
  const database = mode.endsWith('mysql')
    ? 'mysql://cello:cello@127.0.0.1:3306/cello'
    : 'postgresql://cello:cello@127.0.0.1:5432/cello';
  @Module({})
  class AppModule {}
  return {
    module: AppModule,
    imports: [
      EventSourcingModule.forRoot({
        storage: mode.startsWith('event-') ? database : 'memory',
      }),
      EventSourcingModule.forFeature({ aggregates: [Greeting] }),
      CqrsModule.forRoot(mode === 'validation' ? { validate: true } : {}),
      SagaModule.forRoot({ storage: mode.startsWith('saga-') ? database : 'memory' }),
      ...(mode === 'metrics' ? [CelloMetricsModule.forRoot()] : []),
    ],
    providers: [GreetHandler, WelcomeSaga],
  };
}

/** Optional peers whose files Node has loaded, whatever the path they were reached by. */
function loadedPeerFiles(): string[] {
  const blocked = (process.env.CELLO_BLOCKED_PEERS ?? '').split(',').filter(Boolean);
  return Object.keys(require.cache).filter((file) =>
    blocked.some((name) => file.includes(`/node_modules/${name}/`)),
  );
}

async function main(mode: string): Promise<void> {
  const app = await NestFactory.createApplicationContext(appModule(mode), {
    logger: false,
    abortOnError: false,
  });
  await app.init();
  const written = await app.get(CommandBus).dispatch(new GreetCommand('greeting-1', 'Ada'));
  const saga = await app.get(SagaRunner).execute(WelcomeSaga, { name: 'Ada' } as WelcomeContext);
  const eventStoreHealth = await app.get(EventStoreHealthIndicator).isHealthy();
  const sagaHealth = await app.get(SagaStorageHealthIndicator).isHealthy();
  await app.close();
  console.log(
    'RESULT ' +
      JSON.stringify({
        written,
        saga: { status: saga.status, context: saga.context },
        health: { ...eventStoreHealth, ...sagaHealth },
        attempts: (globalThis as { __celloPeerAttempts?: unknown }).__celloPeerAttempts,
        loadedPeerFiles: loadedPeerFiles(),
      }),
  );
}

main(process.argv[2] ?? 'memory').then(
  () => process.exit(0),
  (error: { name?: string; code?: string; message?: string; packageName?: string }) => {
    console.log(
      'FAILED ' +
        JSON.stringify({
          name: error?.name,
          code: error?.code,
          message: error?.message,
          packageName: error?.packageName,
        }),
    );
    process.exit(1);
  },
);
