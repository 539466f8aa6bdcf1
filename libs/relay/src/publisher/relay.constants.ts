/** Injection token of the resolved `RelayConnectionOptions`. */
export const RELAY_CONNECTION_OPTIONS = Symbol('cello:relay-connection-options');
