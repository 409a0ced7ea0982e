/** Request bodies of the API: JSON, validated against a shared zod schema, errors as 400s. */
import type { z } from "zod";
import { apiError } from "./respond";

export async function parseBody<T extends z.ZodType>(
  request: Request,
  schema: T,
): Promise<{ ok: true; data: z.infer<T> } | { ok: false; response: Response }> {
  let raw: unknown;
  try {
    raw = await request.json();
  } catch {
    return { ok: false, response: apiError(400, "bad_json", "The body is not valid JSON.") };
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length ? `${issue.path.join(".")}: ` : "";
    return { ok: false, response: apiError(400, "invalid_request", `${where}${issue.message}`) };
  }
  return { ok: true, data: parsed.data };
}
