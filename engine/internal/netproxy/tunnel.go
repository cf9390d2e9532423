package netproxy

import (
	"bufio"
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
