import mongoose from 'mongoose';

/**
 * mongoose runs with sanitizeFilter: any object with `$` keys inside a filter is wrapped in `$eq`, so a value
 * that came from a client can never act as an operator. Operators the server writes itself are marked with
 * `op(...)` (mongoose.trusted). Never pass client input to op().
 */
export const op = <T extends object>(operators: T): T => mongoose.trusted(operators) as T;
