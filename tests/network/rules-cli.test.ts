/**
 * Network rules from the user's side: the engine's parser is the one definition of rule syntax,
 * and every rule it refuses comes back as a ConfigError naming `network.allow[i]` /
 * `network.deny[i]` (TypeScript only pre-checks characters no rule can contain). Then the CLI:
 * `--allow-net`, `--deny-net`, `--net`, and the refused-hosts summary on stderr and in `--json`.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { after, describe, test } from "node:test";
import { ConfigError } from "../../src/errors.ts";
import { parseRunOptions } from "../../src/policy.ts";
import { run } from "../../src/run.ts";
import { tsCommand } from "../helpers/runtime.ts";
import { attempt } from "../sandbox/helpers.ts";
import { cleanup, curl, httpServer, skip } from "./helpers.ts";

const web = skip ? undefined : await httpServer();
const WEB = web?.port ?? 0;
after(async () => {
  await web?.close();
  cleanup();
});

/** Runs the CLI without blocking this process (its test server must keep answering). */
function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const [cmd, ...rest] = tsCommand(new URL("../../src/cli.ts", import.meta.url).pathname);
  const child = spawn(cmd, [...rest, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

async function configError(promise: Promise<unknown>): Promise<ConfigError> {
  try {
    await promise;
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${String(e)}`);
    return e;
  }
  return assert.fail("the run was not refused");
}

/** Rules the engine refuses (engine/internal/netproxy/rules_test.go has each reason). */
const BAD_RULES = [
  "",
  "   ",
  "*",
  "*:443",
  "*.com",
  "*.COM.",
  "*.co.uk",
  "*.github.io",
  "*example.com",
  "a.*.example.com",
  "https://example.com",
  "example.com/path",
  "user@example.com",
  "10.0.0.0/8",
  "a..example.com",
  "-bad.example.com",
  "exa mple.com",
  "bücher.example",
  "example.com:",
  "example.com:0",
  "example.com:65536",
  "example.com:http",
  "example.com:080",
  "::1",
  "a:b:c",
  "[::1",
  "[::1]x",
  "[example.com]",
  "[fe80::1%eth0]",
  "127.1",
  "2130706433",
];
/** Rules the engine accepts, in every form docs/network.md lists. */
const GOOD_RULES = [
  "registry.npmjs.org",
  "Example.COM.",
  "*.pkg.example",
  "api.example:8443",
  "any.example:*",
  "203.0.113.7",
  "[2001:db8::7]",
  "[2001:db8::7]:8080",
  " spaced.example ",
  "under_score.example",
];

const REFUSED_BY_TS = BAD_RULES.filter((rule) => {
  try {
    parseRunOptions({ network: { allow: [rule] } });
    return false;
  } catch {
    return true;
  }
});
const LEFT_TO_ENGINE = BAD_RULES.filter((r) => !REFUSED_BY_TS.includes(r));

const badRules = attempt(() => configError(run(["true"], { network: { allow: LEFT_TO_ENGINE, deny: ["x:0", "*.ru"] } })));
const goodRules = attempt(() => run(["true"], { network: { allow: GOOD_RULES, deny: GOOD_RULES } }));

const SCRIPT = `${curl(`http://allowed.stockade.test:${WEB}/cli-ok`)}; echo
${curl(`http://denied.stockade.test:${WEB}/cli-denied`)}; ${curl(`http://denied.stockade.test:${WEB}/cli-denied`)}; echo
${curl(`http://wild.stockade.test:${WEB}/cli-none`)}; echo`;
const NET_FLAGS = [
  "--allow-net",
  `allowed.stockade.test:${WEB}`,
  "--allow-net",
  `127.0.0.1:${WEB}`,
  "--allow-net",
  `denied.stockade.test:${WEB}`,
  "--deny-net",
  "denied.stockade.test",
];
const cliSummary = attempt(() => cli(["run", ...NET_FLAGS, "--", "sh", "-c", SCRIPT]));
const cliJson = attempt(() => cli(["run", "--json", ...NET_FLAGS, "--", "sh", "-c", SCRIPT]));

describe("network rules are checked before the command runs", () => {
  test("the TypeScript pre-check refuses only rules the engine refuses too", () => {
    for (const rule of GOOD_RULES) parseRunOptions({ network: { allow: [rule], deny: [rule] } });
    assert.ok(REFUSED_BY_TS.includes("https://example.com") && REFUSED_BY_TS.includes("exa mple.com"));
    const e = (() => {
      try {
        parseRunOptions({ network: { allow: ["ok.example", "https://x.example/"], deny: [""] } });
      } catch (e) {
        return e as ConfigError;
      }
    })();
    assert.deepEqual(e?.issues.map((i) => i.path), ["network.allow[1]", "network.deny[0]"]);
  });

  test("every rule the engine refuses is reported with its field path and reason", { skip }, async () => {
    const e = await badRules();
    const paths = e.issues.map((i) => i.path);
    assert.deepEqual(paths, [...LEFT_TO_ENGINE.map((_, i) => `network.allow[${i}]`), "network.deny[0]"]);
    const star = e.issues[LEFT_TO_ENGINE.indexOf("*.com")];
    assert.match(star.message, /^"\*\.com" is a wildcard on the public suffix "com", which would allow every site/);
    assert.match(e.message, /network\.deny\[0\]: "x:0" has the port "0"/);
  });

  test("every rule form the documentation lists is accepted by both", { skip }, async () => {
    assert.equal((await goodRules()).code, 0);
  });
});

describe("stockade run --allow-net / --deny-net", () => {
  test("prints one line per refused host on stderr after the run", { skip }, async () => {
    const res = await cliSummary();
    assert.equal(res.code, 0, res.stderr);
    assert.deepEqual(res.stdout.split("\n").filter(Boolean), ["200:000", "403:000403:000", "403:000"]);
    assert.deepEqual(res.stderr.split("\n").filter(Boolean), [
      `stockade: refused network: denied.stockade.test:${WEB} (http, x2): denied by rule "denied.stockade.test"`,
      `stockade: refused network: wild.stockade.test:${WEB} (http): no allow rule matches`,
    ]);
  });

  test("--json carries the refused hosts and every event", { skip }, async () => {
    const res = await cliJson();
    const out = JSON.parse(res.stdout) as { code: number; refusedHosts: unknown[]; events: { type: string }[] };
    assert.equal(out.code, 0);
    assert.deepEqual(out.refusedHosts, [
      { host: "denied.stockade.test", port: WEB, protocol: "http", reason: 'denied by rule "denied.stockade.test"', count: 2 },
      { host: "wild.stockade.test", port: WEB, protocol: "http", reason: "no allow rule matches", count: 1 },
    ]);
    assert.equal(out.events.filter((e) => e.type === "violation").length, 3);
  });

  test("bad flags and bad rules exit 64 naming the problem", { skip }, async () => {
    const cases: [string[], RegExp][] = [
      [["--deny-net", "x.example"], /--deny-net needs --allow-net/],
      [["--allow-net", "x.example", "--net", "host"], /--allow-net cannot be combined with --net host/],
      [["--net", "sometimes"], /Invalid --net "sometimes"/],
      [["--allow-net", "ok.example", "--allow-net", "*.com"], /network\.allow\[1\]: "\*\.com" is a wildcard on the public suffix "com"/],
      [["--allow-net", "https://x.example"], /network\.allow\[0\]: must be a host/],
    ];
    const results = await Promise.all(cases.map(([flags]) => cli(["run", ...flags, "--", "true"])));
    results.forEach((res, i) => {
      assert.equal(res.code, 64, `${cases[i][0].join(" ")}: ${res.stderr}`);
      assert.match(res.stderr, cases[i][1]);
    });
  });
});
