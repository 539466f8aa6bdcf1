import {
  BadRequestException,
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Param,
  Post,
  Query,
  Res,
  Req,
} from '@nestjs/common';
import { CommandBus, QueryBus } from '@cello/cqrs';
import type { Request, Response } from 'express';
import { CancelOrderCommand } from './commands/cancel-order.command';
import { CreateOrderCommand } from './commands/create-order.command';
import type { OrderWriteResult } from './commands/order-write-result';
import { ShipOrderCommand } from './commands/ship-order.command';
import { SnapshotOrderCommand } from './commands/snapshot-order.command';
import { CancelOrderDto } from './dto/cancel-order.dto';
import { CreateOrderDto } from './dto/create-order.dto';
import { FulfillModeDto } from './dto/fulfill-mode.dto';
import { FulfillOrderDto } from './dto/fulfill-order.dto';
import { ListOrdersQueryDto } from './dto/list-orders-query.dto';
import { toOrderJson, type OrderJson } from './dto/order-json';
import { ShipOrderDto } from './dto/ship-order.dto';
import { GetOrderQuery } from './queries/get-order.query';
import { ListOrdersQuery } from './queries/list-orders.query';
import type { FulfillmentRequest } from './sagas/fulfillment-request';
import { OrderFulfillmentService } from './sagas/order-fulfillment.service';

/** What an Idempotency-Key may hold: short enough for a saga id, no spaces or quotes. */
const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{1,64}$/;

/**
 * The orders API. Writes go through the command bus to the event store; reads
 * come from the `orders` read model through the query bus, after waiting for
 * the write's position so a client always reads what it just wrote.
 */
@Controller('orders')
export class OrdersController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly queryBus: QueryBus,
    private readonly fulfillment: OrderFulfillmentService,
  ) {}

  @Post()
  async create(
    @Body() body: CreateOrderDto,
    @Req() request: Request,
  ): Promise<{ order_id: string; status: 'created' }> {
    // With the request, the events carry its x-correlation-id (or traceparent's trace id).
    const written = await this.commandBus.dispatch(
      new CreateOrderCommand(body.customer_id, body.items),
      { request },
    );
    await this.readAfter(written);
    return { order_id: written.orderId, status: 'created' };
  }

  @Get()
  async list(@Query() query: ListOrdersQueryDto): Promise<{ orders: OrderJson[] }> {
    const orders = await this.queryBus.dispatch(
      new ListOrdersQuery({
        customerId: query.customer_id,
        status: query.status,
        limit: query.limit,
      }),
    );
    return { orders: orders.map(toOrderJson) };
  }

  @Get(':id')
  async get(@Param('id') id: string): Promise<OrderJson> {
    return toOrderJson(await this.queryBus.dispatch(new GetOrderQuery(id)));
  }

  @Post(':id/ship')
  @HttpCode(200)
  async ship(
    @Param('id') id: string,
    @Body() body: ShipOrderDto,
    @Req() request: Request,
  ): Promise<OrderJson> {
    const written = await this.commandBus.dispatch(new ShipOrderCommand(id, body.tracking_number), {
      request,
    });
    return this.readAfter(written);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  async cancel(
    @Param('id') id: string,
    @Body() body: CancelOrderDto,
    @Req() request: Request,
  ): Promise<OrderJson> {
    const written = await this.commandBus.dispatch(new CancelOrderCommand(id, body.reason), {
      request,
    });
    return this.readAfter(written);
  }

  @Post(':id/snapshot')
  @HttpCode(200)
  async snapshot(@Param('id') id: string): Promise<{ snapshot: 'created'; version: number }> {
    const { version } = await this.commandBus.dispatch(new SnapshotOrderCommand(id));
    return { snapshot: 'created', version };
  }

  /**
   * Runs `OrderSaga`. By default waits for its end: 200 when fulfilled, 500
   * with the failed step after compensation (as in the seed). With
   * `?mode=async`, answers 202 with the saga id at once. A request repeated
   * with the same `Idempotency-Key` header (a client retry) runs no second
   * saga: it gets the first one's saga id or outcome.
   */
  @Post(':id/fulfill')
  async fulfill(
    @Param('id') id: string,
    @Query() query: FulfillModeDto,
    @Body() body: FulfillOrderDto,
    @Res({ passthrough: true }) response: Response,
    @Req() httpRequest: Request,
    @Headers('idempotency-key') idempotencyKey?: string,
  ): Promise<Record<string, unknown>> {
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      throw new BadRequestException(
        'Idempotency-Key must be 1 to 64 characters: letters, digits, "-", "_", "." or ":"',
      );
    }
    const request: FulfillmentRequest = {
      customerId: body.customer_id,
      items: body.items,
      total: body.total,
      address: { ...body.address },
    };
    if (query.mode === 'async') {
      const sagaId = await this.fulfillment.start(id, request, idempotencyKey, httpRequest);
      response.status(202);
      return { saga_id: sagaId };
    }
    const result = await this.fulfillment.fulfill(id, request, idempotencyKey, httpRequest);
    if (result.success) {
      response.status(200);
      return {
        status: 'fulfilled',
        steps_completed: result.stepsCompleted,
        saga_id: result.sagaId,
        tracking_number: result.context.trackingNumber ?? null,
      };
    }
    response.status(500);
    return {
      status: 'failed',
      failed_step: result.failedStep ?? null,
      error: result.error?.message ?? 'unknown error',
      saga_id: result.sagaId,
      saga_status: result.status,
      steps_completed: result.stepsCompleted,
      compensated_steps: result.compensatedSteps,
    };
  }

  /** Progress of the order's latest `OrderSaga` run. */
  @Get(':id/fulfillment')
  async fulfillmentStatus(@Param('id') id: string): Promise<Record<string, unknown>> {
    const view = await this.fulfillment.status(id);
    return {
      saga_id: view.sagaId,
      status: view.status,
      steps_completed: view.stepsCompleted,
      compensated_steps: view.compensatedSteps,
      failed_step: view.failedStep,
      error: view.error,
    };
  }

  // Read-your-writes: the read model has applied the write before the client sees the answer.
  private async readAfter(written: OrderWriteResult): Promise<OrderJson> {
    const order = await this.queryBus.dispatch(new GetOrderQuery(written.orderId), {
      waitForPosition: written.position,
    });
    return toOrderJson(order);
  }
}
