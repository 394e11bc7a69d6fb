/** The URL with any password replaced, for log lines and error messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password === '') return url;
    parsed.password = '***';
    return parsed.toString();
  } catch {
    // Unparseable URLs are reported as given; pg rejects them with its own message.
    return url;
  }
}
