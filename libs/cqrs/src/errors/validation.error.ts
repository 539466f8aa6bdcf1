import { CqrsError } from './cqrs.error';

/**
 * One failure as class-validator reports it (the shape of its `ValidationError`),
 * declared here so that these typings compile in an app without class-validator.
 */
export interface ClassValidatorFailure {
  readonly property: string;
  readonly constraints?: Readonly<Record<string, string>>;
  readonly children?: readonly ClassValidatorFailure[];
}

/** One invalid field of a message and the constraints it broke. */
export interface FieldViolation {
  /** Dotted path of the field, e.g. `items.0.quantity`. */
  readonly field: string;
  /** Broken constraint name to message, as class-validator reports them. */
  readonly constraints: Readonly<Record<string, string>>;
}

function flatten(errors: readonly ClassValidatorFailure[], prefix = ''): FieldViolation[] {
  const out: FieldViolation[] = [];
  for (const error of errors) {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    if (error.constraints && Object.keys(error.constraints).length > 0) {
      out.push({ field, constraints: { ...error.constraints } });
    }
    if (error.children?.length) out.push(...flatten(error.children, field));
  }
  return out;
}

/**
 * A command or query failed its class-validator constraints; its handler did
 * not run. `violations` lists each field and constraint (the demo maps this to HTTP 400).
 */
export class ValidationError extends CqrsError {
  static readonly code = 'message-validation-failed';

  /** Each invalid field with the constraints it broke. */
  readonly violations: readonly FieldViolation[];

  constructor(
    readonly messageName: string,
    errors: readonly ClassValidatorFailure[],
  ) {
    const violations = flatten(errors);
    const detail = violations
      .map((v) => `${v.field} (${Object.values(v.constraints).join('; ')})`)
      .join(', ');
    super(ValidationError.code, `${messageName} is invalid: ${detail}`);
    this.violations = violations;
  }
}
