package netproxy

import (
	"bytes"
	"errors"
	"io"
	"math/rand"
	"net"
	"testing"
	"time"
)

// tcpPair returns the two ends of a loopback TCP connection.
func tcpPair(t *testing.T) (a, b net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := ln.Accept()
		accepted <- c
	}()
	a, err = net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	b = <-accepted
	if b == nil {
		t.Fatal("accept failed")
	}
	t.Cleanup(func() { a.Close(); b.Close() })
	return a, b
}

// relayThrough sends data into one TCP pair, relays limit bytes to a second pair with relay,
// and returns what arrived plus what was left unread in the source.
func relayThrough(t *testing.T, data []byte, limit int64) (got, left []byte, n int64, err error) {
	t.Helper()
	srcWriter, src := tcpPair(t)
	dst, dstReader := tcpPair(t)
	go func() {
		srcWriter.Write(data)
		srcWriter.(*net.TCPConn).CloseWrite()
	}()
	received := make(chan []byte, 1)
	go func() {
		b, _ := io.ReadAll(dstReader)
		received <- b
	}()
	n, err = relay(dst, src, limit)
	dst.(*net.TCPConn).CloseWrite()
	got = <-received
	src.SetReadDeadline(time.Now().Add(10 * time.Second))
	left, _ = io.ReadAll(src)
	return got, left, n, err
}

func TestRelayMovesExactlyTheLimitAndLeavesTheRest(t *testing.T) {
	data := make([]byte, 3<<20+12345)
	rand.New(rand.NewSource(2)).Read(data)
	limit := int64(2<<20 + 777) // not a multiple of any buffer or pipe size
	got, left, n, err := relayThrough(t, data, limit)
	if err != nil || n != limit {
		t.Fatalf("relay: %d bytes, %v; want %d", n, err, limit)
	}
	if !bytes.Equal(got, data[:limit]) {
		t.Errorf("relayed bytes differ (%d bytes)", len(got))
	}
	// The next response on a kept-alive origin connection starts right after the limit.
	if !bytes.Equal(left, data[limit:]) {
		t.Errorf("relay consumed past its limit: %d bytes left, want %d", len(left), len(data)-int(limit))
	}
}

func TestRelayUntilEOF(t *testing.T) {
	data := make([]byte, 5<<20+3)
	rand.New(rand.NewSource(3)).Read(data)
	got, _, n, err := relayThrough(t, data, -1)
	if err != nil || n != int64(len(data)) || !bytes.Equal(got, data) {
		t.Fatalf("relay to EOF: %d bytes, %v; want %d identical bytes", n, err, len(data))
	}
}

func TestRelayReportsASourceThatEndsBeforeTheLimit(t *testing.T) {
	data := []byte("only 23 bytes arrive!!!")
	got, _, n, err := relayThrough(t, data, 1000)
	if !errors.Is(err, io.ErrUnexpectedEOF) || n != int64(len(data)) || !bytes.Equal(got, data) {
		t.Fatalf("short source: %d bytes, %v; want %d bytes and io.ErrUnexpectedEOF", n, err, len(data))
	}
}

func TestRelayStopsWhenTheSourceIsClosed(t *testing.T) {
	_, src := tcpPair(t)
	dst, _ := tcpPair(t)
	done := make(chan error, 1)
	go func() {
		_, err := relay(dst, src, -1)
		done <- err
	}()
	time.Sleep(50 * time.Millisecond) // let relay wait for data
	src.Close()                       // what the proxy does when its context ends
	select {
	case err := <-done:
		if err == nil {
			t.Error("relay on a closed source returned no error")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("relay kept waiting on a closed connection")
	}
}

func TestRelayFromAReaderThatIsNotASocket(t *testing.T) {
	data := make([]byte, 3<<20+5)
	rand.New(rand.NewSource(4)).Read(data)
	src := bytes.NewReader(data)
	var dst bytes.Buffer
	n, err := relay(&dst, src, 2<<20+1)
	if err != nil || n != 2<<20+1 || !bytes.Equal(dst.Bytes(), data[:2<<20+1]) || src.Len() != 1<<20+4 {
		t.Fatalf("limited: %d bytes, %v, %d left in the source", n, err, src.Len())
	}
	n, err = relay(&dst, src, -1)
	if err != nil || n != 1<<20+4 || !bytes.Equal(dst.Bytes(), data) {
		t.Fatalf("to EOF: %d bytes, %v", n, err)
	}
	if n, err := relay(&dst, bytes.NewReader(data[:10]), 11); !errors.Is(err, io.ErrUnexpectedEOF) || n != 10 {
		t.Fatalf("short: %d bytes, %v; want 10 and io.ErrUnexpectedEOF", n, err)
	}
}

func TestIdleRelayHoldsNoBuffer(t *testing.T) {
	srcWriter, src := tcpPair(t)
	dst, dstReader := tcpPair(t)
	done := make(chan error, 1)
	go func() {
		_, err := relay(dst, src, -1)
		done <- err
	}()
	waitIdle := func(when string) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for buffersInUse.Load() != 0 {
			if time.Now().After(deadline) {
				t.Fatalf("%s: an idle relay still holds %d copy buffers", when, buffersInUse.Load())
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	time.Sleep(20 * time.Millisecond)
	waitIdle("before any data")
	burst := bytes.Repeat([]byte("x"), 3<<20)
	go srcWriter.Write(burst)
	dstReader.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.ReadFull(dstReader, make([]byte, len(burst))); err != nil {
		t.Fatalf("burst not relayed: %v", err)
	}
	waitIdle("after a burst")
	srcWriter.Close()
	if err := <-done; err != nil {
		t.Fatalf("relay ended with %v, want a clean EOF", err)
	}
}
