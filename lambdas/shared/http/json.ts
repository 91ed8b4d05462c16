/**
 * Parses JSON and, when it is malformed, says where: line and column, with the text around the fault, so
 * a user can find the broken character in a 1 MiB body.
 */
export function parseJsonWithPosition(
  text: string,
): { ok: true; value: unknown } | { ok: false; message: string } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const offset = errorOffset(reason, text);
    if (offset === undefined) return { ok: false, message: `malformed JSON: ${reason}` };
    const before = text.slice(0, offset);
    const line = before.split('\n').length;
    const column = offset - before.lastIndexOf('\n');
    const near = JSON.stringify(text.slice(Math.max(0, offset - 20), offset + 20));
    return {
      ok: false,
      message: `malformed JSON at line ${line}, column ${column} (near ${near}): ${reason}`,
    };
  }
}

/** V8 reports "... at position N" (and, for a truncated body, "Unexpected end of JSON input"). */
function errorOffset(reason: string, text: string): number | undefined {
  const position = /at position (\d+)/.exec(reason);
  if (position) return Number(position[1]);
  if (/end of JSON input/i.test(reason)) return text.length;
  return undefined;
}
