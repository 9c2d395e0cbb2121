/**
 * `xwamp keygen`: key helpers for authentication. Generates an Ed25519 key pair for
 * WAMP-Cryptosign, prints the public key of a private key, and derives a salted WAMP-CRA key.
 */
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { deriveWampcraKey, publicKeyOf } from "../auth/client.js";

export const KEYGEN_USAGE = `xwamp keygen                         new Ed25519 key pair (cryptosign): private seed and public key, hex
xwamp keygen --public <private hex>  the public key of a private key (read from stdin if "-")
xwamp keygen --wampcra <secret> --salt <salt> [--iterations 1000] [--keylen 32]
                                     the salted WAMP-CRA key (PBKDF2-SHA256, base64)
`;

/** Generate a new Ed25519 key pair: the 32-byte seed (what `cryptosign.privateKey` takes) and the public key. */
export function generateKeyPair(): { privateKey: string; publicKey: string } {
  const privateKey = randomBytes(32).toString("hex");
  return { privateKey, publicKey: publicKeyOf(privateKey) };
}

export async function runKeygen(argv: string[]): Promise<number> {
  let values: { public?: string; wampcra?: string; salt?: string; iterations?: string; keylen?: string };
  try {
    values = parseArgs({
      args: argv,
      options: {
        public: { type: "string" },
        wampcra: { type: "string" },
        salt: { type: "string" },
        iterations: { type: "string" },
        keylen: { type: "string" },
      },
      strict: true,
    }).values;
  } catch (err) {
    process.stderr.write(`xwamp keygen: ${(err as Error).message}\n\n${KEYGEN_USAGE}`);
    return 2;
  }
  if (values.public !== undefined) {
    const key = (values.public === "-" ? await readStdin() : values.public).trim();
    if (!/^[0-9a-fA-F]{64}$/.test(key)) {
      process.stderr.write("xwamp keygen: a private key is 64 hex characters (a 32-byte Ed25519 seed)\n");
      return 2;
    }
    process.stdout.write(`${publicKeyOf(key)}\n`);
    return 0;
  }
  if (values.wampcra !== undefined) {
    if (values.salt === undefined) {
      process.stderr.write("xwamp keygen: --wampcra needs --salt\n");
      return 2;
    }
    const iterations = Number(values.iterations ?? 1000);
    const keylen = Number(values.keylen ?? 32);
    if (!Number.isInteger(iterations) || iterations <= 0 || !Number.isInteger(keylen) || keylen <= 0) {
      process.stderr.write("xwamp keygen: --iterations and --keylen must be positive integers\n");
      return 2;
    }
    process.stdout.write(`${deriveWampcraKey(values.wampcra, values.salt, iterations, keylen)}\n`);
    return 0;
  }
  const pair = generateKeyPair();
  process.stdout.write(`private key: ${pair.privateKey}\npublic key:  ${pair.publicKey}\n`);
  return 0;
}

async function readStdin(): Promise<string> {
  let data = "";
  for await (const chunk of process.stdin) data += chunk;
  return data;
}
