package netproxy_test

import (
	"testing"

	"stockade/engine/internal/netproxy/proxybench"
)

// BenchmarkDownload compares a 64 MiB download direct, forwarded as plain HTTP, and through a
// CONNECT tunnel: go test -bench Download -run '^$' ./internal/netproxy/
func BenchmarkDownload(b *testing.B) {
	env, err := proxybench.Start()
	if err != nil {
		b.Fatal(err)
	}
	defer env.Close()
	const size = 64 << 20
	for _, mode := range []proxybench.Mode{proxybench.Direct, proxybench.Forward, proxybench.Connect} {
		b.Run(string(mode), func(b *testing.B) {
			client := env.Client(mode, true)
			b.SetBytes(size)
			for range b.N {
				if _, err := env.Download(client, mode, size); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkSmallRequest measures a tiny request on a fresh connection each time.
func BenchmarkSmallRequest(b *testing.B) {
	env, err := proxybench.Start()
	if err != nil {
		b.Fatal(err)
	}
	defer env.Close()
	for _, mode := range []proxybench.Mode{proxybench.Direct, proxybench.Forward, proxybench.Connect} {
		b.Run(string(mode), func(b *testing.B) {
			if _, err := env.MedianLatency(mode, b.N); err != nil {
				b.Fatal(err)
			}
		})
	}
}
