/**
 * Known-answer tests for the signing primitives:
 *
 * - WAMP-Cryptosign: the six test vectors of the spec (authentication_cryptosign.md "Test
 *   Vectors"), three of them with a `tls-unique` channel id, through `signCryptosign`; public keys
 *   of their private keys (reference values from Autobahn|Python's `CryptosignKey.public_key()`).
 * - WAMP-CRA: the spec's example in authentication_cra.md is not computable (it never states the
 *   secret, and its challenge string is shown wrapped over several lines), so the fixtures are
 *   Autobahn|Python 22.7.1's own: `auth.compute_wcs(key, challenge)` and `auth.derive_key(secret,
 *   salt, iterations, keylen)`, computed once with `/usr/bin/python3` and hard-coded here, plus
 *   the two values of Autobahn's unit tests (autobahn/wamp/test/test_wamp_auth.py).
 * - WAMP-SCRAM: RFC 7677's SCRAM-SHA-256 example (the one the spec's message examples reuse) for
 *   the PBKDF2 key and proof; Autobahn's argon2id-13 client proof (test_wamp_auth.py
 *   `TestScram.test_basic`); derive / prove / verify round trips for both KDFs and a wrong password.
 */
import nacl from "tweetnacl";
import { describe, expect, it } from "vitest";
import {
  ClientAuthentication,
  deriveWampcraKey,
  publicKeyOf,
  signCryptosign,
  signWampcra,
} from "../../src/auth/client.js";
import {
  deriveScramCredentials,
  type ScramParams,
  saltedPassword,
  scramAuthMessage,
  scramClientProof,
  scramExpectedServerSignature,
  scramServerSignature,
  scramVerifyProof,
} from "../../src/auth/scram.js";
import { generateKeyPair } from "../../src/cli/keygen.js";
import type { TransportDetails } from "../../src/transports/types.js";

// --- WAMP-Cryptosign ---------------------------------------------------------------------------

/** authentication_cryptosign.md, "Test Vectors" (test_vectors_1), verbatim. */
const CRYPTOSIGN_VECTORS = [
  {
    channel_id: null,
    private_key: "4d57d97a68f555696620a6d849c0ce582568518d729eb753dc7c732de2804510",
    challenge: "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
    signature:
      "b32675b221f08593213737bef8240e7c15228b07028e19595294678c90d11c0cae80a357331bfc5cc9fb71081464e6e75013517c2cf067ad566a6b7b728e5d03ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
  },
  {
    channel_id: null,
    private_key: "d511fe78e23934b3dadb52fcd022974b80bd92bccc7c5cf404e46cc0a8a2f5cd",
    challenge: "b26c1f87c13fc1da14997f1b5a71995dff8fbe0a62fae8473c7bdbd05bfb607d",
    signature:
      "d4209ad10d5aff6bfbc009d7e924795de138a63515efc7afc6b01b7fe5201372190374886a70207b042294af5bd64ce725cd8dceb344e6d11c09d1aaaf4d660fb26c1f87c13fc1da14997f1b5a71995dff8fbe0a62fae8473c7bdbd05bfb607d",
  },
  {
    channel_id: null,
    private_key: "6e1fde9cf9e2359a87420b65a87dc0c66136e66945196ba2475990d8a0c3a25b",
    challenge: "b05e6b8ad4d69abf74aa3be3c0ee40ae07d66e1895b9ab09285a2f1192d562d2",
    signature:
      "7beb282184baadd08f166f16dd683b39cab53816ed81e6955def951cb2ddad1ec184e206746fd82bda075af03711d3d5658fc84a76196b0fa8d1ebc92ef9f30bb05e6b8ad4d69abf74aa3be3c0ee40ae07d66e1895b9ab09285a2f1192d562d2",
  },
  {
    channel_id: "62e935ae755f3d48f80d4d59f6121358c435722a67e859cc0caa8b539027f2ff",
    private_key: "4d57d97a68f555696620a6d849c0ce582568518d729eb753dc7c732de2804510",
    challenge: "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
    signature:
      "9b6f41540c9b95b4b7b281c3042fa9c54cef43c842d62ea3fd6030fcb66e70b3e80d49d44c29d1635da9348d02ec93f3ed1ef227dfb59a07b580095c2b82f80f9d16ca518aa0c2b707f2b2a609edeca73bca8dd59817a633f35574ac6fd80d00",
  },
  {
    channel_id: "62e935ae755f3d48f80d4d59f6121358c435722a67e859cc0caa8b539027f2ff",
    private_key: "d511fe78e23934b3dadb52fcd022974b80bd92bccc7c5cf404e46cc0a8a2f5cd",
    challenge: "b26c1f87c13fc1da14997f1b5a71995dff8fbe0a62fae8473c7bdbd05bfb607d",
    signature:
      "305aaa3ac25e98f651427688b3fc43fe7d8a68a7ec1d7d61c61517c519bd4a427c3015599d83ca28b4c652333920223844ef0725eb5dc2febfd6af7677b73f01d0852a29b460fc92ec943242ac638a053bbacc200512b18b30d15083cbdc9282",
  },
  {
    channel_id: "62e935ae755f3d48f80d4d59f6121358c435722a67e859cc0caa8b539027f2ff",
    private_key: "6e1fde9cf9e2359a87420b65a87dc0c66136e66945196ba2475990d8a0c3a25b",
    challenge: "b05e6b8ad4d69abf74aa3be3c0ee40ae07d66e1895b9ab09285a2f1192d562d2",
    signature:
      "ee3c7644fd8070532bc1fde3d70d742267da545d8c8f03e63bda63f1ad4214f4d2c4bfdb4eb9526def42deeb7e31602a6ff99eba893e0a4ad4d45892ca75e608d2b75e24a189a7f78ca776ba36fc53f6c3e31c32f251f2c524f0a44202f2902d",
  },
];

