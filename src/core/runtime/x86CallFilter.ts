/**
 * A reversible filter that makes x86 machine code compress better: the target of every `call rel32` (opcode E8) is
 * rewritten from relative to its instruction to absolute, so that the many calls of one function share their bytes.
 * Used on esbuild's native binary before it is brotli-compressed for the .vsix (scripts/lib/packEsbuild.mjs), and
 * reversed when it is unpacked (packedEsbuild.ts): about 4% smaller packed.
 *
 * Every E8 byte is converted, whatever follows it (a data byte that happens to be E8 too), and the four bytes after a
 * converted one are skipped: so the decoder, which sees the same E8 bytes at the same positions, converts exactly the
 * same places back. The binary's SHA-256 is checked after decoding.
 */

/** The name binary.json gives this filter. */
export const X86_CALL_FILTER = 'x86-calls';

const CALL = 0xe8;

function convert(data: Buffer, encode: boolean): Buffer {
  for (let i = 0; i + 5 <= data.length;) {
    if (data[i] !== CALL) {
      i++;
      continue;
    }
    const next = i + 5;
    const value = data.readInt32LE(i + 1);
    data.writeInt32LE((encode ? value + next : value - next) | 0, i + 1);
    i = next;
  }
  return data;
}

/** The filtered copy of `binary`. */
export function encodeX86Calls(binary: Buffer): Buffer {
  return convert(Buffer.from(binary), true);
}

/** Reverses encodeX86Calls in place, and returns `filtered`. */
export function decodeX86Calls(filtered: Buffer): Buffer {
  return convert(filtered, false);
}
