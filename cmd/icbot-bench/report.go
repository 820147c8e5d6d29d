package main

import (
	"fmt"
	"io"
	"slices"
	"text/tabwriter"
	"time"
)

// ms is a latency in milliseconds.
func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func (r runResult) print(out io.Writer, n int) {
	fmt.Fprintf(out, "run %d\n", n)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "\tserial/s\tp50 ms\tp99 ms\tconcurrent/s\tp50 ms\tp99 ms\t")
	for _, side := range []struct {
		name string
		r    sideResult
	}{{"floor", r.floor}, {"icbot", r.icbot}} {
		if !side.r.measured {
			continue
		}
		s, c := side.r.serial, side.r.concurrent
		fmt.Fprintf(tw, "%s\t%.0f\t%.3f\t%.3f\t%.0f\t%.3f\t%.3f\t\n", side.name, s.rate(), ms(s.p50), ms(s.p99), c.rate(), ms(c.p50), ms(c.p99))
	}
	if r.floor.measured && r.icbot.measured {
		x := r.ratios()
		fmt.Fprintf(tw, "icbot/floor\t%.2fx\t%.2fx\t%.2fx\t%.2fx\t%.2fx\t%.2fx\t\n", x[0], x[1], x[2], x[3], x[4], x[5])
	}
	tw.Flush()
	fmt.Fprintln(out)
}

// ratios are icbot's figures over the floor's, in the order printed.
func (r runResult) ratios() [6]float64 {
	f, i := r.floor, r.icbot
	return [6]float64{
		i.serial.rate() / f.serial.rate(), ms(i.serial.p50) / ms(f.serial.p50), ms(i.serial.p99) / ms(f.serial.p99),
		i.concurrent.rate() / f.concurrent.rate(), ms(i.concurrent.p50) / ms(f.concurrent.p50), ms(i.concurrent.p99) / ms(f.concurrent.p99),
	}
}

// spread is a figure's median and range over the runs.
type spread struct{ med, lo, hi float64 }

func spreadOf(xs []float64) spread {
	s := slices.Sorted(slices.Values(xs))
	med := s[len(s)/2]
	if len(s)%2 == 0 {
		med = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return spread{med: med, lo: s[0], hi: s[len(s)-1]}
}

func (s spread) format(verb string) string {
	return fmt.Sprintf(verb+" ("+verb+"–"+verb+")", s.med, s.lo, s.hi)
}

// summarize prints each figure's median and range over the runs.
func summarize(out io.Writer, all []runResult, s settings) {
	fmt.Fprintf(out, "over %d runs: median (lowest–highest)\n", len(all))
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "\tserial/s\tserial p50 ms\tserial p99 ms\t%d clients/s\t%d clients p50 ms\t%d clients p99 ms\n", s.clients, s.clients, s.clients)
	figures := func(pick func(runResult) sideResult) [6][]float64 {
		var f [6][]float64
		for _, r := range all {
			x := pick(r)
			for i, v := range []float64{x.serial.rate(), ms(x.serial.p50), ms(x.serial.p99), x.concurrent.rate(), ms(x.concurrent.p50), ms(x.concurrent.p99)} {
				f[i] = append(f[i], v)
			}
		}
		return f
	}
	row := func(name string, f [6][]float64, rate, lat string) {
		fmt.Fprint(tw, name)
		for i, xs := range f {
			verb := lat
			if i == 0 || i == 3 {
				verb = rate
			}
			fmt.Fprint(tw, "\t"+spreadOf(xs).format(verb))
		}
		fmt.Fprintln(tw)
	}
	first := all[0]
	if first.floor.measured {
		row("floor", figures(func(r runResult) sideResult { return r.floor }), "%.0f", "%.3f")
	}
	if first.icbot.measured {
		row("icbot", figures(func(r runResult) sideResult { return r.icbot }), "%.0f", "%.3f")
	}
	if first.floor.measured && first.icbot.measured {
		var f [6][]float64
		for _, r := range all {
			for i, v := range r.ratios() {
				f[i] = append(f[i], v)
			}
		}
		row("icbot/floor", f, "%.2fx", "%.2fx")
	}
	tw.Flush()
}
