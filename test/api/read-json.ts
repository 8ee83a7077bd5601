/** A response as `{status, type, body}`, its body parsed as JSON. */
export async function readJson(response: Response | Promise<Response>): Promise<{ status: number; type: string | null; body: unknown }> {
  const res = await response;
  return { status: res.status, type: res.headers.get("content-type"), body: await res.json() };
}
