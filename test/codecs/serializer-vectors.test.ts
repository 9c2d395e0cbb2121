/**
 * The WAMP conformance vectors (wamp-spec/testsuite/singlemessage), at the serializer level: every
 * serializer variant of every sample decodes to a list whose first element is the message code, and
 * our encoder, given that list back, produces one of the listed variants byte for byte.
 *
 * The FlatBuffers variants are not in scope (xwamp has no FlatBuffers serializer) and are skipped.
 * Samples without a `serializers` section (message-model cases with `wmsg`) belong to the message
 * tests. Set XWAMP_SPEC_DIR to point at another copy of the test suite.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { getSerializer } from "../../src/codecs/index.js";
import type { SerializerName } from "../../src/codecs/serializer.js";
import { hex, normal } from "./serializerArbitraries.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const suiteDir = process.env.XWAMP_SPEC_DIR ?? path.resolve(repoRoot, "../shared/wamp-spec/testsuite");
const singleDir = path.join(suiteDir, "singlemessage");
const present = existsSync(singleDir);

if (!present) {
  console.warn(
    `[serializer-vectors] SKIPPED: WAMP conformance vectors not found at ${singleDir} (set XWAMP_SPEC_DIR to the testsuite folder)`,
  );
}

interface Variant {
  bytes?: string;
  bytes_hex: string;
  note?: string;
}

interface Sample {
  description: string;
  serializers?: Record<string, Variant[]>;
}

interface VectorFile {
  wamp_message_code: number;
  samples: Sample[];
}

function vectorFiles(): string[] {
  if (!present) return [];
  const files: string[] = [];
  for (const group of readdirSync(singleDir, { withFileTypes: true })) {
    if (!group.isDirectory()) continue;
    for (const file of readdirSync(path.join(singleDir, group.name))) {
      if (file.endsWith(".json")) files.push(path.join(group.name, file));
    }
  }
  return files.sort();
}

/** Serializer formats we speak; "flatbuffers" is deliberately absent. */
const FORMATS: SerializerName[] = ["json", "msgpack", "cbor", "ubjson"];

describe.skipIf(!present)("conformance vectors, serializer level", () => {
  const files = vectorFiles();

  it("finds vectors to check", () => {
    expect(files.length).toBeGreaterThan(10);
  });

  describe.each(files)("%s", (file) => {
    const vector = JSON.parse(readFileSync(path.join(singleDir, file), "utf8")) as VectorFile;
    const samples = vector.samples.filter((sample) => sample.serializers !== undefined);

    it.each(FORMATS)("%s: every variant decodes, and our encoding is one of them", (format) => {
      const serializer = getSerializer(format);
      for (const sample of samples) {
        const variants = sample.serializers?.[format] ?? [];
        expect(variants.length, `${sample.description}: no ${format} variant`).toBeGreaterThan(0);
        let first: unknown[] | undefined;
        for (const variant of variants) {
          const bytes = Buffer.from(variant.bytes_hex, "hex");
          if (variant.bytes !== undefined) expect(bytes.toString("utf8")).toBe(variant.bytes);
          const messages = serializer.decode(format === "json" ? bytes.toString("utf8") : bytes);
          expect(messages, sample.description).toHaveLength(1);
          const [message] = messages;
          expect(message[0], `${sample.description} (${variant.note ?? format})`).toBe(
            vector.wamp_message_code,
          );
          // every variant of a sample carries the same message
          if (first === undefined) first = message;
          else expect(normal(message), `${sample.description} (${variant.note})`).toEqual(normal(first));
        }
        const ours = hex(serializer.encode(first as unknown[]));
        expect(
          variants.map((v) => v.bytes_hex),
          `${sample.description}: our ${format} encoding ${ours}`,
        ).toContain(ours);
      }
    });
  });
});
