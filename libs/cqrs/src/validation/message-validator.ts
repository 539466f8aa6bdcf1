import {
  getMetadataStorage,
  validate,
  validateSync,
  ValidationTypes,
  type ValidationArguments,
} from 'class-validator';
import { ValidationError } from '../errors/validation.error';
import type { MessageClass } from '../message/message-class';

type Check = (object: Record<string, unknown>) => boolean;

interface ConstraintCheck {
  readonly validator: { validate(value: unknown, args: ValidationArguments): unknown };
  readonly constraints: unknown[];
  readonly each: boolean;
  readonly validateIf?: (object: object, value: unknown) => boolean;
}

/**
 * Validates one message class with class-validator, planned once per class.
 *
 * class-validator's `validateSync` costs about a microsecond even on valid
 * input (metadata lookups and error objects on every call), ten times a whole
 * dispatch. So the plan calls the same constraint validators directly, in the
 * same order and with the same skip rules, and only when one fails does it run
 * class-validator itself to build the error list. Classes using features the
 * plan does not cover (nested, async, promise constraints) always go through
 * class-validator; classes with no constraints are not validated at all.
 */
export class MessageValidator {
  private constructor(
    private readonly messageName: string,
    private readonly mode: 'plan' | 'sync' | 'async',
    private readonly check: Check | undefined,
  ) {}

  /** The validator of `type`, or `undefined` when the class declares no constraints. */
  static forClass(type: MessageClass): MessageValidator | undefined {
    const storage = getMetadataStorage();
    // The same call class-validator's executor makes with default options.
    const metadatas = storage.getTargetValidationMetadatas(type, '', false, false, undefined);
    if (metadatas.length === 0) return undefined;

    let async = false;
    let plannable = true;
    const byProperty = new Map<
      string,
      { conditions: Check[]; defined: ConstraintCheck[]; custom: ConstraintCheck[] }
    >();
    for (const metadata of metadatas) {
      const entry = byProperty.get(metadata.propertyName) ?? {
        conditions: [],
        defined: [],
        custom: [],
      };
      byProperty.set(metadata.propertyName, entry);
      if (metadata.type === ValidationTypes.CONDITIONAL_VALIDATION) {
        const condition = (metadata.constraints as [(o: object, v: unknown) => boolean])[0];
        const property = metadata.propertyName;
        entry.conditions.push((object) => condition(object, object[property]));
        continue;
      }
      if (metadata.type === ValidationTypes.WHITELIST) continue;
      if (
        metadata.type !== ValidationTypes.CUSTOM_VALIDATION &&
        metadata.type !== ValidationTypes.IS_DEFINED
      ) {
        plannable = false; // nested or promise validation: leave it to class-validator
        continue;
      }
      for (const constraint of storage.getTargetValidatorConstraints(metadata.constraintCls)) {
        if (constraint.async) async = true;
        const check: ConstraintCheck = {
          validator: constraint.instance as ConstraintCheck['validator'],
          constraints: metadata.constraints,
          each: metadata.each === true,
          validateIf: (metadata as { validateIf?: ConstraintCheck['validateIf'] }).validateIf,
        };
        (metadata.type === ValidationTypes.IS_DEFINED ? entry.defined : entry.custom).push(check);
      }
    }
    const name = type.name;
    if (async) return new MessageValidator(name, 'async', undefined);
    if (!plannable) return new MessageValidator(name, 'sync', undefined);
    return new MessageValidator(name, 'plan', compile(name, byProperty));
  }

  /**
   * `undefined` when `message` is valid, else the `ValidationError` listing
   * each field and constraint; a promise of either for classes with async constraints.
   */
  validate(message: object): ValidationError | undefined | Promise<ValidationError | undefined> {
    if (this.mode === 'async') {
      return validate(message).then((errors) =>
        errors.length === 0 ? undefined : new ValidationError(this.messageName, errors),
      );
    }
    if (this.mode === 'plan' && this.check!(message as Record<string, unknown>)) return undefined;
    const errors = validateSync(message);
    return errors.length === 0 ? undefined : new ValidationError(this.messageName, errors);
  }
}

function passes(
  check: ConstraintCheck,
  object: Record<string, unknown>,
  property: string,
  targetName: string,
): boolean {
  const value = object[property];
  if (check.validateIf !== undefined && !check.validateIf(object, value)) return true;
  const args: ValidationArguments = {
    targetName,
    property,
    object,
    value,
    constraints: check.constraints,
  };
  if (check.each && (Array.isArray(value) || value instanceof Set || value instanceof Map)) {
    const items = value instanceof Map ? [...value.values()] : [...value];
    return items.every((item) => check.validator.validate(item, args) === true);
  }
  const result = check.validator.validate(value, args);
  // A promise here means an async constraint the metadata did not flag: let class-validator decide.
  return result === true || (result !== false && !!result && !(result instanceof Promise));
}

function compile(
  targetName: string,
  byProperty: Map<
    string,
    { conditions: Check[]; defined: ConstraintCheck[]; custom: ConstraintCheck[] }
  >,
): Check {
  const properties = [...byProperty.entries()].map(([property, entry]) => ({ property, ...entry }));
  return (object) => {
    for (const { property, conditions, defined, custom } of properties) {
      let applies = true;
      for (const condition of conditions) applies = condition(object) && applies;
      if (!applies) continue;
      for (const check of defined) if (!passes(check, object, property, targetName)) return false;
      for (const check of custom) if (!passes(check, object, property, targetName)) return false;
    }
    return true;
  };
}
