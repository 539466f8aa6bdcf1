/**
 * Run as `node --disallow-code-generation-from-strings -r scripts/register-ts.js <this file>`
 * by message-validator.spec.ts: validates sample messages with the planned
 * validator where `new Function` is refused, and prints, as JSON, whether code
 * generation was refused and each message's verdict next to class-validator's.
 */
import 'reflect-metadata';
import { IsInt, IsOptional, IsString, Max, Min, ValidateIf, validateSync } from 'class-validator';
import { MessageValidator } from '@cello/cqrs/validation/message-validator';

class ShipOrder {
  @IsString() customerId: unknown;
  @IsInt() @Min(1) @Max(100) quantity: unknown;
  @IsOptional() @IsInt({ each: true }) tags: unknown;
  @ValidateIf((o: ShipOrder) => o.quantity === 100) @IsString() approvedBy: unknown;

  constructor(fields: Partial<Record<keyof ShipOrder, unknown>>) {
    Object.assign(this, fields);
  }
}

const samples: Partial<Record<keyof ShipOrder, unknown>>[] = [
  { customerId: 'c-1', quantity: 3 },
  { customerId: 'c-1', quantity: 0 },
  { customerId: 7, quantity: 3 },
  { customerId: 'c-1', quantity: 3, tags: [1, 2] },
  { customerId: 'c-1', quantity: 3, tags: [1, 'x'] },
  { customerId: 'c-1', quantity: 100 },
  { customerId: 'c-1', quantity: 100, approvedBy: 'lead' },
];

let codegenRefused = false;
try {
  new Function('return 1');
} catch (error) {
  codegenRefused = error instanceof EvalError;
}
const validator = MessageValidator.forClass(ShipOrder)!;
const verdicts = samples.map((fields) => {
  const message = new ShipOrder(fields);
  return {
    planned: validator.validate(message) === undefined,
    classValidator: validateSync(message).length === 0,
  };
});
process.stdout.write(JSON.stringify({ codegenRefused, verdicts }));
