/** The elicitation form rules both sides apply (shared/elicitation.ts): what a schema becomes, what is a secret, what an answer may hold. */
import { describe, expect, it } from "vitest";
import { checkAnswer, elicitationFields, elicitationTarget, looksSecret } from "../../shared/elicitation";

const schema = {
  type: "object",
  properties: {
    login: { type: "string", title: "Login" },
    apiKey: { type: "string", title: "Your key" },
    code: { type: "string", title: "Password", description: "the one you use" },
    otpCode: { type: "string" },
    hidden: { type: "string", format: "password", title: "Anything" },
    age: { type: "integer", minimum: 0 },
    nested: { type: "object", properties: {} },
  },
  required: ["login", "age"],
};

describe("elicitation fields", () => {
  it("flags fields asking for secrets by name, title or format, and gives them no input", () => {
    const { fields } = elicitationFields(schema);
    const byName = Object.fromEntries(fields.map((f) => [f.name, f]));
    expect(byName.login!.secret).toBe(false);
    for (const name of ["apiKey", "code", "otpCode", "hidden"]) {
      expect(byName[name]).toMatchObject({ secret: true, kind: "unsupported", problem: expect.stringMatching(/never collects secrets/) });
    }
    expect(byName.nested).toMatchObject({ secret: false, kind: "unsupported" });
    expect(looksSecret("monkey", "Favourite animal", undefined)).toBe(false);
    expect(looksSecret("github_token", "", undefined)).toBe(true);
    expect(looksSecret("email", "Email", "email")).toBe(false);
  });

  it("refuses values for secret fields and wrong types; a required secret blocks accepting", () => {
    const { fields } = elicitationFields(schema);
    expect(checkAnswer(fields, { login: "a", age: 3 })).toEqual({ ok: true, content: { login: "a", age: 3 } });
    expect(checkAnswer(fields, { login: "a", age: 3, apiKey: "sk-1" })).toMatchObject({ ok: false, message: expect.stringMatching(/cannot be answered/) });
    expect(checkAnswer(fields, { login: "a", age: "3" })).toMatchObject({ ok: false });
    expect(checkAnswer(fields, { login: "a", age: -1 })).toMatchObject({ ok: false, message: expect.stringMatching(/at least 0/) });
    const blocked = elicitationFields({ ...schema, required: ["login", "apiKey"] }).fields;
    expect(checkAnswer(blocked, { login: "a" })).toMatchObject({ ok: false, message: expect.stringMatching(/decline or cancel/) });
  });

  it("offers only http(s) links, and names their host", () => {
    expect(elicitationTarget("https://Login.Example.com:8443/x?y=1")).toEqual({ url: "https://login.example.com:8443/x?y=1", domain: "login.example.com:8443" });
    expect(elicitationTarget("javascript:alert(1)")).toBeNull();
    expect(elicitationTarget("data:text/html,hi")).toBeNull();
  });
});
