/**
 * The macOS Seatbelt profile, tested as text (it cannot run here): golden files, balanced
 * S-expressions, every rule kind of the encoding present in the output, hostile paths kept inside
 * their strings. Set STOCKADE_UPDATE_GOLDEN=1 to rewrite the golden files.
 */
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import process from "node:process";
import { describe, test } from "node:test";
import {
  compileSeatbelt,
  encodeSeatbeltPolicy,
  SEATBELT_RULE_KINDS,
  type SeatbeltGlobs,
  type SeatbeltPolicy,
  type SeatbeltRuleKind,
  StockadeError,
} from "../mod.ts";
import { encodeFrame, Section } from "../src/engine/frame.ts";
import { parseExecConfig } from "../src/engine/config.ts";
import { cli } from "./helpers/runtime.ts";

type Sexp = string | { str: string } | Sexp[];

/**
 * Reads SBPL as TinyScheme does: `;` comments to the end of the line, strings with `\"`, `\\`,
 * `\n`, `\r`, `\t` escapes. Throws on unbalanced parentheses, an unterminated string, an unknown
 * escape or anything outside a form.
 */
function readSbpl(text: string): Sexp[][] {
  const forms: Sexp[][] = [];
  const stack: Sexp[][] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === ";") {
      while (i < text.length && text[i] !== "\n") i++;
    } else if (c === "(") {
      stack.push([]);
      i++;
    } else if (c === ")") {
      const form = stack.pop();
      if (!form) throw new Error(`unbalanced ) at ${i}`);
      if (stack.length) stack[stack.length - 1].push(form);
      else forms.push(form);
      i++;
    } else if (c === '"') {
      let s = "";
      for (i++;; i++) {
        if (i >= text.length) throw new Error("unterminated string");
        if (text[i] === '"') break;
        if (text[i] === "\\") {
          const e = { '"': '"', "\\": "\\", n: "\n", r: "\r", t: "\t" }[text[++i]];
          if (e === undefined) throw new Error(`unknown escape \\${text[i]}`);
          s += e;
        } else s += text[i];
      }
      i++;
      if (!stack.length) throw new Error("string outside a form");
      stack[stack.length - 1].push({ str: s });
    } else if (/\s/.test(c)) {
      i++;
    } else {
      const m = /^[^\s()";]+/.exec(text.slice(i));
      if (!m || !stack.length) throw new Error(`atom outside a form at ${i}`);
      stack[stack.length - 1].push(m[0]);
      i += m[0].length;
    }
  }
  if (stack.length) throw new Error("unbalanced (");
  return forms;
}

/** Every string anywhere in a form. */
function strings(form: Sexp): string[] {
  if (typeof form === "string") return [];
  if (!Array.isArray(form)) return [form.str];
  return form.flatMap(strings);
}

/** The leading atoms of a form: `["allow", "file-read*", …]`. */
function head(form: Sexp[]): string[] {
  const atoms: string[] = [];
  for (const x of form) {
    if (typeof x !== "string") break;
    atoms.push(x);
  }
  return atoms;
}

function fs(parts: Partial<SeatbeltPolicy["fs"]> = {}): SeatbeltPolicy["fs"] {
  return { read: [], write: [], hide: [], readOnly: [], sockets: [], tmpBytes: 0, ...parts };
}

/** The defaults of `toExecConfig` for a project at /work/project, with fixed paths (no host lookups). */
const DEFAULT: SeatbeltPolicy = {
  fs: fs({
    read: ["/usr", "/bin", "/sbin", "/etc", "/work/project"],
    hide: ["/etc/ssh/ssh_host_ed25519_key", "/etc/sudoers"],
    tmpBytes: 128 * 1024 * 1024,
  }),
  network: { mode: "none" },
};

const GOLDEN: Record<string, [SeatbeltPolicy, SeatbeltGlobs?]> = {
  default: [DEFAULT],
  allowlist: [{ ...DEFAULT, network: { mode: "allowlist", allow: ["registry.npmjs.org", "*.github.com"], deny: [], ask: false } }],
  "globs-deny-sockets": [
    {
      fs: fs({
        read: ["/usr", "/Users/me/.npmrc"],
        write: ["/Users/me/project", "/Users/me/Library/Caches/npm"],
        readOnly: ["/Users/me/project/.git/hooks", "/Users/me/project/.vscode"],
        hide: ["/Users/me/project/.env", "/Users/me/project/secrets"],
        sockets: ["/Users/me/.colima/docker.sock"],
      }),
      network: { mode: "host" },
    },
    { read: ["/opt/tools/*/bin/**"], write: ["/Users/me/project/**/node_modules/**"], readOnly: ["/Users/me/project/*.lock"], hide: ["/Users/me/**/*.pem", "/Users/me/project/.env.*"] },
  ],
};

const update = process.env.STOCKADE_UPDATE_GOLDEN === "1";

