// Command icbot-scale measures how the real icbot binary starts, and how
// late it sends reminders, on a large production.
//
//	icbot-scale build -db PATH [-scenes N] [-performers N]
//	icbot-scale measure -bin ICBOT -db PATH [-runs N] [-late N] [-step D] [-after D]
//
// build writes the console's demo, a pool of performers and N scenes
// straight through the storage API, then derives every scene's reminders
// a batch at a time, as a start does on a file that has never been
// derived: with the defaults, 10,000 scenes of 20 performers whose
// riders are not signed, each calling for 3 warnings, an escalation and
// a check-in, about 1,000,000 pending reminders. The key goes beside the
// file, where icbot looks for it.
//
// measure runs the console binary on that file, in UTC unless -zone says
// otherwise, each run twice:
//
//   - start: exec, `/scene show 12`, end of input. The time from exec to
//     the answer, the resident memory then (VmRSS, and VmHWM, the peak so
//     far), the time to exit and the peak resident memory of the whole
//     run (VmHWM read until icbot is gone);
//   - lateness: -late scenes (at most 200, one for each performer) are
//     added first, each with a rider warning, the first due -after from
//     the run's beginning and the others -step apart; icbot is started,
//     answers `/scene show 12`, and sends them. A warning's lateness is
//     when its first message (to the IC) reaches the console's output
//     less when it was due: p50, p99 and the largest; last-p99 is the
//     same for its last message (to the producer, sent after the IC's).
//     VmHWM is read before the input ends. The scenes are removed
//     afterwards, so that the file is as built for the next run. Just
//     before, disk-p50 and disk-p99 time as many pairs of syncs to disk,
//     as far apart, beside the file: what a commit costs on that disk
//     then, and so the least a reminder can be late.
//
// The built file's own reminders begin to fall due a day after it was
// built (the first warnings); measure before then.
//
// Every figure is printed per run, then as the median and the range.
package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"icbot/adapters/console"
	"icbot/bot"
	"icbot/config"
	"icbot/storage"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: icbot-scale build|measure [flags]")
		os.Exit(2)
	}
	ctx := context.Background()
	var err error
	switch os.Args[1] {
	case "build":
		err = build(ctx, os.Args[2:])
	case "measure":
		err = measure(ctx, os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "icbot-scale:", err)
		os.Exit(1)
	}
}

// pool is how many performers the scenes draw from.
const pool = 200

func performer(i int) bot.UserID { return bot.UserID(fmt.Sprintf("p%03d", i%pool)) }

// botOptions are the settings icbot's console uses with the default
// configuration in UTC, so that reminders derived here carry the stamp a
// start of icbot finds.
func botOptions() []bot.Option {
	p := config.Default().Production
	var hh, mm int
	fmt.Sscanf(p.WrapTime, "%d:%d", &hh, &mm)
	return []bot.Option{bot.WithZone(time.UTC), bot.WithRiderNotice(p.RiderNotice), bot.WithRiderWarnings(p.RiderWarnings...),
		bot.WithReminderGrace(p.ReminderGrace), bot.WithWrapTime(hh, mm)}
}

// nochat is a chat that sends nothing: the tool never delivers.
type nochat struct{}

func (nochat) Post(context.Context, bot.ChannelID, bot.Message) (bot.PostRef, error) { return "", nil }
func (nochat) DM(context.Context, bot.UserID, bot.Message) error                     { return nil }
func (nochat) IsPrivate(context.Context, bot.ChannelID) (bool, error)                { return true, nil }

func openStore(db string) (*storage.Store, error) {
	raw, err := os.ReadFile(storage.KeyFile(db))
	if err != nil {
		return nil, err
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(raw)))
	if err != nil {
		return nil, err
	}
	return storage.Open(db, storage.WithKey(key))
}

