/** Invalid component configuration is refused up front with a ConfigError naming the key. */
import { describe, expect, it } from "vitest";
import { type ComponentConfig, createComponent, createComponentActor } from "../../src/component.js";
import { ConfigError } from "../../src/errors.js";

function keyOf(config: unknown): string | undefined {
  try {
    createComponent(config as ComponentConfig);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).code).toBe("CONFIG_INVALID");
    return (err as ConfigError).key;
  }
  throw new Error("the config was accepted");
}

const WS = "ws://127.0.0.1:8080/ws";
const KEY = "a".repeat(64);

describe("component config validation", () => {
  const cases: Array<[string, unknown, string]> = [
    ["unknown key", { transports: WS, reconnect: true }, "reconnect"],
    ["transports missing", {}, "transports"],
    ["transports empty", { transports: [] }, "transports"],
    ["unknown transport key", { transports: [{ url: WS, retries: 3 }] }, "transports[0].retries"],
    ["bad url scheme (http)", { transports: "http://127.0.0.1:8080/ws" }, "transports.url"],
    ["bad url scheme for rawsocket", { transports: [{ type: "rawsocket", url: WS }] }, "transports[0].url"],
    [
      "bad url scheme for websocket",
      { transports: [WS, { type: "websocket", url: "rs://h:1" }] },
      "transports[1].url",
    ],
    ["bad transport type", { transports: [{ type: "carrier-pigeon", url: WS }] }, "transports[0].type"],
    ["memory without router", { transports: [{ type: "memory" }] }, "transports[0].router"],
    ["maxRetries -2", { transports: [{ url: WS, maxRetries: -2 }] }, "transports[0].maxRetries"],
    ["maxRetries 1.5", { transports: [{ url: WS, maxRetries: 1.5 }] }, "transports[0].maxRetries"],
    ["maxRetries as a string", { transports: [{ url: WS, maxRetries: "3" }] }, "transports[0].maxRetries"],
    [
      "negative initialRetryDelay",
      { transports: [{ url: WS, initialRetryDelay: -1 }] },
      "transports[0].initialRetryDelay",
    ],
    [
      "infinite maxRetryDelay",
      { transports: [{ url: WS, maxRetryDelay: Infinity }] },
      "transports[0].maxRetryDelay",
    ],
    ["bad serializer name", { transports: [{ url: WS, serializer: "xml" }] }, "transports[0].serializer"],
    [
      "bad serializers entry",
      { transports: [{ url: WS, serializers: ["json", "yaml"] }] },
      "transports[0].serializers[1]",
    ],
    ["empty serializers", { transports: [{ url: WS, serializers: [] }] }, "transports[0].serializers"],
    [
      "jitter not a function",
      { transports: [{ url: WS, retryDelayJitter: 0.5 }] },
      "transports[0].retryDelayJitter",
    ],
    [
      "unknown transport option",
      { transports: [{ url: WS, options: { ping: 1 } }] },
      "transports[0].options.ping",
    ],
    ["realm empty", { transports: WS, realm: "" }, "realm"],
    ["realm not a string", { transports: WS, realm: 42 }, "realm"],
    ["bad logLevel", { transports: WS, logLevel: "verbose" }, "logLevel"],
    ["main not a function", { transports: WS, main: "run" }, "main"],
    ["isFatal not a function", { transports: WS, isFatal: true }, "isFatal"],
    ["sessionFactory not a function", { transports: WS, sessionFactory: {} }, "sessionFactory"],
    ["leaveTimeout 0", { transports: WS, leaveTimeout: 0 }, "leaveTimeout"],
    [
      "unknown authentication method",
      { transports: WS, authentication: { kerberos: {} } },
      "authentication.kerberos",
    ],
    [
      "cryptosign key not 64 hex",
      { transports: WS, authentication: { cryptosign: { privateKey: "abc" } } },
      "authentication.cryptosign.privateKey",
    ],
    [
      "cryptosign key with a non-hex character",
      { transports: WS, authentication: { cryptosign: { privateKey: `${KEY.slice(1)}g` } } },
      "authentication.cryptosign.privateKey",
    ],
    [
      "ticket without the ticket",
      { transports: WS, authentication: { ticket: { authid: "alice" } } },
      "authentication.ticket.ticket",
    ],
    [
      "different authids",
      {
        transports: WS,
        authentication: { ticket: { authid: "a", ticket: "t" }, wampcra: { authid: "b", secret: "s" } },
      },
      "authentication.authid",
    ],
    [
      "different authroles",
      {
        transports: WS,
        authentication: { ticket: { authid: "a", ticket: "t", authrole: "x" }, authrole: "y" },
      },
      "authentication.authrole",
    ],
    [
      "authextra not an object",
      { transports: WS, authentication: { authextra: 5 } },
      "authentication.authextra",
    ],
    [
      "authmethods not a list",
      { transports: WS, authentication: { authmethods: "ticket" } },
      "authentication.authmethods",
    ],
    [
      "an endpoint of an unknown type",
      { transports: { type: "rawsocket", endpoint: { type: "udp", host: "h", port: 1 } } },
      "transports.endpoint.type",
    ],
    [
      "a tcp endpoint without a port",
      { transports: { type: "rawsocket", endpoint: { type: "tcp", host: "127.0.0.1" } } },
      "transports.endpoint.port",
    ],
    [
      "a tcp endpoint with an unknown key",
      { transports: { url: WS, endpoint: { type: "tcp", host: "127.0.0.1", port: 80, path: "/x" } } },
      "transports.endpoint.path",
    ],
    [
      "a unix endpoint without a path",
      { transports: [WS, { type: "rawsocket", endpoint: { type: "unix" } }] },
      "transports[1].endpoint.path",
    ],
    [
      "a negative endpoint timeout",
      { transports: { type: "rawsocket", endpoint: { type: "unix", path: "/tmp/x.sock", timeout: -1 } } },
      "transports.endpoint.timeout",
    ],
    ["a proxy without a host", { transports: { url: WS, proxy: { port: 3128 } } }, "transports.proxy.host"],
    [
      "a proxy port out of range",
      { transports: { url: WS, proxy: { host: "127.0.0.1", port: 70000 } } },
      "transports.proxy.port",
    ],
    [
      "an unknown channel binding",
      { transports: WS, authentication: { cryptosign: { privateKey: KEY, channelBinding: "tls-exporter" } } },
      "authentication.cryptosign.channelBinding",
    ],
  ];
  for (const [what, config, key] of cases) {
    it(`${what} → ConfigError naming ${key}`, () => {
      expect(keyOf(config)).toBe(key);
    });
  }

  it("createComponentActor validates the same way, before anything starts", () => {
    expect(() => createComponentActor({ transports: [] })).toThrow(ConfigError);
  });

  it("accepts every documented form", () => {
    const ok: ComponentConfig[] = [
      { transports: WS },
      { transports: "wss://example.com/ws" },
      { transports: "rs://127.0.0.1:8081" },
      { transports: "rss://127.0.0.1:8081" },
      { transports: "rs://unix:/tmp/x.sock" },
      { transports: { type: "rawsocket", endpoint: { type: "tcp", host: "127.0.0.1", port: 1 } } },
      { transports: { type: "rawsocket", endpoint: { type: "unix", path: "/tmp/x.sock", timeout: 500 } } },
      { transports: { url: WS, proxy: { host: "127.0.0.1", port: 3128 } } },
      {
        transports: [
          WS,
          { type: "rawsocket", url: "rs://127.0.0.1:8081", serializer: "msgpack", maxRetries: -1 },
          { url: WS, serializers: ["cbor", "json"], options: { autoPingInterval: 0, headers: { x: "y" } } },
        ],
        realm: "com.example",
        authentication: { cryptosign: { authid: "alice", privateKey: KEY } },
        logLevel: "off",
      },
    ];
    for (const config of ok) expect(() => createComponent(config)).not.toThrow();
  });
});
