// Builds the committed stylesheets from src/opennrm/web/scss/opennrm.scss (`make css`):
//   static/opennrm.css      left to right, minified
//   static/opennrm.rtl.css  the same flipped by rtlcss for Arabic (Bootstrap's own way to build its RTL CSS)
//   static/design-system.json  which Bootstrap, Sass and rtlcss built them; static/LICENSE-bootstrap.txt
// The app serves the files as they are: nothing here runs when OpenNRM runs. An argument writes the files to
// another folder instead (the test that the committed build is current compares the two).
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";
import rtlcss from "rtlcss";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const web = join(root, "src", "opennrm", "web");
const modules = join(root, "node_modules");
const out = process.argv[2] ?? join(web, "static");
const version = (name) => JSON.parse(readFileSync(join(modules, name, "package.json"), "utf8")).version;

// Expanded first: Bootstrap's sources carry /* rtl:... */ directives that rtlcss reads; then both minified.
const expanded = sass.compile(join(web, "scss", "opennrm.scss"), {
  style: "expanded",
  loadPaths: [modules],
  quietDeps: true,
  silenceDeprecations: ["import", "global-builtin", "color-functions", "if-function"],
}).css;
// Compressed output starts with a byte-order mark when it holds non-ASCII text: it is replaced by @charset,
// because a mark after the banner would become part of the first selector and void that rule.
const minify = (css) => sass.compileString(css, { syntax: "css", style: "compressed" }).css.replace(/^\uFEFF/, "");
const banner = `@charset "UTF-8";\n/*! OpenNRM styles on Bootstrap v${version("bootstrap")} (MIT, LICENSE-bootstrap.txt); built by make css */\n`;

writeFileSync(join(out, "opennrm.css"), banner + minify(expanded) + "\n");
writeFileSync(join(out, "opennrm.rtl.css"), banner + minify(rtlcss.process(expanded)) + "\n");
writeFileSync(join(out, "LICENSE-bootstrap.txt"), readFileSync(join(modules, "bootstrap", "LICENSE"), "utf8"));
writeFileSync(
  join(out, "design-system.json"),
  JSON.stringify(
    { library: "bootstrap", version: version("bootstrap"), license: "MIT", built_with: { sass: version("sass"), rtlcss: version("rtlcss") } },
    null,
    2,
  ) + "\n",
);
