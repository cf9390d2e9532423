//go:build linux

package netns

import (
	"encoding/binary"

	"golang.org/x/sys/unix"
)

// BigSegment is the packet size lo may aggregate to in the sandbox (the kernel's GSO_MAX_SIZE).
//
// In allowlist mode every byte a command downloads crosses the sandbox's lo once, between the
// command and the proxy's listener. On loopback the CPU of that hop is mostly per-packet work —
// TCP transmit, the receive path run in the sender's context, ACKs — and lo's IPv4 default is
// 64 KiB packets. BIG TCP (IPv4 since Linux 6.3) lets one packet carry up to 512 KiB, so a
// proxied download costs the proxy and the command fewer packets per byte. bench/proxy-e2e.ts
// measures the effect; bench/README.md has the figures.
const BigSegment = 512<<10 - 8

// Netlink link attributes (linux/if_link.h), spelled out for kernels' headers that predate them.
const (
	iflaGSOMaxSize     = 41
	iflaGROMaxSize     = 58
	iflaGSOIPv4MaxSize = 63
	iflaGROIPv4MaxSize = 64
)

var sizeAttrs = []uint16{iflaGSOMaxSize, iflaGROMaxSize, iflaGSOIPv4MaxSize, iflaGROIPv4MaxSize}

// sizesMessage is the netlink request that sets interface index's packet sizes to BigSegment.
func sizesMessage(index int) []byte {
	msg := linkMessage(unix.RTM_NEWLINK, unix.NLM_F_REQUEST|unix.NLM_F_ACK, index)
	for _, a := range sizeAttrs {
		msg = binary.NativeEndian.AppendUint16(msg, 8)
		msg = binary.NativeEndian.AppendUint16(msg, a)
		msg = binary.NativeEndian.AppendUint32(msg, BigSegment)
	}
	binary.NativeEndian.PutUint32(msg, uint32(len(msg)))
	return msg
}

// linkMessage starts a netlink message (header + ifinfomsg) about interface index; the caller
// appends attributes and the length is fixed up by exchange.
func linkMessage(typ, flags uint16, index int) []byte {
	msg := make([]byte, unix.SizeofNlMsghdr+unix.SizeofIfInfomsg)
	binary.NativeEndian.PutUint16(msg[4:], typ)
	binary.NativeEndian.PutUint16(msg[6:], flags)
	binary.NativeEndian.PutUint32(msg[8:], 1) // sequence number
	binary.NativeEndian.PutUint32(msg[unix.SizeofNlMsghdr+4:], uint32(index))
	return msg
}
