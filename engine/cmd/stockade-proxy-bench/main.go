// Command stockade-proxy-bench measures the filtering proxy against direct loopback traffic in
// one run: throughput of a large download (plain HTTP forwarded and CONNECT-tunnelled) and the
// median latency of a small request on a fresh connection. Rounds interleave the modes; each
// round's proxied throughput is divided by the same round's direct throughput, and the median
// of those ratios is reported. It prints a table and, last, one JSON line for bench/ to parse.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"stockade/engine/internal/netproxy/proxybench"
)

type report struct {
	Client          string             `json:"client"`
	SizeBytes       int64              `json:"sizeBytes"`
	Rounds          int                `json:"rounds"`
	MBps            map[string]float64 `json:"MBps"`          // median round per mode
	BestMBps        map[string]float64 `json:"bestMBps"`      // best round per mode
	Ratio           map[string]float64 `json:"ratioToDirect"` // median over rounds of proxied ÷ direct MB/s
	MedianLatencyMs map[string]float64 `json:"medianLatencyMs"`
	AddedLatencyMs  map[string]float64 `json:"addedLatencyMs"` // median proxied − median direct
}

func main() {
	sizeMB := flag.Int64("size-mb", 200, "download size in MB")
	rounds := flag.Int("rounds", 5, "download rounds (modes alternate within a round; medians are reported)")
	requests := flag.Int("requests", 300, "small requests per mode for the latency median (0 skips latency)")
	client := flag.String("client", "go", "download client: \"go\" (in process) or \"curl\" (the curl binary)")
	only := flag.String("modes", "", "comma-separated subset of direct,http-forward,connect-tunnel (for profiling one mode)")
	flag.Parse()
	if *client != "go" && *client != "curl" {
		fmt.Fprintf(os.Stderr, "stockade-proxy-bench: unknown client %q; use \"go\" or \"curl\"\n", *client)
		os.Exit(2)
	}
	modes := []proxybench.Mode{proxybench.Direct, proxybench.Forward, proxybench.Connect}
	if *only != "" {
		modes = nil
		for _, m := range strings.Split(*only, ",") {
			mode := proxybench.Mode(m)
			if mode != proxybench.Direct && mode != proxybench.Forward && mode != proxybench.Connect {
				fmt.Fprintf(os.Stderr, "stockade-proxy-bench: unknown mode %q in -modes; use direct, http-forward or connect-tunnel\n", m)
				os.Exit(2)
			}
			modes = append(modes, mode)
		}
	}
	if *rounds < 1 {
		fmt.Fprintf(os.Stderr, "stockade-proxy-bench: -rounds %d must be at least 1\n", *rounds)
		os.Exit(2)
	}
	if err := run(*sizeMB<<20, *rounds, *requests, *client, modes); err != nil {
		fmt.Fprintf(os.Stderr, "stockade-proxy-bench: %v\n", err)
		os.Exit(1)
	}
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func run(size int64, rounds, requests int, client string, modes []proxybench.Mode) error {
	env, err := proxybench.Start()
	if err != nil {
		return err
	}
	defer env.Close()
	rep := report{Client: client, SizeBytes: size, Rounds: rounds, MBps: map[string]float64{}, BestMBps: map[string]float64{},
		Ratio: map[string]float64{}, MedianLatencyMs: map[string]float64{}, AddedLatencyMs: map[string]float64{}}
	speeds := map[proxybench.Mode][]float64{}
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
			speeds[m] = append(speeds[m], float64(size)/(1<<20)/d.Seconds())
		}
	}
	if requests > 0 {
		for _, m := range modes {
			med, err := env.MedianLatency(m, requests)
			if err != nil {
				return fmt.Errorf("%s latency: %w", m, err)
			}
			rep.MedianLatencyMs[string(m)] = float64(med) / float64(time.Millisecond)
		}
	}
	fmt.Printf("%-16s %10s %10s %8s %14s %12s\n", "mode", "median MB/s", "best MB/s", "ratio", "median ms", "added ms")
	direct, haveDirect := speeds[proxybench.Direct]
	for _, m := range modes {
		k := string(m)
		rep.MBps[k], rep.BestMBps[k] = median(speeds[m]), slices.Max(speeds[m])
		ratio, added := "", ""
		if haveDirect {
			perRound := make([]float64, rounds)
			for i := range perRound {
				perRound[i] = speeds[m][i] / direct[i]
			}
			rep.Ratio[k] = median(perRound)
			ratio = fmt.Sprintf("%.2f", rep.Ratio[k])
			if requests > 0 {
				rep.AddedLatencyMs[k] = rep.MedianLatencyMs[k] - rep.MedianLatencyMs[string(proxybench.Direct)]
				added = fmt.Sprintf("%.3f", rep.AddedLatencyMs[k])
			}
		}
		fmt.Printf("%-16s %11.0f %10.0f %8s %14.3f %12s\n", k, rep.MBps[k], rep.BestMBps[k], ratio, rep.MedianLatencyMs[k], added)
	}
	return json.NewEncoder(os.Stdout).Encode(rep)
}
