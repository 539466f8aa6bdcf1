export * from './devtools.module';
export * from './devtools-module-options';
export * from './errors/invalid-devtools-options.error';
export * from './events/event-browser';
export * from './redaction/devtools-redactor';
export * from './subscriptions/subscriptions-overview';
