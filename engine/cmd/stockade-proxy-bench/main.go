// Command stockade-proxy-bench measures the filtering proxy against direct loopback traffic in
// one run: throughput of a large download (plain HTTP forwarded and CONNECT-tunnelled) and the
// median latency of a small request on a fresh connection. It prints a table and, last, one
// JSON line for bench/ to parse.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"time"

	"stockade/engine/internal/netproxy/proxybench"
)

type report struct {
	Client          string             `json:"client"`
	SizeBytes       int64              `json:"sizeBytes"`
	Rounds          int                `json:"rounds"`
	MBps            map[string]float64 `json:"MBps"`          // best round per mode
	Ratio           map[string]float64 `json:"ratioToDirect"` // proxied MB/s ÷ direct MB/s
	MedianLatencyMs map[string]float64 `json:"medianLatencyMs"`
	AddedLatencyMs  map[string]float64 `json:"addedLatencyMs"` // median proxied − median direct
}

func main() {
	sizeMB := flag.Int64("size-mb", 200, "download size in MB")
	rounds := flag.Int("rounds", 3, "download rounds per mode (modes alternate; the best round counts)")
	requests := flag.Int("requests", 300, "small requests per mode for the latency median")
	client := flag.String("client", "go", "download client: \"go\" (in process) or \"curl\" (the curl binary)")
	flag.Parse()
	if *client != "go" && *client != "curl" {
		fmt.Fprintf(os.Stderr, "stockade-proxy-bench: unknown client %q; use \"go\" or \"curl\"\n", *client)
		os.Exit(2)
	}
	if err := run(*sizeMB<<20, *rounds, *requests, *client); err != nil {
		fmt.Fprintf(os.Stderr, "stockade-proxy-bench: %v\n", err)
		os.Exit(1)
	}
}

func run(size int64, rounds, requests int, client string) error {
	env, err := proxybench.Start()
	if err != nil {
		return err
	}
	defer env.Close()
	modes := []proxybench.Mode{proxybench.Direct, proxybench.Forward, proxybench.Connect}
	rep := report{Client: client, SizeBytes: size, Rounds: rounds, MBps: map[string]float64{}, Ratio: map[string]float64{},
		MedianLatencyMs: map[string]float64{}, AddedLatencyMs: map[string]float64{}}
	for range rounds {
		for _, m := range modes {
			download := func() (time.Duration, error) { return env.Download(env.Client(m, true), m, size) }
			if client == "curl" {
				download = func() (time.Duration, error) { return env.CurlDownload(m, size) }
			}
			d, err := download()
			if err != nil {
				return fmt.Errorf("%s download: %w", m, err)
			}
			rep.MBps[string(m)] = max(rep.MBps[string(m)], float64(size)/(1<<20)/d.Seconds())
		}
	}
	for _, m := range modes {
		med, err := env.MedianLatency(m, requests)
		if err != nil {
			return fmt.Errorf("%s latency: %w", m, err)
		}
		rep.MedianLatencyMs[string(m)] = float64(med) / float64(time.Millisecond)
	}
	direct := proxybench.Direct
	fmt.Printf("%-16s %10s %8s %14s %12s\n", "mode", "MB/s", "ratio", "median ms", "added ms")
	for _, m := range modes {
		k := string(m)
		rep.Ratio[k] = rep.MBps[k] / rep.MBps[string(direct)]
		rep.AddedLatencyMs[k] = rep.MedianLatencyMs[k] - rep.MedianLatencyMs[string(direct)]
		fmt.Printf("%-16s %10.0f %8.2f %14.3f %12.3f\n", k, rep.MBps[k], rep.Ratio[k], rep.MedianLatencyMs[k], rep.AddedLatencyMs[k])
	}
	return json.NewEncoder(os.Stdout).Encode(rep)
}
