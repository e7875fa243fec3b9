// Compiles a TypeScript module with esbuild (a native binary npm installs for the platform it runs on)
// when it starts, then serves what the compiled code returns.
const http = require("http");
const esbuild = require("esbuild");

const source = "export const greet = (who: string): string => `hello from ${who} (esbuild ${VERSION})`;";
const compiled = esbuild.transformSync(source, { loader: "ts", format: "cjs", define: { VERSION: JSON.stringify(esbuild.version) } });
const mod = { exports: {} };
new Function("module", "exports", compiled.code)(mod, mod.exports);

http.createServer((req, res) => {
  res.writeHead(200, { "Content-Type": "text/plain; charset=utf-8" });
  res.end(mod.exports.greet("node-alpine-native") + "\n");
}).listen(8080, "0.0.0.0");
