/**
 * Writes policies/strict.kafel (see strict.ts). Run: `npx tsx src/learn/strict-gen.ts`.
 *
 * @module
 */
import { readFile, writeFile } from "node:fs/promises";
import { assetUrl } from "../assets.ts";
import { strictKafel } from "./strict.ts";

const baseline = await readFile(assetUrl("policies/baseline.kafel"), "utf8");
await writeFile(assetUrl("policies/strict.kafel"), await strictKafel(baseline));
