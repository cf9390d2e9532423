package netproxy

import (
	"io"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

// socketpair returns two connected *net.UnixConn, like the engine's parent/child channel.
func socketpair(t *testing.T) (*net.UnixConn, *net.UnixConn) {
	t.Helper()
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	conn := func(fd int) *net.UnixConn {
		f := os.NewFile(uintptr(fd), "socketpair")
		defer f.Close()
		c, err := net.FileConn(f)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c.(*net.UnixConn)
	}
	return conn(fds[0]), conn(fds[1])
}

func TestListenerPassedOverASocketpairAcceptsConnections(t *testing.T) {
	a, b := socketpair(t)
	orig, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := orig.Addr().String()
	if err := SendListener(a, orig.(*net.TCPListener)); err != nil {
		t.Fatal(err)
	}
	orig.Close() // the receiver's copy must keep the socket alive on its own
	got, err := ReceiveListener(b)
	if err != nil {
		t.Fatal(err)
	}
	defer got.Close()
	if got.Addr().String() != addr {
		t.Fatalf("received listener on %s, want %s", got.Addr(), addr)
	}
	go func() {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			io.WriteString(c, "through the passed socket")
			c.Close()
		}
	}()
	got.SetDeadline(time.Now().Add(5 * time.Second))
	c, err := got.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	data, _ := io.ReadAll(c)
	if string(data) != "through the passed socket" {
		t.Fatalf("got %q", data)
	}
}

func TestReceivedDescriptorIsCloseOnExec(t *testing.T) {
	a, b := socketpair(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if err := SendListener(a, ln.(*net.TCPListener)); err != nil {
		t.Fatal(err)
	}
	fd, err := ReceiveFD(b)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(fd)
	flags, err := fcntlGetfd(fd)
	if err != nil || flags&syscall.FD_CLOEXEC == 0 {
		t.Fatalf("received fd flags %#x (%v): close-on-exec missing, it would leak into the sandboxed command", flags, err)
	}
}

func fcntlGetfd(fd int) (int, error) {
	r, _, errno := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), syscall.F_GETFD, 0)
	if errno != 0 {
		return 0, errno
	}
	return int(r), nil
}

func TestReceiveFDRefusesMessagesWithoutExactlyOneDescriptor(t *testing.T) {
	a, b := socketpair(t)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	if _, _, err := a.WriteMsgUnix([]byte{0}, syscall.UnixRights(int(r.Fd()), int(w.Fd())), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := ReceiveFD(b); err == nil || !strings.Contains(err.Error(), "expected one, got 2") {
		t.Fatalf("two descriptors: %v", err)
	}
	if _, err := a.Write([]byte{0}); err != nil {
		t.Fatal(err)
	}
	if _, err := ReceiveFD(b); err == nil || !strings.Contains(err.Error(), "got 0") {
		t.Fatalf("no descriptor: %v", err)
	}
}

func TestListenerFromFDRefusesWhatIsNotAListeningTCPSocket(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "not-a-socket")
	if err != nil {
		t.Fatal(err)
	}
	fd, _ := syscall.Dup(int(f.Fd()))
	f.Close()
	if _, err := ListenerFromFD(fd); err == nil || !strings.Contains(err.Error(), "is not a socket") {
		t.Fatalf("regular file: %v", err)
	}

	s, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0) // never listened on
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ListenerFromFD(s); err == nil || !strings.Contains(err.Error(), "is not listening") {
		t.Fatalf("unconnected socket: %v", err)
	}

	u, err := net.Listen("unix", t.TempDir()+"/sock")
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	uf, _ := u.(*net.UnixListener).File()
	ufd, _ := syscall.Dup(int(uf.Fd()))
	uf.Close()
	if _, err := ListenerFromFD(ufd); err == nil || !strings.Contains(err.Error(), "not a TCP socket") {
		t.Fatalf("unix listener: %v", err)
	}
}
