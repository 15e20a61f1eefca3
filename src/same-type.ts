/**
 * `true` when A and B are the same type, else `false`: `true satisfies SameType<A, B>` compiles only when they are, so
 * a list kept in code for its values (statuses, adapter names) cannot drift from the schema enum it repeats.
 */
export type SameType<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