/** Public keys of the vectors' private keys, from Autobahn|Python 22.7.1 (CryptosignKey.public_key()). */
const PUBLIC_KEYS: Record<string, string> = {
  "4d57d97a68f555696620a6d849c0ce582568518d729eb753dc7c732de2804510":
    "1adfc8bfe1d35616e64dffbd900096f23b066f914c8c2ffbb66f6075b96e116d",
  d511fe78e23934b3dadb52fcd022974b80bd92bccc7c5cf404e46cc0a8a2f5cd:
    "6ed32739ff04a6074044ff0b0e3bfc7c856bc9d5f1d25efc57363bda0af3a8b0",
  "6e1fde9cf9e2359a87420b65a87dc0c66136e66945196ba2475990d8a0c3a25b":
    "28e11f427b82b9a625ee7ac89a7d29326b505f2dc11dd88c1245f83b6da79a85",
};

/** Just enough of a transport for signCryptosign: the 32-byte tls-unique channel id. */
function transportWith(channelIdHex: string | null): TransportDetails {
  return {
    kind: "websocket",
    peer: "tcp4:127.0.0.1:1",
    secure: channelIdHex !== null,
    channelId: channelIdHex === null ? undefined : new Uint8Array(Buffer.from(channelIdHex, "hex")),
  } as unknown as TransportDetails;
}

