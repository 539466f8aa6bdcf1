import { Inject, Injectable, Scope } from '@nestjs/common';
import {
  ContextIdFactory,
  REQUEST,
  type ContextId,
  type ContextIdStrategy,
  type HostComponentInfo,
} from '@nestjs/core';
import { CommandBus } from '@cello/cqrs/command-bus';
import { CommandHandler } from '@cello/cqrs/decorators/command-handler.decorator';
import { Command } from '@cello/cqrs/message/command';
import { bootCqrsApp } from './testing/boot-cqrs-app';

interface TenantRequest {
  readonly tenant: string;
}

/** Nest's documented multi-tenant strategy: one durable sub-tree per tenant. */
class TenantContextIdStrategy implements ContextIdStrategy {
  private readonly tenants = new Map<string, ContextId>();

  attach(contextId: ContextId, request: TenantRequest) {
    let tenantContextId = this.tenants.get(request.tenant);
    if (tenantContextId === undefined) {
      tenantContextId = ContextIdFactory.create();
      this.tenants.set(request.tenant, tenantContextId);
    }
    return {
      resolve: (info: HostComponentInfo) => (info.isTreeDurable ? tenantContextId : contextId),
      payload: { tenant: request.tenant },
    };
  }
}

class WhichTenantCommand extends Command<string> {}

@CommandHandler(WhichTenantCommand)
@Injectable({ scope: Scope.REQUEST, durable: true })
class WhichTenantHandler {
  static created = 0;
  constructor(@Inject(REQUEST) private readonly payload: TenantRequest) {
    WhichTenantHandler.created += 1;
  }
  async execute(): Promise<string> {
    return this.payload.tenant;
  }
}

describe('durable handlers', () => {
  beforeAll(() => ContextIdFactory.apply(new TenantContextIdStrategy()));

  describe('when commands of several requests of the same tenant are dispatched', () => {
    it('should reuse one handler per tenant, built with the tenant payload', async () => {
      // Given
      const app = await bootCqrsApp({}, { providers: [WhichTenantHandler] });
      const bus = app.get(CommandBus);
      const createdBefore = WhichTenantHandler.created;
      // When: three requests, two tenants
      const first = await bus.dispatch(new WhichTenantCommand(), { request: { tenant: 'acme' } });
      const second = await bus.dispatch(new WhichTenantCommand(), { request: { tenant: 'acme' } });
      const other = await bus.dispatch(new WhichTenantCommand(), { request: { tenant: 'globex' } });
      // Then
      expect([first, second, other]).toEqual(['acme', 'acme', 'globex']);
      expect(WhichTenantHandler.created - createdBefore).toBe(2);
      await app.close();
    });
  });
});
