import { execFileSync } from 'node:child_process';
import path from 'node:path';
import fc from 'fast-check';
import {
  ArrayMaxSize,
  IsDefined,
  IsEmail,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Length,
  Max,
  Min,
  ValidateIf,
  ValidateNested,
  validateSync,
  ValidatorConstraint,
  Validate,
  type ValidationArguments,
  type ValidatorConstraintInterface,
} from 'class-validator';
import { Type } from 'class-transformer';
import { ValidationError } from '@cello/cqrs/errors/validation.error';
import { MessageValidator } from '@cello/cqrs/validation/message-validator';

class PlaceOrder {
  @IsString() @IsNotEmpty() customerId: unknown;
  @IsInt() @Min(1) @Max(100) quantity: unknown;
  @IsOptional() @IsIn(['standard', 'express']) shipping: unknown;
  @IsOptional() @IsEmail() email: unknown;
  @ValidateIf((o: PlaceOrder) => o.shipping === 'express')
  @IsDefined()
  @Length(3, 10)
  phone: unknown;
  @IsOptional() @IsInt({ each: true }) @ArrayMaxSize(3) tags: unknown;

  constructor(fields: Partial<Record<keyof PlaceOrder, unknown>>) {
    Object.assign(this, fields);
  }
}

class Line {
  @IsInt() @Min(1) quantity: unknown;
}

class WithNested {
  @ValidateNested() @Type(() => Line) line: unknown;
  constructor(line: unknown) {
    this.line = line;
  }
}

@ValidatorConstraint({ async: true })
class UniqueSku implements ValidatorConstraintInterface {
  async validate(value: unknown): Promise<boolean> {
    return value !== 'taken';
  }
}

class WithAsync {
  @Validate(UniqueSku) sku: unknown;
  constructor(sku: unknown) {
    this.sku = sku;
  }
}

/** Records the arguments class-validator hands a constraint, to compare with the plan's. */
@ValidatorConstraint({ name: 'recorded' })
class Recorded implements ValidatorConstraintInterface {
  static seen: ValidationArguments[] = [];
  validate(value: unknown, args: ValidationArguments): boolean {
    Recorded.seen.push({ ...args });
    return value !== 'bad';
  }
}

const ODD_NAME = 'it\'s "odd" \\ \u2028 ${name}';

class WithOddName {
  @Validate(Recorded, [7]) [ODD_NAME]: unknown;
  @IsInt() 'constructor-like': unknown = 1;
  constructor(value: unknown) {
    this[ODD_NAME] = value;
  }
}

class NoConstraints {
  value = 1;
}

const anyValue = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.string({ maxLength: 12 }),
  fc.constantFrom('', 'standard', 'express', 'a@b.io', 'not-an-email', '12345'),
  fc.integer({ min: -5, max: 120 }),
  fc.double({ noNaN: false }),
  fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 5 }),
  fc.array(fc.string({ maxLength: 2 }), { maxLength: 2 }),
);

describe('MessageValidator', () => {
  describe('when a class has plain constraints', () => {
    it('should accept and reject exactly what class-validator accepts and rejects', () => {
      const validator = MessageValidator.forClass(PlaceOrder)!;
      fc.assert(
        fc.property(
          fc.record({
            customerId: anyValue,
            quantity: anyValue,
            shipping: anyValue,
            email: anyValue,
            phone: anyValue,
            tags: anyValue,
          }),
          (fields) => {
            // Given
            const message = new PlaceOrder(fields);
            // When
            const planned = validator.validate(message) as ValidationError | undefined;
            // Then
            const reference = validateSync(message);
            expect(planned === undefined).toBe(reference.length === 0);
            if (planned !== undefined) {
              expect(planned.violations.map((v) => v.field)).toEqual(
                reference.map((e) => e.property),
              );
            }
          },
        ),
        { numRuns: 2_000 },
      );
    });

    it('should list each field and constraint in the error', () => {
      // When
      const error = MessageValidator.forClass(PlaceOrder)!.validate(
        new PlaceOrder({ customerId: '', quantity: 0, shipping: 'express' }),
      ) as ValidationError;
      // Then
      expect(error.violations).toEqual([
        { field: 'customerId', constraints: { isNotEmpty: 'customerId should not be empty' } },
        { field: 'quantity', constraints: { min: 'quantity must not be less than 1' } },
        {
          field: 'phone',
          constraints: {
            isDefined: 'phone should not be null or undefined',
            isLength: 'phone must be longer than or equal to 3 characters',
          },
        },
      ]);
    });
  });

  describe('when a class has nested constraints', () => {
    it('should report the nested field by its path', () => {
      // When
      const line = Object.assign(new Line(), { quantity: 0 });
      const error = MessageValidator.forClass(WithNested)!.validate(
        new WithNested(line),
      ) as ValidationError;
      // Then
      expect(error.violations).toEqual([
        { field: 'line.quantity', constraints: { min: 'quantity must not be less than 1' } },
      ]);
      expect(
        MessageValidator.forClass(WithNested)!.validate(
          new WithNested(Object.assign(new Line(), { quantity: 2 })),
        ),
      ).toBeUndefined();
    });
  });

  describe('when a class has an async constraint', () => {
    it('should validate asynchronously', async () => {
      const validator = MessageValidator.forClass(WithAsync)!;
      await expect(validator.validate(new WithAsync('free'))).resolves.toBeUndefined();
      const error = await validator.validate(new WithAsync('taken'));
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).violations[0].field).toBe('sku');
    });
  });

  describe('when a class declares no constraints', () => {
    it('should have no validator at all (no cost per dispatch)', () => {
      expect(MessageValidator.forClass(NoConstraints)).toBeUndefined();
    });
  });
  describe('when property names need quoting', () => {
    it('should read the property and hand the constraint the same arguments as class-validator', () => {
      // Given
      const validator = MessageValidator.forClass(WithOddName)!;
      const message = new WithOddName('fine');
      validateSync(message);
      const reference = Recorded.seen.splice(0);
      // When
      const valid = validator.validate(message);
      const invalid = validator.validate(new WithOddName('bad')) as ValidationError;
      // Then
      expect(valid).toBeUndefined();
      expect(Recorded.seen[0]).toEqual(reference[0]);
      expect(Recorded.seen[0]).toMatchObject({
        property: ODD_NAME,
        targetName: 'WithOddName',
        value: 'fine',
        constraints: [7],
      });
      expect(Recorded.seen[0].object).toBe(message);
      expect(invalid.violations.map((v) => v.field)).toEqual([ODD_NAME]);
    });
  });
  describe('when the runtime refuses code generation', () => {
    it('should plan the same checks without generated code', () => {
      // Given: a Node process started with --disallow-code-generation-from-strings
      const root = path.resolve(__dirname, '../../../..');
      const fixture = path.join(__dirname, '__fixtures__', 'no-codegen-validation.fixture.ts');
      // When
      const output = execFileSync(
        process.execPath,
        [
          '--disallow-code-generation-from-strings',
          '-r',
          path.join(root, 'scripts', 'register-ts.js'),
          fixture,
        ],
        { cwd: root, encoding: 'utf8' },
      );
      // Then
      const { codegenRefused, verdicts } = JSON.parse(output) as {
        codegenRefused: boolean;
        verdicts: { planned: boolean; classValidator: boolean }[];
      };
      expect(codegenRefused).toBe(true);
      for (const verdict of verdicts) expect(verdict.planned).toBe(verdict.classValidator);
      expect(verdicts.map((v) => v.planned)).toEqual([
        true,
        false,
        false,
        true,
        false,
        false,
        true,
      ]);
    });
  });
});
