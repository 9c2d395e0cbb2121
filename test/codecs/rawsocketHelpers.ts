/** What the RawSocket codec tests share: hex fixtures both ways and the `code` of a thrown error. */

/** Bytes from hex, whitespace ignored: `hex("7f 21 00 00")`. */
export const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ""), "hex"));

export const toHex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

/** The `code` of what `fn` throws, or undefined when it does not throw. */
export function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return undefined;
}
