import { registerDecorator, type ValidationOptions } from 'class-validator';
import { ORDER_LIMITS } from './order-limits';

/**
 * The sum of quantity × price over the items (in cents, as `orderTotal`
 * computes it) is at most the largest amount the read model stores. Items
 * that are not well-formed are left to their own checks.
 */
export function MaxItemsTotal(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) => {
    registerDecorator({
      name: 'maxItemsTotal',
      target: target.constructor,
      propertyName: propertyName as string,
      options: {
        message: `$property total (sum of quantity × price) must not be greater than ${ORDER_LIMITS.maxAmount}`,
        ...options,
      },
      validator: {
        validate: (items: unknown) => !Array.isArray(items) || itemsCents(items) <= maxCents,
      },
    });
  };
}

const maxCents = Math.round(ORDER_LIMITS.maxAmount * 100);

function itemsCents(items: unknown[]): number {
  let cents = 0;
  for (const item of items) {
    const { quantity, price } = (item ?? {}) as { quantity?: unknown; price?: unknown };
    if (typeof quantity === 'number' && typeof price === 'number') {
      cents += Math.round(price * 100) * quantity;
    }
  }
  return cents;
}
