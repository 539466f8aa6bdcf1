import { Injectable } from '@nestjs/common';
import { Saga, SagaStep, type SagaStepExecution } from '@cello/saga';

/** What the welcome saga carries from step to step. */
export interface WelcomeContext {
  accountId: string;
  cardId?: string;
  emailKey?: string;
}

/** Two steps: issue a card, then send the welcome e-mail (undone in reverse on failure). */
@Saga('WelcomeSaga')
@Injectable()
export class WelcomeSaga {
  @SagaStep({ name: 'issue_card', compensate: 'cancelCard' })
  async issueCard({ context }: SagaStepExecution<WelcomeContext>): Promise<void> {
    context.cardId = `card-${context.accountId}`;
  }

  async cancelCard({ context }: SagaStepExecution<WelcomeContext>): Promise<void> {
    delete context.cardId;
  }

  @SagaStep({ name: 'send_welcome_email' })
  async sendWelcomeEmail({
    context,
    idempotencyKey,
  }: SagaStepExecution<WelcomeContext>): Promise<void> {
    context.emailKey = idempotencyKey;
  }
}
