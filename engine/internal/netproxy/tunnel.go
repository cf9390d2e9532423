package netproxy

import (
	"bufio"
	"io"
	"net"
	"sync"
)

// tunnel relays bytes both ways until both directions end, then closes both connections.
// pending holds bytes the client sent after its request that are already buffered in br.
// A clean end of one direction is passed on as a half-close (CloseWrite), so protocols
// that shut down their sending side first still receive the answer; an error tears down both.
func tunnel(client net.Conn, br *bufio.Reader, upstream net.Conn) {
	defer client.Close()
	defer upstream.Close()
	if n := br.Buffered(); n > 0 {
		pending, _ := br.Peek(n)
		if _, err := upstream.Write(pending); err != nil {
			return
		}
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		pipe(client, upstream)
	}()
	pipe(upstream, client)
	wg.Wait()
}

type closeWriter interface{ CloseWrite() error }

func pipe(dst, src net.Conn) {
	_, err := relay(dst, src, -1)
	if err == nil {
		if cw, ok := dst.(closeWriter); ok && cw.CloseWrite() == nil {
			return
		}
	}
	dst.Close()
	src.Close()
}

// copyBufferSize was chosen by measurement (cmd/stockade-proxy-bench, loopback, 2 busy cores):
// a 256 KiB user-space copy moved 15-30 % more bytes per second than splice(2), which is what
// io.Copy between two *net.TCPConn does, and 2-3x more than io.Copy's 32 KiB buffer; splice
// saved only ~10 % CPU. Buffers are pooled and held only while a copy runs.
const copyBufferSize = 256 << 10

var copyBuffers = sync.Pool{New: func() any { return new([copyBufferSize]byte) }}

// relay copies up to limit bytes (limit < 0: until EOF) from src to dst with copyBulk; a source
// that ends before limit is io.ErrUnexpectedEOF. It never reads past limit, so a kept-alive
// origin connection's next response stays in the socket.
func relay(dst io.Writer, src io.Reader, limit int64) (int64, error) {
	if limit < 0 {
		return copyBulk(dst, src)
	}
	n, err := copyBulk(dst, &io.LimitedReader{R: src, N: limit})
	if err == nil && n < limit {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}

// copyBulk copies src to dst through a pooled large buffer. Wrapping both ends hides ReadFrom
// and WriteTo, which would otherwise pick splice or a small buffer.
func copyBulk(dst io.Writer, src io.Reader) (int64, error) {
	buf := copyBuffers.Get().(*[copyBufferSize]byte)
	defer copyBuffers.Put(buf)
	return io.CopyBuffer(struct{ io.Writer }{dst}, struct{ io.Reader }{src}, buf[:])
}
