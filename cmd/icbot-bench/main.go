// Command icbot-bench measures, in one run, how fast icbot acknowledges
// state-changing Slack slash commands, beside a floor server that does the
// least any such command costs.
//
// Two servers are driven by the same load generator over loopback, with
// fsync on:
//
//   - floor: net/http, Slack's signature check (slack.NewSecretsVerifier)
//     and one fsync'd bbolt write per request, answered with JSON;
//   - icbot: the Slack adapter's HTTP endpoint with the real bot and the
//     real store (sealed with a key, as icbot always is), its Web API
//     pointed at a local fake that answers ok, and the delivery and
//     reminder loops running.
//
// Every request is a signed "/scene set ID title=..." from the AD, each
// load client on a scene of its own, each title new, so that every
// request is a new command that changes state and is audited. Each side
// is measured serially (one client, one request at a time) and with
// -clients clients sending back to back for -duration; each run starts
// both servers afresh, and -runs repeats the whole. For every phase it
// reports the rate of acknowledged commands and the acknowledgement
// latency (from sending the request to the last byte of the answer) at
// the median and the 99th percentile, and icbot's figures as ratios of
// the floor's from the same run.
//
// The databases are made in -dir (a temporary directory by default),
// which should be on the disk whose fsync is to be measured.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"time"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "icbot-bench:", err)
		os.Exit(1)
	}
}

// settings are the command line's.
type settings struct {
	runs     int
	serial   int
	clients  int
	duration time.Duration
	warmup   int
	dir      string
	only     string
	profile  string
}

func parse(args []string) (settings, error) {
	var s settings
	fs := flag.NewFlagSet("icbot-bench", flag.ContinueOnError)
	fs.IntVar(&s.runs, "runs", 5, "how many times to measure both servers")
	fs.IntVar(&s.serial, "serial", 1000, "requests in each serial phase")
	fs.IntVar(&s.clients, "clients", 16, "concurrent clients in the concurrent phase")
	fs.DurationVar(&s.duration, "duration", 5*time.Second, "length of each concurrent phase")
	fs.IntVar(&s.warmup, "warmup", 50, "untimed requests before the serial phase (0: no warm-up before either phase)")
	fs.StringVar(&s.dir, "dir", "", "directory for the databases (default: a new temporary directory)")
	fs.StringVar(&s.only, "only", "", `measure one server only: "floor" or "icbot"`)
	fs.StringVar(&s.profile, "cpuprofile", "", "write a CPU profile of the whole run to this file")
	if err := fs.Parse(args); err != nil {
		return s, err
	}
	switch {
	case fs.NArg() > 0:
		return s, fmt.Errorf("unexpected arguments %q", fs.Args())
	case s.runs < 1 || s.serial < 1 || s.clients < 1 || s.duration <= 0 || s.warmup < 0:
		return s, fmt.Errorf("-runs, -serial, -clients and -duration must be positive")
	case s.only != "" && s.only != "floor" && s.only != "icbot":
		return s, fmt.Errorf(`-only is "floor" or "icbot", not %q`, s.only)
	}
	return s, nil
}

func run(args []string, out io.Writer) error {
	s, err := parse(args)
	if err != nil {
		return err
	}
	if s.dir == "" {
		if s.dir, err = os.MkdirTemp("", "icbot-bench-"); err != nil {
			return err
		}
		defer os.RemoveAll(s.dir)
	}
	if s.profile != "" {
		f, err := os.Create(s.profile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	host, _ := os.Hostname()
	fmt.Fprintf(out, "icbot-bench: %s %s/%s, %d CPUs, host %s, databases in %s\n",
		runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), host, s.dir)
	fmt.Fprintf(out, "each run: %d serial requests; %d clients for %s; %d untimed before each phase\n\n",
		s.serial, s.clients, s.duration, s.warmup)
	var all []runResult
	for i := range s.runs {
		r, err := measureRun(ctx, s, i+1)
		if err != nil {
			return fmt.Errorf("run %d: %w", i+1, err)
		}
		r.print(out, i+1)
		all = append(all, r)
	}
	summarize(out, all, s)
	return nil
}

// runResult is one run's figures for each side.
type runResult struct {
	floor, icbot sideResult
}

// sideResult is one server's figures in one run.
type sideResult struct {
	measured           bool
	serial, concurrent phase
}

// measureRun starts each server afresh and measures it serially, then
// with s.clients clients.
func measureRun(ctx context.Context, s settings, n int) (runResult, error) {
	var r runResult
	sides := []struct {
		name  string
		start func(dir string, clients int) (server, error)
		dst   *sideResult
	}{
		{"floor", startFloor, &r.floor},
		{"icbot", startIcbot, &r.icbot},
	}
	for _, side := range sides {
		if s.only != "" && s.only != side.name {
			continue
		}
		dir, err := os.MkdirTemp(s.dir, fmt.Sprintf("run%d-%s-", n, side.name))
		if err != nil {
			return r, err
		}
		srv, err := side.start(dir, s.clients)
		if err != nil {
			return r, fmt.Errorf("starting %s: %w", side.name, err)
		}
		res, err := measureSide(ctx, srv, s)
		if cerr := srv.close(); err == nil {
			err = cerr
		}
		os.RemoveAll(dir)
		if err != nil {
			return r, fmt.Errorf("%s: %w", side.name, err)
		}
		*side.dst = res
	}
	return r, nil
}

// concurrentWarmup is how long the clients send untimed before the
// concurrent phase: long enough to open their connections.
const concurrentWarmup = 300 * time.Millisecond

// measureSide runs the serial phase, then the concurrent one, each after
// its warm-up, and checks that every acknowledged command took effect.
func measureSide(ctx context.Context, srv server, s settings) (sideResult, error) {
	load := newLoad(srv, s.clients)
	defer load.close()
	res := sideResult{measured: true}
	var err error
	if _, err = load.serial(ctx, s.warmup); err != nil {
		return res, err
	}
	if res.serial, err = load.serial(ctx, s.serial); err != nil {
		return res, err
	}
	if s.warmup > 0 {
		if _, err = load.concurrent(ctx, s.clients, concurrentWarmup); err != nil {
			return res, err
		}
	}
	if res.concurrent, err = load.concurrent(ctx, s.clients, s.duration); err != nil {
		return res, err
	}
	if err := srv.check(load.acked()); err != nil {
		return res, err
	}
	return res, nil
}
