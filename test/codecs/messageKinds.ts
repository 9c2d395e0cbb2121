/**
 * One table describing every message kind (its minimal valid form and the type of each position),
 * shared by the unit, property and fuzz tests of the message model.
 */

export type FieldKind = "id" | "dict" | "uri" | "string" | "requestType";

export interface FieldSpec {
  readonly index: number;
  readonly field: string;
  readonly kind: FieldKind;
}

export interface MessageKind {
  readonly name: string;
  readonly code: number;
  /** The shortest valid message. */
  readonly minimal: readonly unknown[];
  /** Fixed fields after the type code. */
  readonly fields: readonly FieldSpec[];
  /** Index of `Arguments`, when the message carries a payload. */
  readonly argsAt?: number;
  /** Whether a binary payload may stand alone in the `Arguments` position. */
  readonly binaryPayload?: boolean;
  readonly minLength: number;
  readonly maxLength: number;
}

const id = (index: number, field: string): FieldSpec => ({ index, field, kind: "id" });
const dict = (index: number, field: string): FieldSpec => ({ index, field, kind: "dict" });
const uri = (index: number, field: string): FieldSpec => ({ index, field, kind: "uri" });
const str = (index: number, field: string): FieldSpec => ({ index, field, kind: "string" });

const ROLES = { roles: { caller: {} } };