describe("compileSeatbelt", () => {
  for (const [name, [policy, globs]] of Object.entries(GOLDEN)) {
    test(`matches the golden profile tests/fixtures/seatbelt/${name}.sb`, async () => {
      const url = new URL(`./fixtures/seatbelt/${name}.sb`, import.meta.url);
      const profile = await compileSeatbelt(policy, { globs });
      if (update) await writeFile(url, profile);
      assert.equal(profile, await readFile(url, "utf8"));
      readSbpl(profile);
    });
  }

  test("denies by default and puts every denial after every allowance", async () => {
    const [policy, globs] = GOLDEN["globs-deny-sockets"];
    const forms = readSbpl(await compileSeatbelt(policy, { globs }));
    assert.deepEqual(forms.filter((f) => head(f)[0] === "deny" && head(f)[1] === "default").length, 1);
    assert.ok(!forms.some((f) => head(f).join(" ") === "allow default"));
    const lastAllow = forms.map((f) => head(f)[0]).lastIndexOf("allow");
    const firstPathDeny = forms.findIndex((f) => head(f)[0] === "deny" && head(f)[1] !== "default");
    assert.ok(lastAllow < firstPathDeny, "a later allow would override a deny");
  });

  test("allows network only to the proxy parameter in allowlist mode, and none without network", async () => {
    const [policy] = GOLDEN.allowlist;
    const proxy = await compileSeatbelt(policy);
    assert.match(proxy, /\(allow network-outbound \(remote ip \(string-append "localhost:" \(param "PROXY_PORT"\)\)\)\)/);
    assert.doesNotMatch(proxy, /mDNSResponder|"\*:\*"|network\*/);
    const none = await compileSeatbelt(DEFAULT);
    assert.doesNotMatch(none, /remote ip|mDNSResponder|network\*/);
  });

  // The encoder's kinds, not a hand list: a kind added to the encoder without a rule fails here.
  const SAMPLES: Record<SeatbeltRuleKind, { policy: SeatbeltPolicy; globs?: SeatbeltGlobs; expect: [string[], string] }> = {
    read: { policy: { fs: fs({ read: ["/k/read"] }), network: { mode: "none" } }, expect: [["allow", "file-read*", "file-test-existence", "file-map-executable"], "/k/read"] },
    write: { policy: { fs: fs({ write: ["/k/write"] }), network: { mode: "none" } }, expect: [["allow", "file-read*", "file-test-existence", "file-write*"], "/k/write"] },
    readonly: { policy: { fs: fs({ readOnly: ["/k/ro"] }), network: { mode: "none" } }, expect: [["deny", "file-write*"], "/k/ro"] },
    hide: { policy: { fs: fs({ hide: ["/k/hide"] }), network: { mode: "none" } }, expect: [["deny", "file-read*", "file-test-existence", "file-write*"], "/k/hide"] },
    socket: { policy: { fs: fs({ sockets: ["/k/s.sock"] }), network: { mode: "none" } }, expect: [["allow", "network-outbound"], "/k/s.sock"] },
    "read-glob": { policy: { fs: fs(), network: { mode: "none" } }, globs: { read: ["/k/*.r"] }, expect: [["allow", "file-read*", "file-test-existence", "file-map-executable"], "^/k/[^/]*\\.r$"] },
    "write-glob": { policy: { fs: fs(), network: { mode: "none" } }, globs: { write: ["/k/*.w"] }, expect: [["allow", "file-read*", "file-test-existence", "file-write*"], "^/k/[^/]*\\.w$"] },
    "readonly-glob": { policy: { fs: fs(), network: { mode: "none" } }, globs: { readOnly: ["/k/*.o"] }, expect: [["deny", "file-write*"], "^/k/[^/]*\\.o$"] },
    "hide-glob": { policy: { fs: fs(), network: { mode: "none" } }, globs: { hide: ["/k/**"] }, expect: [["deny", "file-read*", "file-test-existence", "file-write*"], "^/k(/.*)?$"] },
    tmp: { policy: { fs: fs({ tmpBytes: 1 }), network: { mode: "none" } }, expect: [["allow", "file-read*", "file-test-existence", "file-write*"], "TMPDIR"] },
    net: { policy: { fs: fs(), network: { mode: "allowlist", allow: ["a.example"], deny: [], ask: false } }, expect: [["allow", "network-outbound"], "localhost:"] },
  };
  for (const kind of SEATBELT_RULE_KINDS) {
    test(`maps the encoder's "${kind}" rule to a rule in the profile`, async () => {
      const { policy, globs, expect: [atoms, value] } = SAMPLES[kind];
      const lines = encodeSeatbeltPolicy(policy, { globs }).split("\n");
      assert.ok(lines.some((l) => l === kind || l.startsWith(`${kind} `)), `the sample encodes a "${kind}" line`);
      const forms = readSbpl(await compileSeatbelt(policy, { globs }));
      const hit = forms.find((f) => atoms.every((a, i) => head(f)[i] === a) && strings(f).includes(value));
      assert.ok(hit, `no (${atoms.join(" ")} … "${value}") form`);
    });
  }

  test("keeps hostile paths inside their strings", async () => {
    const hostile = ['/a"b', "/a\\", '/x\\")) (allow default) ("', "/n\n(allow default)", "/; c", "/re.*[x]$^(|)+?{1}", "/tab\tcr\r"];
    for (const path of hostile) {
      const policy = { fs: fs({ read: [path], write: [path], hide: [path], readOnly: [path], sockets: [path] }), network: { mode: "none" as const } };
      const forms = readSbpl(await compileSeatbelt(policy));
      assert.ok(!forms.some((f) => head(f).join(" ") === "allow default"), JSON.stringify(path));
      for (const atoms of [["allow", "file-read*", "file-test-existence", "file-map-executable"], ["allow", "file-read*", "file-test-existence", "file-write*"], ["deny", "file-write*"], ["deny", "file-read*"], ["allow", "network-outbound"]]) {
        assert.ok(forms.some((f) => atoms.every((a, i) => head(f)[i] === a) && strings(f).includes(path)), `${JSON.stringify(path)} in (${atoms.join(" ")})`);
      }
    }
    const forms = readSbpl(await compileSeatbelt({ fs: fs(), network: { mode: "none" } }, { globs: { hide: ['/q"(.)/*'] } }));
    assert.ok(forms.some((f) => strings(f).includes('^/q"\\(\\.\\)/[^/]*$')));
  });

  test("refuses what Seatbelt cannot express, naming the rule", async () => {
    const bad: [SeatbeltPolicy, SeatbeltGlobs | undefined, RegExp][] = [
      [{ fs: fs({ read: ["/a\u0001b"] }), network: { mode: "none" } }, undefined, /^Cannot express read "\/a\\u0001b" in Seatbelt: it contains a control character/],
      [{ fs: fs(), network: { mode: "none" } }, { hide: ["/a/[ab]"] }, /^Cannot express hide-glob "\/a\/\[ab\]" in Seatbelt: globs take only \*, \*\* and \?/],
      [{ fs: fs(), network: { mode: "none" } }, { read: ["*.env"] }, /^Cannot express read-glob "\*\.env" in Seatbelt: it is not absolute/],
    ];
    for (const [policy, globs, message] of bad) {
      await assert.rejects(compileSeatbelt(policy, { globs }), (e: unknown) => {
        assert.ok(e instanceof StockadeError && e.code === "UNSUPPORTED");
        assert.match(e.message, message);
        return true;
      });
    }
  });
});

