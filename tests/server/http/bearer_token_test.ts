import assert from "node:assert/strict";
import { CobreError } from "../../../src/common/mod.ts";
import { BearerToken, loadBearerToken } from "../../../src/server/http/mod.ts";

const SECRET = "0123456789abcdef0123456789abcdef-secret";

Deno.test("BearerToken.verify() accepts only the exact token, as a Bearer credential", async () => {
  const token = await BearerToken.fromSecret(SECRET);
  assert.equal(await token.verify(`Bearer ${SECRET}`), null);
  assert.equal(await token.verify(`bearer ${SECRET}`), null);
  assert.equal(await token.verify(null), "missing");
  for (
    const header of [
      `Bearer ${SECRET}x`,
      `Bearer ${SECRET.slice(0, -1)}`,
      `Basic ${SECRET}`,
      SECRET,
      "Bearer",
      `Bearer ${SECRET} extra`,
    ]
  ) {
    assert.equal(await token.verify(header), "invalid", header);
  }
});

Deno.test("BearerToken.fromSecret() refuses short tokens and tokens with spaces", async () => {
  for (const secret of ["short", "x".repeat(31), `${"x".repeat(20)} ${"y".repeat(20)}`]) {
    await assert.rejects(
      BearerToken.fromSecret(secret),
      (error: unknown) => error instanceof CobreError && error.record.kind === "InvalidArgument",
    );
  }
});

Deno.test("a BearerToken never prints or serialises its secret", async () => {
  const token = await BearerToken.fromSecret(SECRET);
  assert.equal(JSON.stringify({ token }).includes(SECRET), false);
  assert.equal(Deno.inspect(token).includes(SECRET), false);
  assert.equal(Deno.inspect(token, { showHidden: true, depth: 5 }).includes("0123456789"), false);
});

Deno.test("loadBearerToken() prefers the token file over the environment, and needs neither", async () => {
  const files: Record<string, string> = { "/run/token": `${SECRET}-file\n` };
  const sources = {
    env: SECRET,
    tokenFile: "/run/token",
    readTextFile: (path: string) =>
      files[path] === undefined
        ? Promise.reject(new Deno.errors.NotFound())
        : Promise.resolve(files[path]!),
  };
  const fromFile = await loadBearerToken(sources);
  assert.equal(await fromFile?.verify(`Bearer ${SECRET}-file`), null);
  assert.equal(await fromFile?.verify(`Bearer ${SECRET}`), "invalid");
  const fromEnv = await loadBearerToken({ ...sources, tokenFile: null });
  assert.equal(await fromEnv?.verify(`Bearer ${SECRET}`), null);
  assert.equal(await loadBearerToken({ ...sources, env: undefined, tokenFile: null }), null);
  await assert.rejects(
    loadBearerToken({ ...sources, tokenFile: "/run/missing" }),
    (error: unknown) =>
      error instanceof CobreError && error.record.kind === "MissingFile" &&
      !error.record.message.includes(SECRET),
  );
});
