/** Options of `DevtoolsModule.forRoot`. */
export interface DevtoolsModuleOptions {
  /**
   * Serve `/events` and `/sagas`. Default: on unless `NODE_ENV` is
   * `production`; when off, the pages answer 404.
   */
  enabled?: boolean;
  /** Most events the browser scans backwards for one filtered page. Default 20000. */
  maxScan?: number;
}

/** Injection token of the resolved devtools options. */
export const DEVTOOLS_OPTIONS = Symbol('cello:devtools-options');

/** Whether the pages are on, from the option or else from `NODE_ENV`. */
export function devtoolsEnabled(options: DevtoolsModuleOptions): boolean {
  return options.enabled ?? process.env.NODE_ENV !== 'production';
}
