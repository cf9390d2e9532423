package netproxy

import (
	"errors"
	"io"
	"sync"
	"sync/atomic"
	"syscall"
)

// copyBufferSize was chosen by measurement (bench/README.md, "Proxy"): on loopback the relay's
// CPU is mostly per-packet and per-syscall kernel work, so fewer, larger writes are cheaper — in
// the sandbox, whose lo carries packets of up to 512 KiB, a 1 MiB buffer cut the proxy's CPU
// per byte by a third against 256 KiB. splice(2) was measured too and lost: it saves the proxy's
// copies, but the pages it forwards reach the client as 4 KiB fragments, and the client spent
// more than the proxy saved.
const copyBufferSize = 1 << 20

var copyBuffers = sync.Pool{New: func() any { return new([copyBufferSize]byte) }}

// buffersInUse counts the copy buffers held by running bursts (a test checks idle relays hold none).
var buffersInUse atomic.Int64

// relay copies up to limit bytes (limit < 0: until EOF) from src to dst; a source that ends
// before limit is io.ErrUnexpectedEOF. It never reads past limit, so a kept-alive origin
// connection's next response stays in the socket.
//
// The large buffer is taken from a pool only while src has data and returned whenever src runs
// dry, so the many idle directions of kept-alive tunnels hold none.
func relay(dst io.Writer, src io.Reader, limit int64) (int64, error) {
	rc := rawConnOf(src)
	var total int64
	for limit < 0 || total < limit {
		if rc != nil {
			if err := waitData(rc); err != nil {
				return total, err
			}
		}
		n, err := copyBurst(dst, src, limit-total, limit < 0)
		total += n
		if errors.Is(err, io.EOF) {
			if limit >= 0 && total < limit {
				return total, io.ErrUnexpectedEOF
			}
			return total, nil
		}
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// copyBurst copies through one pooled buffer until a read returns less than it asked for (src is
// drained for now) or, unless unlimited, max bytes are copied. It returns io.EOF when src ended.
func copyBurst(dst io.Writer, src io.Reader, max int64, unlimited bool) (n int64, err error) {
	buf := copyBuffers.Get().(*[copyBufferSize]byte)
	buffersInUse.Add(1)
	defer func() {
		buffersInUse.Add(-1)
		copyBuffers.Put(buf)
	}()
	for unlimited || n < max {
		want := len(buf)
		if !unlimited {
			want = int(min(int64(want), max-n))
		}
		m, rerr := src.Read(buf[:want])
		if m > 0 {
			w, werr := dst.Write(buf[:m])
			n += int64(w)
			if werr != nil {
				return n, werr
			}
			if w < m {
				return n, io.ErrShortWrite
			}
		}
		if rerr != nil {
			return n, rerr
		}
		if m < want {
			return n, nil
		}
	}
	return n, nil
}

func rawConnOf(r io.Reader) syscall.RawConn {
	sc, ok := r.(syscall.Conn)
	if !ok {
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	return rc
}

// waitData blocks until the socket has something to read (bytes, EOF or an error) without
// reading it, through the runtime's poller, so closing the connection ends the wait.
func waitData(rc syscall.RawConn) error {
	var b [1]byte
	return rc.Read(func(fd uintptr) bool {
		for {
			_, _, err := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
			if err != syscall.EINTR {
				return err != syscall.EAGAIN
			}
		}
	})
}
