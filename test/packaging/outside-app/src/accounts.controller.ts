import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { CommandBus, QueryBus } from '@cello/cqrs';
import { SagaRunner } from '@cello/saga';
import { GetAccountQuery } from './get-account.query.js';
import { OpenAccountCommand } from './open-account.command.js';
import { WelcomeSaga, type WelcomeContext } from './welcome.saga.js';

@Controller('accounts')
export class AccountsController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly queryBus: QueryBus,
    private readonly sagaRunner: SagaRunner,
  ) {}

  @Post()
  open(@Body() body: { accountId: string; owner: string }) {
    return this.commandBus.dispatch(new OpenAccountCommand(body.accountId, body.owner));
  }

  @Get(':id')
  get(@Param('id') id: string) {
    return this.queryBus.dispatch(new GetAccountQuery(id));
  }

  @Post(':id/welcome')
  async welcome(@Param('id') id: string) {
    const result = await this.sagaRunner.execute<WelcomeContext>(WelcomeSaga, { accountId: id });
    return {
      success: result.success,
      status: result.status,
      stepsCompleted: result.stepsCompleted,
      context: result.context,
    };
  }
}
