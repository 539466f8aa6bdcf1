/** A command: any object (plain classes work, as in @nestjs/cqrs). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface ICommand {}
/** A query: any object. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface IQuery {}
/** An event: any object. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface IEvent {}
/** A query's result: any value. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface IQueryResult {}
