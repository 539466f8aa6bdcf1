/** A command or query class. Routing uses the class object itself, never its name. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type MessageClass<M extends object = object> = abstract new (...args: any[]) => M;

/** Which bus a message belongs to. */
export type MessageKind = 'command' | 'query';