describe("WAMP-Cryptosign: the spec's test vectors through signCryptosign", () => {
  for (const [i, v] of CRYPTOSIGN_VECTORS.entries()) {
    const label = `vector ${i + 1} (${v.channel_id === null ? "no channel binding" : "tls-unique"})`;
    it(label, () => {
      const extra =
        v.channel_id === null
          ? { challenge: v.challenge, channel_binding: null }
          : { challenge: v.challenge, channel_binding: "tls-unique" };
      const signature = signCryptosign(v.private_key, extra, transportWith(v.channel_id));
      expect(signature).toBe(v.signature);

      // 64 bytes of Ed25519 signature over the 32 bytes that follow: the challenge, XORed with the
      // channel id when bound; it verifies under the private key's public key.
      const bytes = Buffer.from(signature, "hex");
      const message = bytes.subarray(64);
      const expected = Buffer.from(v.challenge, "hex");
      if (v.channel_id !== null) {
        const id = Buffer.from(v.channel_id, "hex");
        for (let j = 0; j < 32; j++) expected[j] ^= id[j];
      }
      expect(message.toString("hex")).toBe(expected.toString("hex"));
      const publicKey = Buffer.from(publicKeyOf(v.private_key), "hex");
      expect(nacl.sign.detached.verify(message, bytes.subarray(0, 64), publicKey)).toBe(true);
    });
  }

  it("a bound challenge without a channel id on the connection is an error, not an unbound signature", () => {
    const v = CRYPTOSIGN_VECTORS[3];
    expect(() =>
      signCryptosign(
        v.private_key,
        { challenge: v.challenge, channel_binding: "tls-unique" },
        transportWith(null),
      ),
    ).toThrow(expect.objectContaining({ code: "AUTHENTICATION_FAILED" }));
  });

  it("a challenge that is not 32 bytes of hex is refused", () => {
    const key = CRYPTOSIGN_VECTORS[0].private_key;
    for (const challenge of ["", "ff", "zz".repeat(32), "ff".repeat(33), 42]) {
      expect(() => signCryptosign(key, { challenge }, undefined)).toThrow(
        expect.objectContaining({ code: "AUTHENTICATION_FAILED" }),
      );
    }
  });
});

describe("publicKeyOf", () => {
  it("matches Autobahn|Python's public keys for the vectors' private keys", () => {
    for (const [privateKey, publicKey] of Object.entries(PUBLIC_KEYS)) {
      expect(publicKeyOf(privateKey)).toBe(publicKey);
      expect(publicKeyOf(privateKey.toUpperCase())).toBe(publicKey);
    }
  });

  it("is the key pair of `xwamp keygen` (generateKeyPair): 32-byte seed, 32-byte public key", () => {
    const pair = generateKeyPair();
    expect(pair.privateKey).toMatch(/^[0-9a-f]{64}$/);
    expect(pair.publicKey).toMatch(/^[0-9a-f]{64}$/);
    expect(publicKeyOf(pair.privateKey)).toBe(pair.publicKey);
    expect(generateKeyPair().privateKey).not.toBe(pair.privateKey);
  });

  it("HELLO announces the public key (authextra.pubkey) and the channel binding, never the private key", () => {
    const pair = generateKeyPair();
    const hello = new ClientAuthentication({
      cryptosign: { authid: "carol", privateKey: pair.privateKey, channelBinding: "tls-unique" },
    }).hello("realm1", { caller: {} });
    expect(hello[2]).toMatchObject({
      authmethods: ["cryptosign"],
      authid: "carol",
      authextra: { pubkey: pair.publicKey, channel_binding: "tls-unique" },
    });
    expect(JSON.stringify(hello)).not.toContain(pair.privateKey);
  });
});

// --- WAMP-CRA ------------------------------------------------------------------------------------

/** A challenge string shaped like the spec's (authentication_cra.md), on one line. */
const CRA_CHALLENGE =
  '{"authid": "peter", "authrole": "user", "authmethod": "wampcra", "authprovider": "userdb", "nonce": "LHRTC9zeOIrt_9U3", "timestamp": "2014-06-22T16:36:25.448Z", "session": 3251278072152162}';

/**
 * Computed with Autobahn|Python 22.7.1 (`from autobahn.wamp import auth`):
 * `auth.compute_wcs(key, challenge)` and `auth.derive_key(secret, salt, iterations, keylen)`.
 */
