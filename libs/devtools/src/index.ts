export * from './devtools.module';
export * from './devtools-module-options';
export * from './events/event-browser';
