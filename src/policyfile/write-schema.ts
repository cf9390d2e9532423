/**
 * `npm run schema`: writes policies/policy.schema.json from the valibot schema.
 *
 * @module
 */
import { writeFile } from "node:fs/promises";
import { assetUrl } from "../assets.ts";
import { policyJsonSchemaText } from "./json-schema.ts";

await writeFile(assetUrl("policies/policy.schema.json"), policyJsonSchemaText());
