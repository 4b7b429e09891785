import { describe, expect, it } from "vitest";
import { NDJSONDecoder, SSEDecoder, type SSEEvent } from "./sse.js";

const enc = new TextEncoder();

function feed(decoder: SSEDecoder, pieces: (string | Uint8Array)[]): SSEEvent[] {
  const out: SSEEvent[] = [];
  for (const p of pieces) out.push(...decoder.push(typeof p === "string" ? enc.encode(p) : p));
  out.push(...decoder.end());
  return out;
}

describe("SSEDecoder", () => {
  it("parses events, names, ids, comments and multi-line data", () => {
    const events = feed(new SSEDecoder(), [": keep-alive\n\nevent: message_start\nid: 7\ndata: {\"a\":1}\n\ndata: line1\ndata: line2\n\n"]);
    expect(events).toEqual([
      { event: "message_start", id: "7", data: "{\"a\":1}" },
      { event: undefined, id: "7", data: "line1\nline2" },
    ]);
  });

  it("handles CRLF line endings and events split at every byte", () => {
    const text = "data: {\"x\":\"héllo 🌍\"}\r\n\r\ndata: [DONE]\r\n\r\n";
    const bytes = enc.encode(text);
    const pieces = Array.from(bytes, (b) => new Uint8Array([b])); // splits the emoji's four bytes too
    expect(feed(new SSEDecoder(), pieces).map((e) => e.data)).toEqual(["{\"x\":\"héllo 🌍\"}", "[DONE]"]);
  });

  it("decodes like TextDecoder: a leading BOM dropped (also when split), bad and truncated bytes as U+FFFD", () => {
    const bom = [0xef, 0xbb, 0xbf];
    const body = [...bom, ...enc.encode("data: a\n\ndata: "), 0xff, 0x61, 0xe2, 0x82, 0x0a, 0x0a, ...enc.encode("data: \ufeffkept\n\ndata: end"), 0xf0, 0x9f];
    const expected = new TextDecoder().decode(new Uint8Array(body)).split("\n\n").map((e) => e.slice("data: ".length));
    for (const size of [1, 2, 3, 5, body.length]) {
      const pieces: Uint8Array[] = [];
      for (let i = 0; i < body.length; i += size) pieces.push(new Uint8Array(body.slice(i, i + size)));
      expect(feed(new SSEDecoder(), pieces).map((e) => e.data), `pieces of ${size}`).toEqual(expected);
    }
    expect(expected).toEqual(["a", "\ufffda\ufffd", "\ufeffkept", "end\ufffd"]);
  });

  it("agrees with a plain line-by-line reading of the spec on 2 000 random streams cut at random places", () => {
    // The reference: split the whole text into lines, apply the field rules, dispatch on blank lines.
    const reference = (text: string): SSEEvent[] => {
      const out: SSEEvent[] = [];
      let event: string | undefined;
      let id: string | undefined;
      let data: string[] = [];
      const dispatch = () => {
        if (data.length || event !== undefined) out.push({ event, data: data.join("\n"), id });
        event = undefined;
        data = [];
      };
      for (const line of text.split(/\r?\n/)) {
        if (line === "") { dispatch(); continue; }
        if (line.startsWith(":")) continue;
        const colon = line.indexOf(":");
        const field = colon === -1 ? line : line.slice(0, colon);
        let value = colon === -1 ? "" : line.slice(colon + 1);
        if (value.startsWith(" ")) value = value.slice(1);
        if (field === "data") data.push(value);
        else if (field === "event") event = value;
        else if (field === "id") id = value;
      }
      dispatch();
      return out;
    };
    const parts = [
      'data: {"a":1}\n\n', "data: {\"b\":\"x y\"}\n\n", "data:nospace\n\n", "data:  two\n\n", "data: crlf\r\n\r\n",
      "data: one\ndata: two\n\n", "event: ping\ndata: p\n\n", "id: 42\n", ": comment\n", "data: [DONE]\n\n", "data\n\n",
      "event: only\n\n", "data: é🌍\n\n", "\n", "data: mixed\r\n\n",
    ];
    let seed = 7;
    const rnd = (n: number): number => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) % n;
    for (let run = 0; run < 2000; run++) {
      let text = "";
      for (let k = rnd(12); k >= 0; k--) text += parts[rnd(parts.length)];
      const bytes = enc.encode(text);
      const pieces: Uint8Array[] = [];
      for (let i = 0; i < bytes.length;) {
        const n = 1 + rnd(40);
        pieces.push(bytes.subarray(i, i + n));
        i += n;
      }
      expect(feed(new SSEDecoder(), pieces), JSON.stringify(text)).toEqual(reference(text));
    }
  });

  it("flushes a last event that has no blank line after it", () => {
    expect(feed(new SSEDecoder(), ["data: tail"]).map((e) => e.data)).toEqual(["tail"]);
  });

  it("takes a field without a colon as an empty value and strips only one leading space", () => {
    expect(feed(new SSEDecoder(), ["data\n\ndata:  two spaces\n\n"]).map((e) => e.data)).toEqual(["", " two spaces"]);
  });
});

describe("NDJSONDecoder", () => {
  it("yields one value per line across chunk boundaries, skipping blank lines", () => {
    const d = new NDJSONDecoder();
    const out = [...d.push(enc.encode('{"a":1}\n{"b"')), ...d.push(enc.encode(':2}\n\n{"c":3}')), ...d.end()];
    expect(out).toEqual([{ a: 1 }, { b: 2 }, { c: 3 }]);
  });
  it("throws on a line that is not JSON", () => {
    expect(() => new NDJSONDecoder().push(enc.encode("nope\n"))).toThrow();
  });
});
