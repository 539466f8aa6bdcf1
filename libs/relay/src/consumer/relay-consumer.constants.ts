/** Injection token of the `RelayConsumerModuleOptions`. */
export const RELAY_CONSUMER_OPTIONS = Symbol('cello:relay-consumer-options');
