//go:build linux

package netns

import (
	"encoding/binary"
	"errors"
	"fmt"
	"syscall"

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

// EnlargeLoopbackSegments lets lo (interface index) send and receive packets of up to BigSegment
// bytes, for IPv4 and IPv6. It needs CAP_NET_ADMIN over the current network namespace. A kernel
// without BIG TCP refuses (EINVAL) and lo keeps its 64 KiB packets, which only costs speed.
func EnlargeLoopbackSegments(index int) error {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_ROUTE)
	if err != nil {
		return fmt.Errorf("netlink socket: %w", err)
	}
	defer unix.Close(fd)
	msg := linkMessage(unix.RTM_NEWLINK, unix.NLM_F_REQUEST|unix.NLM_F_ACK, index)
	for _, a := range sizeAttrs {
		msg = binary.NativeEndian.AppendUint16(msg, 8)
		msg = binary.NativeEndian.AppendUint16(msg, a)
		msg = binary.NativeEndian.AppendUint32(msg, BigSegment)
	}
	binary.NativeEndian.PutUint32(msg, uint32(len(msg)))
	replies, err := exchange(fd, msg)
	if err != nil {
		return err
	}
	for _, m := range replies {
		if m.Header.Type == unix.NLMSG_ERROR && len(m.Data) >= 4 {
			if errno := -int32(binary.NativeEndian.Uint32(m.Data)); errno != 0 {
				return fmt.Errorf("set the packet sizes of interface %d: %w", index, unix.Errno(errno))
			}
			return nil
		}
	}
	return errors.New("no netlink acknowledgement")
}

// LinkSizes reads lo's (interface index) GSO and GRO limits for IPv4: what EnlargeLoopbackSegments
// set, or the kernel's defaults.
func LinkSizes(index int) (gso, gro uint32, err error) {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_ROUTE)
	if err != nil {
		return 0, 0, fmt.Errorf("netlink socket: %w", err)
	}
	defer unix.Close(fd)
	replies, err := exchange(fd, linkMessage(unix.RTM_GETLINK, unix.NLM_F_REQUEST, index))
	if err != nil {
		return 0, 0, err
	}
	for _, m := range replies {
		if m.Header.Type != unix.RTM_NEWLINK || len(m.Data) < unix.SizeofIfInfomsg {
			continue
		}
		attrs, err := syscall.ParseNetlinkRouteAttr(&m)
		if err != nil {
			return 0, 0, err
		}
		for _, a := range attrs {
			if len(a.Value) < 4 {
				continue
			}
			switch a.Attr.Type {
			case iflaGSOIPv4MaxSize:
				gso = binary.NativeEndian.Uint32(a.Value)
			case iflaGROIPv4MaxSize:
				gro = binary.NativeEndian.Uint32(a.Value)
			}
		}
		return gso, gro, nil
	}
	return 0, 0, fmt.Errorf("no link %d in the netlink answer", index)
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

// exchange sends one request to the kernel and returns the messages of its answer.
func exchange(fd int, msg []byte) ([]syscall.NetlinkMessage, error) {
	binary.NativeEndian.PutUint32(msg, uint32(len(msg)))
	if err := unix.Sendto(fd, msg, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return nil, fmt.Errorf("netlink send: %w", err)
	}
	buf := make([]byte, 16<<10)
	n, _, err := unix.Recvfrom(fd, buf, 0)
	if err != nil {
		return nil, fmt.Errorf("netlink receive: %w", err)
	}
	return syscall.ParseNetlinkMessage(buf[:n])
}