func build(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("build", flag.ExitOnError)
	db := fs.String("db", "", "database file to create")
	scenes := fs.Int("scenes", 10000, "scenes besides the demo's")
	perScene := fs.Int("performers", 20, "performers in each scene, from a pool of 200")
	fs.Parse(args)
	if *db == "" {
		return errors.New("build: -db is required")
	}
	if _, err := os.Stat(*db); err == nil {
		return fmt.Errorf("build: %s exists", *db)
	}
	key := make([]byte, 32)
	rand.Read(key)
	if err := os.WriteFile(storage.KeyFile(*db), []byte(base64.StdEncoding.EncodeToString(key)+"\n"), 0o600); err != nil {
		return err
	}
	st, err := storage.Open(*db, storage.WithKey(key))
	if err != nil {
		return err
	}
	defer st.Close()
	began := time.Now()
	now := began.UTC().Truncate(time.Second)
	if _, err := console.SeedDemo(ctx, st, now, time.UTC); err != nil {
		return err
	}
	err = st.Update(ctx, func(tx bot.Tx) error {
		for i := range pool {
			id := performer(i)
			if err := tx.PutPerson(bot.Person{ID: id, Name: string(id), Roles: []bot.Role{bot.RolePerformer}}); err != nil {
				return err
			}
		}
		for i := range *scenes {
			sc := bot.Scene{
				ID: bot.SceneID(strconv.Itoa(1000 + i)), Title: fmt.Sprintf("Scale scene %d", i),
				Call:   now.Add(10*24*time.Hour + time.Duration(i)*45*time.Minute).Truncate(time.Minute),
				Status: bot.StatusDraft, Version: 1, Created: now, Updated: now,
			}
			for k := range *perScene {
				sc.Performers = append(sc.Performers, performer(i*7+k))
			}
			if err := tx.PutScene(sc); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	fmt.Printf("wrote %d scenes in %s; deriving their reminders\n", *scenes, time.Since(began).Round(time.Millisecond))
	b := bot.New(st, nochat{}, botOptions()...)
	if err := b.StartReminders(ctx); err != nil {
		return err
	}
	var pending int
	err = st.View(ctx, func(tx bot.Tx) error {
		due, err := tx.DueReminders(now.Add(100*365*24*time.Hour), 0)
		pending = len(due)
		return err
	})
	if err != nil {
		return err
	}
	fi, err := os.Stat(*db)
	if err != nil {
		return err
	}
	fmt.Printf("built %s in %s: %d scenes and the demo's, %d pending reminders, %.0f MiB\n",
		*db, time.Since(began).Round(time.Millisecond), *scenes, pending, float64(fi.Size())/(1<<20))
	return nil
}

// line is one line of icbot's output and when the tool read it.
type line struct {
	at   time.Time
	text string
}

// proc is a running icbot console.
type proc struct {
	cmd   *exec.Cmd
	in    io.WriteCloser
	lines chan line
	start time.Time
}

func run(bin, db, zone string) (*proc, error) {
	cmd := exec.Command(bin, "--db", db)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "ICBOT_PRODUCTION_TIMEZONE=" + zone}
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = os.Stderr
	p := &proc{cmd: cmd, in: in, lines: make(chan line, 4096)}
	p.start = time.Now()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	go func() {
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 64*1024), 1024*1024)
		for sc.Scan() {
			p.lines <- line{time.Now(), sc.Text()}
		}
		close(p.lines)
	}()
	return p, nil
}

// answer sends /scene show 12 and returns when its answer was read.
func (p *proc) answer() (time.Time, error) {
	if _, err := io.WriteString(p.in, "/scene show 12\n"); err != nil {
		return time.Time{}, err
	}
	timeout := time.After(5 * time.Minute)
	for {
		select {
		case l, ok := <-p.lines:
			if !ok {
				return time.Time{}, errors.New("icbot exited before answering")
			}
			if strings.Contains(l.text, "Scene 12:") {
				return l.at, nil
			}
		case <-timeout:
			return time.Time{}, errors.New("no answer in 5 minutes")
		}
	}
}

// memory reads VmRSS and VmHWM, in MB, from /proc.
func (p *proc) memory() (rss, hwm float64, err error) {
	status, err := os.ReadFile("/proc/" + strconv.Itoa(p.cmd.Process.Pid) + "/status")
	if err != nil {
		return 0, 0, err
	}
	for _, l := range strings.Split(string(status), "\n") {
		f := strings.Fields(l)
		if len(f) == 3 && (f[0] == "VmRSS:" || f[0] == "VmHWM:") {
			kb, err := strconv.ParseFloat(f[1], 64)
			if err != nil {
				return 0, 0, err
			}
			if f[0] == "VmRSS:" {
				rss = kb / 1024
			} else {
				hwm = kb / 1024
			}
		}
	}
	return rss, hwm, nil
}

