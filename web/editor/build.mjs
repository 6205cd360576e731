// Rebuilds the playground's vendored editor: run `npm ci && npm run build` here after changing
// editor.mjs or package.json, and commit both outputs. CI and the service never need npm.
//   ../../src/Runner.Api/Playground/Assets/editor.js           one minified IIFE (window.RunnerEditor)
//   ../../src/Runner.Api/Playground/Assets/editor.LICENSE.txt  the licence of every package in it
import { build } from "esbuild";
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const assets = "../../src/Runner.Api/Playground/Assets";
const result = await build({
  entryPoints: ["editor.mjs"],
  bundle: true,
  minify: true,
  format: "iife",
  globalName: "RunnerEditor",
  target: "es2020",
  legalComments: "none",
  metafile: true,
  outfile: join(assets, "editor.js"),
});

// The packages whose code went into the bundle, found from esbuild's own list of inputs.
const packages = new Set();
for (const input of Object.keys(result.metafile.inputs)) {
  const m = input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//);
  if (m) packages.add(m[1]);
}
const sections = [...packages].sort().map((name) => {
  const dir = join("node_modules", name);
  const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  const file = readdirSync(dir).find((f) => /^licen[cs]e/i.test(f));
  if (!file) throw new Error(`${name} ships no licence file; cannot vendor it`);
  return `${name} ${manifest.version} (${manifest.license})\n\n${readFileSync(join(dir, file), "utf8").trim()}\n`;
});
writeFileSync(join(assets, "editor.LICENSE.txt"),
  "editor.js bundles the following npm packages (built by web/editor/build.mjs).\n\n" +
  sections.join("\n" + "-".repeat(72) + "\n\n"));
console.log(`editor.js: ${packages.size} packages, ${result.metafile.outputs[join(assets, "editor.js")].bytes} bytes`);
