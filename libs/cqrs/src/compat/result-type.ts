/** Type-only key that carries a `Command<R>`/`Query<R>` result type. */
export declare const RESULT_TYPE_SYMBOL: unique symbol;
