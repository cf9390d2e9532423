/**
 * The ExecConfig schema (src/engine/config.ts) against the shared vectors that the Go mirror in
 * engine/internal/config decodes too: valid ones parse, invalid ones fail naming the same field.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { parseExecConfig } from "../src/engine/config.ts";
import { ConfigError } from "../src/errors.ts";

const dir = new URL("./vectors/exec-config/", import.meta.url);

async function vectors(kind: "valid" | "invalid"): Promise<string[]> {
  const names = await readdir(new URL(`${kind}/`, dir));
  return names.filter((n) => n.endsWith(".json")).sort();
}

async function load(kind: string, name: string): Promise<unknown> {
  return JSON.parse(await readFile(new URL(`${kind}/${name}`, dir), "utf8"));
}

test("every valid ExecConfig vector parses", async () => {
  const names = await vectors("valid");
  assert.ok(names.length >= 5, "the valid vectors are there");
  for (const name of names) {
    const input = await load("valid", name);
    assert.deepEqual(parseExecConfig(input), input, name);
  }
});

test("every invalid ExecConfig vector fails naming its field path", async () => {
  const names = await vectors("invalid");
  assert.ok(names.length >= 20, "the invalid vectors are there");
  for (const name of names) {
    const input = await load("invalid", name);
    const expected = (await readFile(new URL(`invalid/${name.replace(/\.json$/, ".path")}`, dir), "utf8")).trim();
    assert.throws(
      () => parseExecConfig(input),
      (e: unknown) => {
        assert.ok(e instanceof ConfigError, `${name}: a ConfigError`);
        const paths = e.issues.map((i) => i.path);
        assert.ok(paths.includes(expected), `${name}: expected an issue at "${expected}", got ${JSON.stringify(paths)}`);
        return true;
      },
      name,
    );
  }
});
