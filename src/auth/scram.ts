/**
 * WAMP-SCRAM in the Autobahn/Crossbar dialect (advanced profile "Salted Challenge Response
 * Authentication"; authmethod `scram`): RFC 5802 keys, the AuthMessage as Autobahn builds it, and
 * the two KDFs, `pbkdf2` (PBKDF2-SHA256) and `argon2id-13` (Argon2id v1.3, parallelism 1). Shared by
 * the client and the router.
 */
import { createHash, createHmac, pbkdf2Sync, timingSafeEqual } from "node:crypto";
import { argon2idAsync } from "@noble/hashes/argon2.js";

export type ScramKdf = "pbkdf2" | "argon2id-13";

export interface ScramParams {
  /** Base64 salt. Both KDFs use its decoded bytes. */
  salt: string;
  kdf: ScramKdf;
  iterations: number;
  /** Argon2 memory cost in KiB. */
  memory?: number;
}

/**
 * SaltedPassword = KDF(password, salt, params): 32 bytes for pbkdf2; for argon2id-13 the 43 ASCII
 * characters of the 32-byte hash in unpadded base64 (Autobahn's dialect).
 */
export async function saltedPassword(password: string, p: ScramParams): Promise<Buffer> {
  const salt = Buffer.from(p.salt, "base64");
  const normalized = password.normalize("NFKC");
  if (p.kdf === "pbkdf2") return pbkdf2Sync(normalized, salt, p.iterations, 32, "sha256");
  if (p.memory === undefined) throw new TypeError("argon2id-13 needs a memory parameter");
  const hash = await argon2idAsync(Buffer.from(normalized, "utf8"), salt, {
    t: p.iterations,
    m: p.memory,
    p: 1,
    dkLen: 32,
    version: 0x13,
  });
  // Autobahn's client (auth._hash_argon2id13_secret) and Crossbar's stored keys (derive_scram_credential)
  // use the hash as it appears in the PHC string: unpadded base64 text, not the raw 32 bytes.
  return Buffer.from(Buffer.from(hash).toString("base64").replace(/=+$/, ""), "ascii");
}

/** What a router stores per user: StoredKey and ServerKey (base64), derived from the password. */
export async function deriveScramCredentials(
  password: string,
  p: ScramParams,
): Promise<{ storedKey: string; serverKey: string }> {
  const salted = await saltedPassword(password, p);
  const clientKey = hmac(salted, "Client Key");
  return {
    storedKey: createHash("sha256").update(clientKey).digest("base64"),
    serverKey: hmac(salted, "Server Key").toString("base64"),
  };
}

/** The AuthMessage, exactly as Autobahn composes it (channel binding name unencoded, "" for none). */
export function scramAuthMessage(
  authid: string,
  clientNonce: string,
  serverNonce: string,
  p: ScramParams,
  channelBinding: string | null,
): string {
  return `n=${authid},r=${clientNonce},r=${serverNonce},s=${p.salt},i=${p.iterations},c=${channelBinding ?? ""},r=${serverNonce}`;
}

/** Client: ClientProof = ClientKey XOR HMAC(StoredKey, AuthMessage), base64. */
export function scramClientProof(salted: Buffer, authMessage: string): string {
  const clientKey = hmac(salted, "Client Key");
  const storedKey = createHash("sha256").update(clientKey).digest();
  const signature = hmac(storedKey, authMessage);
  return xor(clientKey, signature).toString("base64");
}

/** Router: check a ClientProof against the StoredKey. */
export function scramVerifyProof(storedKeyB64: string, authMessage: string, proofB64: string): boolean {
  const storedKey = Buffer.from(storedKeyB64, "base64");
  const proof = Buffer.from(proofB64, "base64");
  if (proof.length !== 32 || storedKey.length !== 32) return false;
  const recoveredClientKey = xor(hmac(storedKey, authMessage), proof);
  const recovered = createHash("sha256").update(recoveredClientKey).digest();
  return timingSafeEqual(recovered, storedKey);
}

/** ServerSignature = HMAC(ServerKey, AuthMessage), base64. */
export function scramServerSignature(serverKeyB64: string, authMessage: string): string {
  return hmac(Buffer.from(serverKeyB64, "base64"), authMessage).toString("base64");
}

/** Client: the ServerSignature it expects from a SaltedPassword. */
export function scramExpectedServerSignature(salted: Buffer, authMessage: string): string {
  return hmac(hmac(salted, "Server Key"), authMessage).toString("base64");
}

function hmac(key: Buffer, data: string): Buffer {
  return createHmac("sha256", key).update(data).digest();
}

function xor(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.alloc(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] ^ b[i];
  return out;
}
