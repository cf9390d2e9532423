// Package netproxy is the filtering network proxy of the "allowlist" network mode.
//
// The sandbox's network namespace holds only loopback. A listening socket created there is
// passed to the engine outside (SendListener / ReceiveListener / ListenerFromFD, Linux only);
// the engine serves it with Proxy.Serve, and the proxy dials out from the host namespace. The
// package itself knows nothing of namespaces: it serves net.Conns, so macOS reuses it as is.
//
// # Protocols
//
// The first byte of a connection picks the protocol. 0x05 is SOCKS5 without authentication:
// CONNECT with a domain name (socks5h, resolved here) or an IP literal; BIND and UDP ASSOCIATE
// get "command not supported". Anything else is HTTP/1.1: "CONNECT host:port" opens a tunnel;
// an absolute-URI request ("GET http://host/path") is forwarded in origin form, without
// hop-by-hop and Proxy-* headers, and each request on a kept-alive connection is checked
// again. A Host header that disagrees with the target is refused (403), and origin-form
// requests are refused (400): this is a proxy, not a web server.
//
// # Rules
//
// See netrules.ParseRules for the language: exact names, "*.example.com" wildcards (subdomains only),
// literal IP addresses, optional ":PORT" or ":*"; an allow rule without a port means 80 and
// 443, a deny rule without a port means every port; deny wins. A destination matching no rule
// is put to Options.Ask when set (answer cached per host:port, timeout denies) and refused
// otherwise.
//
// # SSRF
//
// Names are resolved on the host side (the sandbox has no resolver). If ANY address of an
// allowed name is special — loopback, RFC 1918 and other private blocks, carrier-grade NAT,
// link-local (cloud metadata 169.254.169.254), unique-local IPv6 (fd00:ec2::254), multicast,
// broadcast, reserved, or an IPv4-mapped/NAT64/6to4 form of one — the request is refused,
// unless that address is named by an IP allow rule for that port ("127.0.0.1:8080") or lies
// in Options.AllowPrivate. Allowing a NAME never unlocks a special address: a rule for
// "app.test" that resolves to 127.0.0.1 still needs "127.0.0.1:PORT". Deny rules naming an IP
// apply to resolved addresses too. The connection goes to the checked address itself, never to
// a second resolution, so DNS rebinding between check and connect is impossible.
//
// # Events
//
// Every refusal, and every allowed connection, is reported to Options.OnEvent as an Event with
// host, port, protocol ("http", "https", "socks5") and a reason.
//
// # Performance
//
// Tunnels and known-length response bodies are copied between the raw connections through a
// pooled 1 MiB buffer, taken only while the source has data (see copyBufferSize for why not
// splice(2)); request heads are bounded by MaxHeaderBytes and HeaderTimeout (slowloris).
package netproxy
