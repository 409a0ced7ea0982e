import { describe, expect, it } from "vitest";
import { checkEgress, parseAllowHosts } from "../../server/egress";

/** [url, expected rule or "ok"] — every spelling of a refused target must be refused. */
const MATRIX: Array<[string, string]> = [
  ["https://mcp.example.com/mcp", "ok"],
  ["https://93.184.216.34/mcp", "ok"],
  ["https://[2606:4700::1111]/mcp", "ok"],
  ["http://mcp.example.com/mcp", "https_only"],
  ["ftp://mcp.example.com/", "https_only"],
  ["https://user:pw@mcp.example.com/", "credentials_in_url"],
  ["not a url", "invalid_url"],
  // loopback in every spelling
  ["https://127.0.0.1/", "loopback"],
  ["https://127.255.255.254/", "loopback"],
  ["https://2130706433/", "loopback"],
  ["https://0x7f000001/", "loopback"],
  ["https://0177.0.0.1/", "loopback"],
  ["https://0x7f.1/", "loopback"],
  ["https://127.1/", "loopback"],
  ["https://[::1]/", "loopback"],
  ["https://[0:0:0:0:0:0:0:1]/", "loopback"],
  ["https://localhost/", "local_name"],
  ["https://LOCALHOST./", "local_name"],
  ["https://app.localhost/", "local_name"],
  ["https://printer.local/", "local_name"],
  ["https://db.internal/", "local_name"],
  ["https://intranet/", "local_name"],
  // private, CGNAT, link-local, metadata, unspecified
  ["https://10.0.0.1/", "private"],
  ["https://172.16.5.4/", "private"],
  ["https://172.31.255.255/", "private"],
  ["https://192.168.1.1/", "private"],
  ["https://100.64.0.1/", "cgnat"],
  ["https://100.127.255.255/", "cgnat"],
  ["https://169.254.169.254/latest/meta-data/", "metadata"],
  ["https://169.254.1.1/", "link_local"],
  ["https://metadata.google.internal/", "local_name"],
  ["https://0.0.0.0/", "unspecified"],
  ["https://0/", "unspecified"],
  ["https://[::]/", "unspecified"],
  ["https://224.0.0.1/", "multicast"],
  ["https://255.255.255.255/", "reserved"],
  // IPv6 private ranges and IPv4 wrapped in IPv6
  ["https://[fd00:ec2::254]/", "unique_local"],
  ["https://[fc00::1]/", "unique_local"],
  ["https://[fe80::1]/", "link_local"],
  ["https://[febf::1]/", "link_local"],
  ["https://[ff02::1]/", "multicast"],
  ["https://[::ffff:127.0.0.1]/", "ipv4_mapped_loopback"],
  ["https://[::ffff:7f00:1]/", "ipv4_mapped_loopback"],
  ["https://[::ffff:169.254.169.254]/", "ipv4_mapped_metadata"],
  ["https://[::ffff:10.0.0.1]/", "ipv4_mapped_private"],
  ["https://[64:ff9b::10.0.0.1]/", "nat64_private"],
  ["https://[::127.0.0.1]/", "ipv4_mapped_loopback"],
  // IPv4-translated (::ffff:0:a.b.c.d), 6to4 (2002:AABB:CCDD::), Teredo
  // (client address inverted), local-use NAT64, site-local (fec0::/10)
  ["https://[::ffff:0:127.0.0.1]/", "ipv4_translated_loopback"],
  ["https://[::ffff:0:10.0.0.1]/", "ipv4_translated_private"],
  ["https://[::ffff:0:169.254.169.254]/", "ipv4_translated_metadata"],
  ["https://[::ffff:0:5db8:d822]/", "ok"],
  ["https://[2002:7f00:1::]/", "6to4_loopback"],
  ["https://[2002:a00:1::1]/", "6to4_private"],
  ["https://[2002:c0a8:101:1::1]/", "6to4_private"],
  ["https://[2002:a9fe:a9fe::]/", "6to4_metadata"],
  ["https://[2002:5db8:d822::1]/", "ok"],
  ["https://[2001:0:4136:e378:8000:63bf:f5ff:fffe]/", "teredo_private"],
  ["https://[2001:0:4136:e378:8000:63bf:80ff:fffe]/", "teredo_loopback"],
  ["https://[64:ff9b:1::a00:1]/", "nat64_local"],
  ["https://[fec0::1]/", "site_local"],
  ["https://[feff:ffff::1]/", "site_local"],
];

describe("egress guard", () => {
  it.each(MATRIX)("%s → %s", (url, expected) => {
    const decision = checkEgress(url);
    if (expected === "ok") expect(decision).toEqual({ ok: true });
    else {
      expect(decision).toMatchObject({ ok: false, rule: expected });
      if (!decision.ok) expect(decision.message).toContain(expected);
    }
  });

  it("lets the allow-list (and only it) reach local servers, http included", () => {
    const allow = parseAllowHosts("127.0.0.1:*, localhost:8080");
    expect(checkEgress("http://127.0.0.1:3001/mcp", allow)).toEqual({ ok: true });
    expect(checkEgress("http://localhost:8080/mcp", allow)).toEqual({ ok: true });
    expect(checkEgress("http://localhost:8081/mcp", allow)).toMatchObject({ ok: false });
    expect(checkEgress("http://127.0.0.2:3001/mcp", allow)).toMatchObject({ ok: false, rule: "https_only" });
    // A decimal spelling of an allowed host is the same host once parsed.
    expect(checkEgress("http://2130706433:3001/mcp", allow)).toEqual({ ok: true });
  });
});