const AUTOBAHN_CRA = {
  unsalted: [
    { secret: "secret123", signature: "tFm75cF2Y8Y+0qV2rSE6ftcJyD8EOKzoOyGHd7gMpZo=" },
    { secret: "pw", signature: "0rzDFNjwDQm929iXbd5PIouncQI2RWxcTHNj8HzTLQ0=" },
  ],
  salted: [
    {
      // The "dave".
      secret: "pw2",
      salt: "salt123",
      iterations: 100,
      keylen: 32,
      key: "+ZL1aSaWhnb6yH9TIc1e6aksA0PidGrK2B/XOQuxG0A=",
      signature: "naEpsrcuViHxZ/2e199pJU0/oUsBPu3UJ3bmZvirSRY=",
    },
    {
      // derive_key's defaults: 1000 iterations, 32 bytes.
      secret: "secret123",
      salt: "salt123",
      iterations: 1000,
      keylen: 32,
      key: "Eu7CQLfR+/Ffb+275A4s9/6H/RGKYxM4s6IMrsNKzC8=",
      signature: "XhgC9wB+dLnrE7EsYN0KL9E/WP5PHqxdwOufgebUF4o=",
    },
  ],
};

describe("WAMP-CRA against Autobahn|Python's compute_wcs / derive_key", () => {
  it("unsalted: HMAC-SHA256 of the challenge keyed with the secret, base64", () => {
    for (const f of AUTOBAHN_CRA.unsalted) {
      expect(signWampcra(f.secret, { challenge: CRA_CHALLENGE })).toBe(f.signature);
    }
  });

  it("salted: the key is base64(PBKDF2-SHA256(secret, salt, iterations, keylen)), then HMAC", () => {
    for (const f of AUTOBAHN_CRA.salted) {
      expect(deriveWampcraKey(f.secret, f.salt, f.iterations, f.keylen)).toBe(f.key);
      expect(
        signWampcra(f.secret, {
          challenge: CRA_CHALLENGE,
          salt: f.salt,
          iterations: f.iterations,
          keylen: f.keylen,
        }),
      ).toBe(f.signature);
    }
  });

  it("derive_key defaults (1000 iterations, 32 bytes) and a 16-byte key of a non-ASCII secret", () => {
    expect(deriveWampcraKey("pw2", "salt123")).toBe("FPq3jKUYqh4/eXo808mVkZYqESS1PLnsGjdKoErdd7E=");
    const key = deriveWampcraKey("Grüße", "NaCl", 10, 16);
    expect(key).toBe("dys3ICdUYpmsdgd+Jbr0UA==");
    // compute_wcs(derive_key("Grüße", "NaCl", 10, 16), '{"x":"ü"}'): the derived key is used as
    // the secret of an unsalted signature.
    expect(signWampcra(key, { challenge: '{"x":"ü"}' })).toBe("GIH5KlX6s52jtJMq21FAvuI+zoxQ2xAJaxwOO5nncvE=");
  });

  it("Autobahn's own unit-test values (test_wamp_auth.py test_derive_key, test_compute_wcs)", () => {
    expect(deriveWampcraKey("L3L1YUE8Txlw", "salt123")).toBe("qzcdsr9uu/L5hnss3kjNTRe490ETgA70ZBaB5rvnJ5Y=");
    // challenge = json.dumps([1, 2, 3]) = "[1, 2, 3]"
    expect(signWampcra("L3L1YUE8Txlw", { challenge: "[1, 2, 3]" })).toBe(
      "1njQtmmeYO41N5EWEzD2kAjjEKRZ5kPZt/TzpYXOzR0=",
    );
  });

  it("a challenge without a challenge string is refused", () => {
    expect(() => signWampcra("pw", {})).toThrow(expect.objectContaining({ code: "AUTHENTICATION_FAILED" }));
  });
});

// --- WAMP-SCRAM ----------------------------------------------------------------------------------

