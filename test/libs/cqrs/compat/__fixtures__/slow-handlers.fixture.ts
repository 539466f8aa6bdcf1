// Event handlers that finish a turn of the event loop later, and a publisher that awaits them.
import { Module, type OnModuleInit } from '@nestjs/common';
import { lastValueFrom, map, merge, of } from 'rxjs';
import {
  CqrsModule,
  EventBus,
  type EventOperator,
  EventsHandler,
  type IEvent,
  type IEventHandler,
  type IEventPublisher,
} from '@cello/cqrs/compat';

export class ParcelArrivedEvent {
  constructor(readonly parcelId: string) {}
}
export class ParcelLostEvent {
  constructor(readonly parcelId: string) {}
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

@EventsHandler(ParcelArrivedEvent)
export class SlowParcelArrivedHandler implements IEventHandler<ParcelArrivedEvent> {
  async handle(): Promise<void> {
    await nextTurn();
    this.finished();
  }
  finished(): void {}
}

@EventsHandler(ParcelLostEvent)
export class SlowParcelLostHandler implements IEventHandler<ParcelLostEvent> {
  async handle(): Promise<void> {
    await nextTurn();
    this.finished();
  }
  finished(): void {}
}

@EventsHandler(ParcelLostEvent)
export class SlowInsuranceHandler implements IEventHandler<ParcelLostEvent> {
  async handle(): Promise<void> {
    await nextTurn();
    this.finished();
  }
  finished(): void {}
}

/** Runs every handler's operator on the event and resolves when all have finished. */
export class AwaitingPublisher implements IEventPublisher {
  private operators: EventOperator[] = [];

  async publish(event: IEvent): Promise<void> {
    const event$ = of(event);
    await lastValueFrom(
      merge(event$.pipe(map(() => undefined)), ...this.operators.map((op) => event$.pipe(op))),
    );
  }

  useOperators(operators: EventOperator[]): void {
    this.operators = operators;
  }
}

const handlers = [SlowParcelArrivedHandler, SlowParcelLostHandler, SlowInsuranceHandler];

@Module({ imports: [CqrsModule.forRoot()], providers: handlers })
export class FireAndForgetAppModule {}

@Module({
  imports: [CqrsModule.forRoot({ eventPublisher: new AwaitingPublisher() })],
  providers: handlers,
})
export class AwaitingAppModule implements OnModuleInit {
  constructor(private readonly eventBus: EventBus) {}
  onModuleInit(): void {
    (this.eventBus.publisher as AwaitingPublisher).useOperators(this.eventBus.eventOperators);
  }
}