export const KINDS: readonly MessageKind[] = [
  {
    name: "HELLO",
    code: 1,
    minimal: [1, "realm1", ROLES],
    fields: [uri(1, "realm"), dict(2, "details")],
    minLength: 3,
    maxLength: 3,
  },
  {
    name: "WELCOME",
    code: 2,
    minimal: [2, 9129137332, { roles: { broker: {} } }],
    fields: [id(1, "session"), dict(2, "details")],
    minLength: 3,
    maxLength: 3,
  },
  {
    name: "ABORT",
    code: 3,
    minimal: [3, {}, "wamp.error.no_such_realm"],
    fields: [dict(1, "details"), uri(2, "reason")],
    argsAt: 3,
    minLength: 3,
    maxLength: 5,
  },
  {
    name: "CHALLENGE",
    code: 4,
    minimal: [4, "ticket", {}],
    fields: [str(1, "authMethod"), dict(2, "extra")],
    minLength: 3,
    maxLength: 3,
  },
  {
    name: "AUTHENTICATE",
    code: 5,
    minimal: [5, "secret", {}],
    fields: [str(1, "signature"), dict(2, "extra")],
    minLength: 3,
    maxLength: 3,
  },
  {
    name: "GOODBYE",
    code: 6,
    minimal: [6, {}, "wamp.close.normal"],
    fields: [dict(1, "details"), uri(2, "reason")],
    minLength: 3,
    maxLength: 3,
  },
  {
    name: "ERROR",
    code: 8,
    minimal: [8, 48, 7814135, {}, "wamp.error.no_such_procedure"],
    fields: [
      { index: 1, field: "requestType", kind: "requestType" },
      id(2, "request"),
      dict(3, "details"),
      uri(4, "error"),
    ],
    argsAt: 5,
    binaryPayload: true,
    minLength: 5,
    maxLength: 7,
  },
  {
    name: "PUBLISH",
    code: 16,
    minimal: [16, 239714735, {}, "com.myapp.topic1"],
    fields: [id(1, "request"), dict(2, "options"), uri(3, "topic")],
    argsAt: 4,
    binaryPayload: true,
    minLength: 4,
    maxLength: 6,
  },
  {
    name: "PUBLISHED",
    code: 17,
    minimal: [17, 239714735, 4429313566],
    fields: [id(1, "request"), id(2, "publication")],
    minLength: 3,
    maxLength: 3,
  },
  {
    name: "SUBSCRIBE",
    code: 32,
    minimal: [32, 713845233, {}, "com.myapp.topic1"],
    fields: [id(1, "request"), dict(2, "options"), uri(3, "topic")],
    minLength: 4,
    maxLength: 4,
  },
  {
    name: "SUBSCRIBED",
    code: 33,
    minimal: [33, 713845233, 5512315355],
    fields: [id(1, "request"), id(2, "subscription")],
    minLength: 3,
    maxLength: 3,
  },
  {
    name: "UNSUBSCRIBE",
    code: 34,
    minimal: [34, 85346237, 5512315355],
    fields: [id(1, "request"), id(2, "subscription")],
    minLength: 3,
    maxLength: 3,
  },
  {
    name: "UNSUBSCRIBED",
    code: 35,
    minimal: [35, 85346237],
    fields: [id(1, "request")],
    minLength: 2,
    maxLength: 3,
  },
  {
    name: "EVENT",
    code: 36,
    minimal: [36, 5512315355, 4429313566, {}],
    fields: [id(1, "subscription"), id(2, "publication"), dict(3, "details")],
    argsAt: 4,
    binaryPayload: true,
    minLength: 4,
    maxLength: 6,
  },
  {
    name: "EVENT_RECEIVED",
    code: 37,
    minimal: [37, 5512315355],
    fields: [id(1, "publication")],
    minLength: 2,
    maxLength: 2,
  },
  {
    name: "CALL",
    code: 48,
    minimal: [48, 7814135, {}, "com.myapp.add2"],
    fields: [id(1, "request"), dict(2, "options"), uri(3, "procedure")],
    argsAt: 4,
    binaryPayload: true,
    minLength: 4,
    maxLength: 6,
  },
  {
    name: "CANCEL",
    code: 49,
    minimal: [49, 7814135, {}],
    fields: [id(1, "request"), dict(2, "options")],
    minLength: 3,
    maxLength: 3,
  },
  {
    name: "RESULT",
    code: 50,
    minimal: [50, 7814135, {}],
    fields: [id(1, "request"), dict(2, "details")],
    argsAt: 3,
    binaryPayload: true,
    minLength: 3,
    maxLength: 5,
  },
  {
    name: "REGISTER",
    code: 64,
    minimal: [64, 25349185, {}, "com.myapp.add2"],
    fields: [id(1, "request"), dict(2, "options"), uri(3, "procedure")],
    minLength: 4,
    maxLength: 4,
  },
  {
    name: "REGISTERED",
    code: 65,
    minimal: [65, 25349185, 2103333224],
    fields: [id(1, "request"), id(2, "registration")],
    minLength: 3,
    maxLength: 3,
  },
  {
    name: "UNREGISTER",
    code: 66,
    minimal: [66, 788923562, 2103333224],
    fields: [id(1, "request"), id(2, "registration")],
    minLength: 3,
    maxLength: 3,
  },
  {
    name: "UNREGISTERED",
    code: 67,
    minimal: [67, 788923562],
    fields: [id(1, "request")],
    minLength: 2,
    maxLength: 3,
  },
  {
    name: "INVOCATION",
    code: 68,
    minimal: [68, 6131533, 9823526, {}],
    fields: [id(1, "request"), id(2, "registration"), dict(3, "details")],
    argsAt: 4,
    binaryPayload: true,
    minLength: 4,
    maxLength: 6,
  },
  {
    name: "INTERRUPT",
    code: 69,
    minimal: [69, 6131533, {}],
    fields: [id(1, "request"), dict(2, "options")],
    minLength: 3,
    maxLength: 3,
  },
  {
    name: "YIELD",
    code: 70,
    minimal: [70, 6131533, {}],
    fields: [id(1, "request"), dict(2, "options")],
    argsAt: 3,
    binaryPayload: true,
    minLength: 3,
    maxLength: 5,
  },
];

/** Values of the wrong type for each field kind (each must be rejected wherever that kind is expected). */
export const WRONG: Record<FieldKind, readonly unknown[]> = {
  id: [0, -1, 1.5, 2 ** 53 + 2, Number.NaN, Number.POSITIVE_INFINITY, "1", null, true, {}, [], 1n],
  dict: [
    null,
    [],
    new Uint8Array(2),
    new Map([["a", 1]]),
    new Date(0),
    "x",
    1,
    true,
    new (class Options {})(),
  ],
  uri: [1, null, {}, [], "", "a..b", ".a", "a.", "a b", "a#b", "a\tb", new Uint8Array(1)],
  string: [1, null, {}, [], true, new Uint8Array(1)],
  requestType: [0, 1, 8, 17, 33, 49, 69, 70, 48.5, "48", null],
};
