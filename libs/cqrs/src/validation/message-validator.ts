import type * as ClassValidator from 'class-validator';
import type { ValidationArguments } from 'class-validator';
import { loadOptionalPeer } from '@cello/core/internal';
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
    private readonly classValidator: typeof ClassValidator,
    private readonly messageName: string,
    private readonly mode: 'plan' | 'sync' | 'async',
    private readonly check: Check | undefined,
  ) {}

  /** The validator of `type`, or `undefined` when the class declares no constraints. */
  static forClass(type: MessageClass): MessageValidator | undefined {
    // An optional peer: loaded when a route is built with validation on, never at import.
    const classValidator = loadOptionalPeer<typeof ClassValidator>(
      'class-validator',
      'Validation of commands and queries',
      require,
    );
    const { ValidationTypes } = classValidator;
    const storage = classValidator.getMetadataStorage();
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
    if (async) return new MessageValidator(classValidator, name, 'async', undefined);
    if (!plannable) return new MessageValidator(classValidator, name, 'sync', undefined);
    return new MessageValidator(classValidator, name, 'plan', compile(name, byProperty));
  }

  /**
   * The compiled check of a planned class (`true`: valid; `false`: call
   * {@link validate} for the errors), or `undefined` when every message must
   * go through {@link validate} (nested or async constraints).
   */
  get planned(): ((message: object) => boolean) | undefined {
    return this.mode === 'plan' ? (this.check as (message: object) => boolean) : undefined;
  }

  /**
   * `undefined` when `message` is valid, else the `ValidationError` listing
   * each field and constraint; a promise of either for classes with async constraints.
   */
  validate(message: object): ValidationError | undefined | Promise<ValidationError | undefined> {
    if (this.mode === 'async') {
      return this.classValidator
        .validate(message)
        .then((errors) =>
          errors.length === 0 ? undefined : new ValidationError(this.messageName, errors),
        );
    }
    if (this.mode === 'plan' && this.check!(message as Record<string, unknown>)) return undefined;
    const errors = this.classValidator.validateSync(message);
    return errors.length === 0 ? undefined : new ValidationError(this.messageName, errors);
  }
}

function passes(
  check: ConstraintCheck,
  args: { object: object; value: unknown },
  object: Record<string, unknown>,
  value: unknown,
): boolean {
  if (check.validateIf !== undefined && !check.validateIf(object, value)) return true;
  // One arguments object per constraint, refilled per call: validation is synchronous here.
  args.object = object;
  args.value = value;
  const validationArgs = args as ValidationArguments;
  if (check.each && (Array.isArray(value) || value instanceof Set || value instanceof Map)) {
    const items = value instanceof Map ? [...value.values()] : [...(value as Iterable<unknown>)];
    return items.every((item) => isPass(check.validator.validate(item, validationArgs)));
  }
  return isPass(check.validator.validate(value, validationArgs));
}

/** class-validator's rule (truthy passes), except that a promise defers to class-validator itself. */
function isPass(result: unknown): boolean {
  return result === true || (!!result && !(result instanceof Promise));
}

type PlanEntries = Map<
  string,
  { conditions: Check[]; defined: ConstraintCheck[]; custom: ConstraintCheck[] }
>;

/** The plan as one function: generated code, or a loop where code generation is disallowed. */
function compile(targetName: string, byProperty: PlanEntries): Check {
  try {
    return generate(targetName, byProperty);
  } catch (error) {
    // `node --disallow-code-generation-from-strings` (or a CSP-like policy): same checks, looped.
    if (error instanceof EvalError) return interpret(targetName, byProperty);
    throw error;
  }
}

/**
 * Turns the plan into one straight-line function (`new Function`), one call site
 * per constraint: V8 then sees each constraint's `validate` as the only callee of
 * its site and inlines it (a shared loop calls them all from one megamorphic site,
 * ~30 ns for three constraints against a few here). Only property names and the
 * class name reach the source, as JSON string literals; validators, constraints
 * and conditions are passed in as parameters. Constraints with `each` or their
 * own `validateIf` go through the generic {@link passes}.
 */
function generate(targetName: string, byProperty: PlanEntries): Check {
  const names: string[] = [];
  const values: unknown[] = [];
  const bind = (prefix: string, value: unknown): string => {
    const name = `${prefix}${names.length}`;
    names.push(name);
    values.push(value);
    return name;
  };
  const lines: string[] = [];
  const target = JSON.stringify(targetName);
  for (const [property, entry] of byProperty) {
    const key = JSON.stringify(property);
    const checks = [...entry.defined, ...entry.custom];
    const body: string[] = [`v = o[${key}];`];
    for (const check of checks) {
      if (check.each || check.validateIf !== undefined) {
        const args = {
          targetName,
          property,
          object: {},
          value: undefined,
          constraints: check.constraints,
        };
        body.push(`if (!passes(${bind('k', check)}, ${bind('a', args)}, o, v)) return false;`);
        continue;
      }
      const validator = bind('k', check.validator);
      const constraints = bind('c', check.constraints);
      body.push(
        `r = ${validator}.validate(v, { targetName: ${target}, property: ${key}, object: o, value: v, constraints: ${constraints} });`,
        'if (r !== true && !isPass(r)) return false;',
      );
    }
    if (entry.conditions.length === 0) {
      lines.push(...body);
      continue;
    }
    // Every condition runs (as in class-validator), and all must hold.
    const conditions = entry.conditions.map((condition) => `!!${bind('w', condition)}(o)`);
    lines.push(`if (${conditions.join(' & ')}) {`, ...body, '}');
  }
  const source = `'use strict';\nreturn function check(o) {\n  let v, r;\n  ${lines.join('\n  ')}\n  return true;\n};`;
  const factory = new Function('passes', 'isPass', ...names, source) as (
    ...args: unknown[]
  ) => Check;
  return factory(passes, isPass, ...values);
}

/** The plan run by a loop over the same checks (each through {@link passes}). */
function interpret(targetName: string, byProperty: PlanEntries): Check {
  const properties = [...byProperty].map(([property, entry]) => {
    const checks = [...entry.defined, ...entry.custom];
    const args = checks.map((check) => ({
      targetName,
      property,
      object: {},
      value: undefined as unknown,
      constraints: check.constraints,
    }));
    return { property, conditions: entry.conditions, checks, args };
  });
  return (object) => {
    for (const { property, conditions, checks, args } of properties) {
      let applies = true;
      for (const condition of conditions) applies = !!condition(object) && applies;
      if (!applies) continue;
      const value = object[property];
      for (let i = 0; i < checks.length; i++) {
        if (!passes(checks[i], args[i], object, value)) return false;
      }
    }
    return true;
  };
}
