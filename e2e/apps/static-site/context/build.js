// The "bundler": copies src/ to dist/, filling in the build's facts.
const fs = require("fs");
const path = require("path");

fs.mkdirSync("dist", { recursive: true });
for (const name of fs.readdirSync("src")) {
  const text = fs.readFileSync(path.join("src", name), "utf8")
    .replace("{{pages}}", String(fs.readdirSync("src").length));
  fs.writeFileSync(path.join("dist", name), text);
}
console.log("built", fs.readdirSync("dist").join(", "));