describe("WAMP-SCRAM primitives", () => {
  it("PBKDF2: RFC 7677's SCRAM-SHA-256 example (ClientProof dHzb..., ServerSignature 6rri...)", async () => {
    // The spec's WAMP-SCRAM message examples reuse these values. The AuthMessage is RFC 5802's
    // (c=biws); xwamp's own scramAuthMessage follows Autobahn's dialect, so it is built by hand here.
    const params: ScramParams = { salt: "W22ZaJ0SNY7soEsUEjb6gQ==", kdf: "pbkdf2", iterations: 4096 };
    const serverNonce = "rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
    const authMessage = `n=user,r=rOprNGfwEbeRWgbNEkqO,r=${serverNonce},s=${params.salt},i=4096,c=biws,r=${serverNonce}`;
    const salted = await saltedPassword("pencil", params);
    expect(scramClientProof(salted, authMessage)).toBe("dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
    expect(scramExpectedServerSignature(salted, authMessage)).toBe(
      "6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=",
    );
    const { storedKey, serverKey } = await deriveScramCredentials("pencil", params);
    expect(scramVerifyProof(storedKey, authMessage, "dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")).toBe(
      true,
    );
    expect(scramServerSignature(serverKey, authMessage)).toBe("6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");
  });

  it("argon2id-13: Autobahn|Python's client proof (test_wamp_auth.py TestScram.test_basic)", async () => {
    // Autobahn (and Crossbar, whose stored keys come from derive_scram_credential) use the Argon2id
    // hash as PHC-style unpadded base64 text for SaltedPassword; this vector pins that dialect.
    const clientNonce = Buffer.from("1234567890abcdef").toString("hex");
    const params: ScramParams = {
      salt: Buffer.from("1234567890abcdef").toString("hex"),
      kdf: "argon2id-13",
      iterations: 32,
      memory: 512,
    };
    const serverNonce = "1234567890abcdeffedcba0987654321";
    const salted = await saltedPassword("p4ssw0rd", params);
    const authMessage = scramAuthMessage("username", clientNonce, serverNonce, params, null);
    expect(authMessage).toBe(
      `n=username,r=${clientNonce},r=${serverNonce},s=${params.salt},i=32,c=,r=${serverNonce}`,
    );
    expect(scramClientProof(salted, authMessage)).toBe("f5r3loERzGVSuimE+lvO0bWna2zyswBo0HrZkaaEy38=");
  });

  const KDFS: Array<{ name: string; params: ScramParams }> = [
    { name: "pbkdf2", params: { salt: "c2FsdHNhbHRzYWx0", kdf: "pbkdf2", iterations: 4096 } },
    {
      name: "argon2id-13",
      params: { salt: "c2FsdHNhbHRzYWx0", kdf: "argon2id-13", iterations: 2, memory: 64 },
    },
  ];
  for (const { name, params } of KDFS) {
    it(`${name}: derive → prove → verify round trip; the router's signature checks out; a wrong password fails`, async () => {
      const { storedKey, serverKey } = await deriveScramCredentials("correct horse", params);
      expect(Buffer.from(storedKey, "base64")).toHaveLength(32);
      expect(Buffer.from(serverKey, "base64")).toHaveLength(32);
      const authMessage = scramAuthMessage("erin", "Y2xpZW50", "Y2xpZW50c2VydmVy", params, null);

      const salted = await saltedPassword("correct horse", params);
      const proof = scramClientProof(salted, authMessage);
      expect(scramVerifyProof(storedKey, authMessage, proof)).toBe(true);
      expect(scramServerSignature(serverKey, authMessage)).toBe(
        scramExpectedServerSignature(salted, authMessage),
      );

      const wrong = await saltedPassword("correct horse!", params);
      expect(scramVerifyProof(storedKey, authMessage, scramClientProof(wrong, authMessage))).toBe(false);
      // The proof is bound to the AuthMessage (nonces): replaying it for another exchange fails.
      const other = scramAuthMessage("erin", "Y2xpZW50", "Y2xpZW50b3RoZXI=", params, null);
      expect(scramVerifyProof(storedKey, other, proof)).toBe(false);
      // Garbage is false, never a throw.
      for (const junk of ["", "AAAA", "!!!", Buffer.alloc(33).toString("base64")]) {
        expect(scramVerifyProof(storedKey, authMessage, junk)).toBe(false);
      }
    });
  }

  it("the salt's decoded bytes are what is hashed: a different salt gives different keys", async () => {
    const a = await deriveScramCredentials("pw", { salt: "AAAA", kdf: "pbkdf2", iterations: 10 });
    const b = await deriveScramCredentials("pw", { salt: "AAAB", kdf: "pbkdf2", iterations: 10 });
    expect(a.storedKey).not.toBe(b.storedKey);
  });
});