// end closes icbot's input, drains its output and waits for it to exit;
// it returns when it exited and its peak resident memory in MB: VmHWM,
// read every 5 ms until it is gone, so that work icbot finishes after the
// input ended counts. (The kernel's maxrss of a child would not do: it
// starts from this process's own resident memory, which the child shares
// until it runs icbot.)
func (p *proc) end() (time.Time, float64, error) {
	peak := make(chan float64)
	stop := make(chan struct{})
	_, top, _ := p.memory() // the peak so far, should icbot exit before the first look
	go func() {
		for {
			if _, hwm, err := p.memory(); err == nil && hwm > top {
				top = hwm
			}
			select {
			case <-stop:
				peak <- top
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	p.in.Close()
	for range p.lines {
	}
	err := p.cmd.Wait()
	exited := time.Now()
	close(stop)
	top = <-peak
	if err != nil {
		return exited, 0, fmt.Errorf("icbot: %w", err)
	}
	return exited, top, nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// figures collects one figure per run.
type figures struct {
	names []string
	runs  map[string][]float64
}

func (f *figures) add(name string, v float64) {
	if f.runs == nil {
		f.runs = map[string][]float64{}
	}
	if _, ok := f.runs[name]; !ok {
		f.names = append(f.names, name)
	}
	f.runs[name] = append(f.runs[name], v)
	fmt.Printf("  %s %.2f", name, v)
}

func (f *figures) summary() {
	fmt.Println("median (min–max) over runs:")
	for _, n := range f.names {
		xs := slices.Clone(f.runs[n])
		slices.Sort(xs)
		fmt.Printf("  %-16s %9.2f  (%.2f–%.2f, %d runs)\n", n, xs[len(xs)/2], xs[0], xs[len(xs)-1], len(xs))
	}
}

func measure(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("measure", flag.ExitOnError)
	bin := fs.String("bin", "", "icbot binary")
	db := fs.String("db", "", "database built by icbot-scale build")
	runs := fs.Int("runs", 5, "runs of each measurement")
	late := fs.Int("late", 200, "reminders whose lateness is measured in each run")
	step := fs.Duration("step", 20*time.Millisecond, "time between two of them")
	after := fs.Duration("after", 3*time.Second, "time from the run's beginning to the first of them; longer than icbot takes to start")
	zone := fs.String("zone", "UTC", "the production's time zone icbot runs with; another than the file was built with makes every start derive every scene's reminders again")
	fs.Parse(args)
	if *bin == "" || *db == "" {
		return errors.New("measure: -bin and -db are required")
	}
	var f figures
	for r := 1; r <= *runs; r++ {
		fmt.Printf("run %d start:", r)
		if err := startRun(&f, *bin, *db, *zone); err != nil {
			return err
		}
		fmt.Println()
		if *late > 0 {
			fmt.Printf("run %d lateness:", r)
			if err := diskFloor(&f, filepath.Dir(*db), *late, *step); err != nil {
				return err
			}
			if err := latenessRun(ctx, &f, *bin, *db, *zone, r, *late, *step, *after); err != nil {
				return err
			}
			fmt.Println()
		}
	}
	f.summary()
	return nil
}

func startRun(f *figures, bin, db, zone string) error {
	p, err := run(bin, db, zone)
	if err != nil {
		return err
	}
	answered, err := p.answer()
	if err != nil {
		p.end()
		return err
	}
	rss, hwm, err := p.memory()
	if err != nil {
		p.end()
		return err
	}
	exited, peak, err := p.end()
	if err != nil {
		return err
	}
	f.add("answer-ms", ms(answered.Sub(p.start)))
	f.add("rss-MB", rss)
	f.add("hwm-MB", hwm)
	f.add("exit-ms", ms(exited.Sub(p.start)))
	f.add("peak-MB", peak)
	return nil
}

func latenessRun(ctx context.Context, f *figures, bin, db, zone string, round, n int, step, after time.Duration) error {
	st, err := openStore(db)
	if err != nil {
		return err
	}
	b := bot.New(st, nochat{}, botOptions()...)
	firstDue := time.Now().Add(after)
	if n > pool {
		return fmt.Errorf("at most %d reminders a run, one for each performer", pool)
	}
	due := map[bot.SceneID]time.Time{}
	dueFor := map[bot.UserID]time.Time{}
	var ids []bot.SceneID
	err = st.Update(ctx, func(tx bot.Tx) error {
		for i := range n {
			id := bot.SceneID(fmt.Sprintf("%d", 100000+round*10000+i))
			at := firstDue.Add(time.Duration(i) * step)
			// The 24-hour warning falls due at at: the deadline is a day
			// later, the call the rider notice after that. The earlier
			// warnings have passed and are not scheduled.
			sc := bot.Scene{ID: id, Title: "Lateness", Call: at.Add(72 * time.Hour), Status: bot.StatusDraft, Version: 1,
				Performers: []bot.UserID{performer(i)}, Created: firstDue, Updated: firstDue}
			if err := tx.PutScene(sc); err != nil {
				return err
			}
			ids, due[id], dueFor[performer(i)] = append(ids, id), at, at
		}
		return nil
	})
	if err == nil {
		err = b.DeriveReminders(ctx, ids...)
	}
	if cerr := st.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	defer removeScenes(ctx, db, ids)

	p, err := run(bin, db, zone)
	if err != nil {
		return err
	}
	if _, err := p.answer(); err != nil {
		p.end()
		return err
	}
	// A warning goes to the IC first, naming the performer, then to the
	// producer, naming the scene.
	var first, last []time.Duration
	deadline := time.After(after + time.Duration(n)*step + 5*time.Minute)
	for len(last) < n {
		select {
		case l, ok := <-p.lines:
			if !ok {
				return errors.New("icbot exited before sending every reminder")
			}
			if rest, ok := strings.CutPrefix(l.text, "  [DM to @ines] Rider deadline in "); ok {
				_, who, _ := strings.Cut(rest, ": @")
				who, _, _ = strings.Cut(who, ":")
				if at, ok := dueFor[bot.UserID(who)]; ok {
					first = append(first, l.at.Sub(at))
					delete(dueFor, bot.UserID(who))
				}
			}
			if id, ok := strings.CutPrefix(l.text, "  [DM to @priya] Scene "); ok {
				id, _, _ = strings.Cut(id, ":")
				id, _, _ = strings.Cut(id, " ") // before the title
				if at, ok := due[bot.SceneID(id)]; ok {
					last = append(last, l.at.Sub(at))
					delete(due, bot.SceneID(id))
				}
			}
		case <-deadline:
			p.end()
			return fmt.Errorf("only %d of %d reminders sent", len(last), n)
		}
	}
	_, hwm, err := p.memory()
	if err != nil {
		p.end()
		return err
	}
	if _, _, err := p.end(); err != nil {
		return err
	}
	if len(first) != n {
		return fmt.Errorf("%d of %d warnings reached the IC", len(first), n)
	}
	slices.Sort(first)
	slices.Sort(last)
	f.add("late-p50-ms", ms(first[n/2]))
	f.add("late-p99-ms", ms(first[n*99/100]))
	f.add("late-max-ms", ms(first[n-1]))
	f.add("last-p99-ms", ms(last[n*99/100]))
	f.add("late-hwm-MB", hwm)
	return nil
}

// diskFloor is the least a reminder can be late on this disk: a reminder
// is marked sent, and its messages queued, in a transaction that is on
// disk before anything is sent, and bbolt's commit syncs twice (the pages,
// then the meta page). It times n such pairs of syncs in dir, step apart
// as the reminders are, just before the lateness run.
func diskFloor(f *figures, dir string, n int, step time.Duration) error {
	file, err := os.CreateTemp(dir, "disk-floor-*")
	if err != nil {
		return err
	}
	defer os.Remove(file.Name())
	defer file.Close()
	page := make([]byte, 4096)
	var took []time.Duration
	for i := range n {
		began := time.Now()
		if _, err := file.WriteAt(page, int64(1+i%64)*4096); err != nil {
			return err
		}
		if err := syscall.Fdatasync(int(file.Fd())); err != nil {
			return err
		}
		if _, err := file.WriteAt(page, 0); err != nil {
			return err
		}
		if err := syscall.Fdatasync(int(file.Fd())); err != nil {
			return err
		}
		took = append(took, time.Since(began))
		time.Sleep(step)
	}
	slices.Sort(took)
	f.add("disk-p50-ms", ms(took[n/2]))
	f.add("disk-p99-ms", ms(took[n*99/100]))
	return nil
}

// removeScenes removes the lateness scenes, cancelling what is left of
// their reminders, so that the file is as built for the next run.
func removeScenes(ctx context.Context, db string, ids []bot.SceneID) {
	st, err := openStore(db)
	if err != nil {
		fmt.Fprintln(os.Stderr, "icbot-scale: removing the lateness scenes:", err)
		return
	}
	defer st.Close()
	err = st.Update(ctx, func(tx bot.Tx) error {
		for _, id := range ids {
			if err := tx.DeleteScene(id); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		err = bot.New(st, nochat{}, botOptions()...).DeriveReminders(ctx, ids...)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "icbot-scale: removing the lateness scenes:", err)
	}
}