describe("the macOS frame", () => {
  test("carries the profile instead of a seccomp program", async () => {
    const config = parseExecConfig({
      version: 1,
      argv: ["true"],
      cwd: "/work/project",
      env: {},
      ...DEFAULT,
      limits: {},
      process: { newSession: true, dieWithParent: true },
      degrade: [],
      hostname: "stockade",
    });
    const seatbelt = await compileSeatbelt(config);
    const frame = encodeFrame({ config, seatbelt });
    const view = new DataView(frame.buffer);
    assert.equal(view.getUint16(6, true), 2);
    const configLength = view.getUint32(12, true);
    assert.equal(view.getUint16(16 + configLength, true), Section.Seatbelt);
    assert.equal(new TextDecoder().decode(frame.subarray(24 + configLength)), seatbelt);
    assert.throws(() => encodeFrame({ config }), /needs a seccomp program \(Linux\) or a Seatbelt profile \(macOS\)/);
  });
});

describe("stockade compile --format seatbelt", () => {
  test("prints the profile of the run policy given by the run flags", () => {
    const res = cli(["compile", "--format", "seatbelt", "--cwd", "/", "--allow-write", "/work/out", "--hide", '/work/out/a"b', "--allow-net", "example.com"]);
    assert.equal(res.status, 0, res.stderr.toString());
    const forms = readSbpl(res.stdout.toString());
    assert.ok(forms.some((f) => head(f).join(" ").startsWith("allow file-read* file-test-existence file-write*") && strings(f).includes("/work/out")));
    assert.ok(forms.some((f) => head(f).join(" ").startsWith("deny file-read* file-test-existence file-write*") && strings(f).includes('/work/out/a"b')));
    assert.match(res.stdout.toString(), /\(param "PROXY_PORT"\)/);
  });

  test("names the rule Seatbelt cannot express (exit 2) and keeps run flags off Kafel compiles (exit 64)", () => {
    const bad = cli(["compile", "--format", "seatbelt", "--cwd", "/", "--hide", "/a\u0001b"]);
    assert.equal(bad.status, 2, bad.stderr.toString());
    assert.match(bad.stderr.toString(), /Cannot express hide "\/a\\u0001b" in Seatbelt/);
    const mixed = cli(["compile", "--allow-read", "/x", "policy.kafel"]);
    assert.equal(mixed.status, 64);
    assert.match(mixed.stderr.toString(), /--allow-read applies to --format seatbelt only/);
    assert.equal(cli(["compile", "--format", "seatbelt", "policy.kafel"]).status, 64);
  });
});
