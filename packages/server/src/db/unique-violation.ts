// Recognises a unique-constraint violation from either driver (SQLite or PostgreSQL).

/** True when the error is a unique-constraint violation; `constraint` narrows by column or name. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const {
    code,
    message,
    constraint: pgConstraint,
  } = (error ?? {}) as { code?: string; message?: string; constraint?: string };
  const unique =
    code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
  if (!unique || constraint === undefined) return unique;
  return (pgConstraint ?? '').includes(constraint) || (message ?? '').includes(constraint);
}
