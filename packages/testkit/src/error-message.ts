/**
 * A one-line description of a thrown value. Node reports a refused connection to a host
 * with several addresses as an AggregateError whose own message is empty.
 */
export function errorMessage(error: unknown): string {
  if (error instanceof AggregateError && error.message === '') {
    return error.errors.map(errorMessage).join('; ');
  }
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
