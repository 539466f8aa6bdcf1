import { Injectable } from '@nestjs/common';
import { CommandBus, QueryBus } from '@cello/cqrs';
import {
  SagaRunner,
  type SagaResult,
  type SagaStartOptions,
  type SagaStatusView,
} from '@cello/saga';
import { LinkOrderFulfillmentCommand } from '../commands/link-order-fulfillment.command';
import { FulfillmentNotFoundError } from '../errors/fulfillment-not-found.error';
import { OrderRepository } from '../order-repository';
import { GetOrderQuery } from '../queries/get-order.query';
import type { FulfillmentRequest } from './fulfillment-request';
import type { FulfillmentStatus, FulfillmentView } from './fulfillment-status';
import { OrderSaga } from './order.saga';
import type { OrderSagaContext } from './order-saga-context';

/** Step states in which the step's action had completed. */
const ACTION_DONE = new Set(['completed', 'compensating', 'compensated', 'compensation_failed']);

/**
 * Runs `OrderSaga` for an order — to its end (`fulfill`) or in the
 * background (`start`) — and links each run to the order, so its progress
 * can be asked for by order id.
 */
@Injectable()
export class OrderFulfillmentService {
  constructor(
    private readonly orders: OrderRepository,
    private readonly sagas: SagaRunner,
    private readonly commandBus: CommandBus,
    private readonly queryBus: QueryBus,
  ) {}

  /**
   * Runs the saga and resolves with its result once it completed or was
   * compensated. With an idempotency key, a repeated request (a client retry)
   * gets the result of the saga the first one started instead of a second run.
   */
  async fulfill(
    orderId: string,
    request: FulfillmentRequest,
    idempotencyKey?: string,
    httpRequest?: unknown,
  ): Promise<SagaResult<OrderSagaContext>> {
    const context = await this.contextFor(orderId, request);
    const result = await this.sagas.execute(OrderSaga, context, sagaIdFor(orderId, idempotencyKey));
    await this.link(orderId, result.sagaId, httpRequest);
    return result;
  }

  /** Starts the saga in the background and resolves with its id (the same id for a repeated key). */
  async start(
    orderId: string,
    request: FulfillmentRequest,
    idempotencyKey?: string,
    httpRequest?: unknown,
  ): Promise<string> {
    const context = await this.contextFor(orderId, request);
    const sagaId = await this.sagas.start(OrderSaga, context, sagaIdFor(orderId, idempotencyKey));
    await this.link(orderId, sagaId, httpRequest);
    return sagaId;
  }

  /** The latest fulfilment of the order. */
  async status(orderId: string): Promise<FulfillmentView> {
    const order = await this.queryBus.dispatch(new GetOrderQuery(orderId));
    if (!order.fulfillmentSagaId) throw new FulfillmentNotFoundError(orderId);
    return toFulfillmentView(await this.sagas.getStatus(order.fulfillmentSagaId));
  }

  // The order must exist and not be cancelled before anything is reserved or charged.
  private async contextFor(
    orderId: string,
    request: FulfillmentRequest,
  ): Promise<OrderSagaContext> {
    (await this.orders.load(orderId)).assertCanBeFulfilled();
    return {
      orderId,
      customerId: request.customerId,
      items: request.items.map(({ sku, quantity, price }) => ({ sku, quantity, price })),
      total: request.total,
      address: { ...request.address },
    };
  }

  // With the HTTP request, the link event carries the request's correlation id.
  private async link(orderId: string, sagaId: string, httpRequest?: unknown): Promise<void> {
    const written = await this.commandBus.dispatch(
      new LinkOrderFulfillmentCommand(orderId, sagaId),
      { request: httpRequest },
    );
    await this.queryBus.dispatch(new GetOrderQuery(orderId), { waitForPosition: written.position });
  }
}

/** The saga id of a keyed request: per order, so one key cannot reach another order's saga. */
function sagaIdFor(orderId: string, idempotencyKey: string | undefined): SagaStartOptions {
  return idempotencyKey === undefined ? {} : { sagaId: `fulfil:${orderId}:${idempotencyKey}` };
}

function toFulfillmentView(view: SagaStatusView): FulfillmentView {
  // `compensating` is still on its way to `compensated`: to a caller it is running.
  const status: FulfillmentStatus = view.status === 'compensating' ? 'running' : view.status;
  return {
    sagaId: view.sagaId,
    status,
    stepsCompleted: view.steps.filter((step) => ACTION_DONE.has(step.status)).map((s) => s.name),
    // Compensations run in reverse step order; report them in the order they ran.
    compensatedSteps: view.steps
      .filter((step) => step.status === 'compensated')
      .map((s) => s.name)
      .reverse(),
    failedStep: view.failedStep ?? null,
    error: view.error ?? null,
  };
}
