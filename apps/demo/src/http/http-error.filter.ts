import { ArgumentsHost, BadRequestException, Catch, HttpStatus, Logger } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { isCelloError } from '@cello/core';
import type { Response } from 'express';

/**
 * HTTP status of each error code the demo can meet. Matching on the stable
 * `code` (not on classes) keeps working when two copies of a library load.
 */
const STATUS_BY_CODE: Readonly<Record<string, HttpStatus>> = {
  'message-validation-failed': HttpStatus.BAD_REQUEST,
  'order-not-found': HttpStatus.NOT_FOUND,
  'fulfillment-not-found': HttpStatus.NOT_FOUND,
  'aggregate-not-found': HttpStatus.NOT_FOUND,
  'saga-not-found': HttpStatus.NOT_FOUND,
  'invalid-order-transition': HttpStatus.CONFLICT,
  'concurrency-conflict': HttpStatus.CONFLICT,
  'event-store-unavailable': HttpStatus.SERVICE_UNAVAILABLE,
  'saga-storage-unavailable': HttpStatus.SERVICE_UNAVAILABLE,
  'demo-database-unavailable': HttpStatus.SERVICE_UNAVAILABLE,
  // The write is stored, but the read model did not catch up in time (a stuck projection).
  'wait-for-position-timeout': HttpStatus.SERVICE_UNAVAILABLE,
  'command-timeout': HttpStatus.GATEWAY_TIMEOUT,
  'query-timeout': HttpStatus.GATEWAY_TIMEOUT,
  // A value the store cannot hold (PostgreSQL refuses NUL characters in text): the client's input.
  'invalid-append': HttpStatus.BAD_REQUEST,
  // A saga context the runner refused, or a value the saga storage refused (lone surrogates,
  // NUL, SQLSTATE classes 22 and 23): the client's input, never an outage. (The event store
  // reports its refused values as `invalid-append`, above.)
  'saga-invalid-context': HttpStatus.BAD_REQUEST,
  'saga-invalid-input': HttpStatus.BAD_REQUEST,
  // Too big to store: the client sent too much.
  'event-too-large': HttpStatus.PAYLOAD_TOO_LARGE,
  'append-batch-too-large': HttpStatus.PAYLOAD_TOO_LARGE,
  // A stored event that cannot be read back (corrupt row, missing class or upcaster):
  // a server fault, answered with its code and the stream and position it names.
  'unknown-event-type': HttpStatus.INTERNAL_SERVER_ERROR,
  'upcasting-failed': HttpStatus.INTERNAL_SERVER_ERROR,
  'event-serialization-failed': HttpStatus.INTERNAL_SERVER_ERROR,
  // A repeated request for a saga whose stored state is unreadable (quarantined).
  'saga-corrupt': HttpStatus.INTERNAL_SERVER_ERROR,
};

/** Turns the libraries' and the domain's coded errors into HTTP answers; anything else is Nest's. */
@Catch()
export class HttpErrorFilter extends BaseExceptionFilter {
  private readonly logger = new Logger('HttpErrorFilter');

  override catch(error: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const status = isCelloError(error) ? STATUS_BY_CODE[error.code] : undefined;
    if (isCelloError(error) && status !== undefined) {
      if (status >= 500) this.logger.warn(`${error.code}: ${error.message}`);
      response.status(status).json({
        statusCode: status,
        error: httpReason(status),
        code: error.code,
        message: problemsOf(error),
      });
      return;
    }
    if (error instanceof BadRequestException) {
      // One shape for every 400: `message` is always the list of problems (malformed JSON too).
      const body = error.getResponse();
      const message = typeof body === 'object' ? (body as { message?: unknown }).message : body;
      response.status(HttpStatus.BAD_REQUEST).json({
        statusCode: HttpStatus.BAD_REQUEST,
        error: 'Bad Request',
        message: Array.isArray(message) ? message : [String(message ?? error.message)],
      });
      return;
    }
    super.catch(error, host);
  }
}

/** A cqrs validation error's field problems (`items.0.quantity must not be less than 1`), else its message. */
function problemsOf(error: Error): string | string[] {
  const violations = (error as { violations?: unknown }).violations;
  if (!Array.isArray(violations)) return error.message;
  return (violations as { field: string; constraints: Record<string, string> }[]).flatMap(
    (violation) =>
      Object.values(violation.constraints).map((text) => {
        // class-validator names the property only ("quantity must ..."): name the whole path.
        const property = violation.field.split('.').pop() ?? violation.field;
        return text.startsWith(`${property} `)
          ? `${violation.field}${text.slice(property.length)}`
          : `${violation.field}: ${text}`;
      }),
  );
}

function httpReason(status: HttpStatus): string {
  switch (status) {
    case HttpStatus.BAD_REQUEST:
      return 'Bad Request';
    case HttpStatus.NOT_FOUND:
      return 'Not Found';
    case HttpStatus.CONFLICT:
      return 'Conflict';
    case HttpStatus.SERVICE_UNAVAILABLE:
      return 'Service Unavailable';
    case HttpStatus.GATEWAY_TIMEOUT:
      return 'Gateway Timeout';
    case HttpStatus.PAYLOAD_TOO_LARGE:
      return 'Payload Too Large';
    case HttpStatus.INTERNAL_SERVER_ERROR:
      return 'Internal Server Error';
    default:
      return 'Error';
  }
}
