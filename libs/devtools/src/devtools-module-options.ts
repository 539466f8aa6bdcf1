import type { CanActivate, ModuleMetadata, Type } from '@nestjs/common';

/** What a value handed to `redact` is. */
export interface DevtoolsRedactionTarget {
  /** `event`: an event's payload; `metadata`: an event's metadata; `saga`: a saga's context. */
  readonly kind: 'event' | 'metadata' | 'saga';
  /** The event type, or the saga's name. */
  readonly type: string;
}

/**
 * Rewrites a payload, metadata or saga context before it leaves the server
 * (e.g. masks names and addresses). Gets the stored value; returns what to
 * show instead. When it throws, `"[redaction failed]"` is shown.
 */
export type DevtoolsRedact = (value: unknown, target: DevtoolsRedactionTarget) => unknown;

/** Options of `DevtoolsModule.forRoot`. */
export interface DevtoolsModuleOptions {
  /**
   * Serve `/events` and `/sagas`. Default: only when `NODE_ENV` is
   * `development` (off when it is unset); when off, every route answers 404.
   */
  enabled?: boolean;
  /**
   * A Nest guard (class or instance) run before every devtools route, pages
   * and APIs, so the pages can sit behind the app's own authentication.
   * A class is instantiated in DevtoolsModule (its dependencies come from
   * global modules or `imports`). Default: none.
   */
  guard?: CanActivate | Type<CanActivate>;
  /** Modules that provide what `guard` injects. Default: none. */
  imports?: ModuleMetadata['imports'];
  /** Applied to every event payload, event metadata and saga context served. Default: none. */
  redact?: DevtoolsRedact;
  /** Most log positions the browser searches for one filtered page. Default 20000. */
  maxScan?: number;
}

/** Injection token of the resolved devtools options. */
export const DEVTOOLS_OPTIONS = Symbol('cello:devtools-options');

/** Whether the pages are on: the option, else only when `NODE_ENV` is `development`. */
export function devtoolsEnabled(options: DevtoolsModuleOptions): boolean {
  return options.enabled ?? process.env.NODE_ENV === 'development';
}
