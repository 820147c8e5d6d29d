package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// long runs the long versions of the crash test and the soak; so does
// ICBOT_TEST_LONG=1.
var long = flag.Bool("long", false, "run the long versions of the crash test (50 kills) and the soak (one hour)")

func longRun() bool { return *long || os.Getenv("ICBOT_TEST_LONG") == "1" }

// built is the real icbot, built once per test run (TestMain removes it).
var built struct {
	once      sync.Once
	dir, path string
	err       error
}

// icbotBinary builds ./cmd/icbot with go build, once per test run, and
// returns its path: the crash test and the soak run the binary as it is
// shipped, not the test binary (which may carry the race detector).
func icbotBinary(t testing.TB) string {
	t.Helper()
	built.once.Do(func() {
		built.dir, built.err = os.MkdirTemp("", "icbot-bin-")
		if built.err != nil {
			return
		}
		built.path = filepath.Join(built.dir, "icbot")
		out, err := exec.Command("go", "build", "-o", built.path, ".").CombinedOutput()
		if err != nil {
			built.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	return built.path
}

func removeBinary() {
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
}

// proc is an icbot process serving a chat platform over HTTP.
type proc struct {
	cmd           *exec.Cmd
	public, admin string // host:port of http.addr and http.admin_addr
	exited        chan struct{}
	mu            sync.Mutex
	log           []string // stderr, whole lines
}

var listeningRe = regexp.MustCompile(`msg=listening .*?listener=(\S+) addr=(\S+)`)

// icbotEnv is the environment of an icbot process: the caller's, less
// any ICBOT_ variables of the developer's, plus vars.
func icbotEnv(vars map[string]string) []string {
	env := slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, "ICBOT_") })
	for k, v := range vars {
		env = append(env, k+"="+v)
	}
	return env
}

// startProc starts bin with vars as its ICBOT_ environment and waits
// until both listeners are up. The process is killed at the end of the
// test if it is still running.
func startProc(t testing.TB, bin string, vars map[string]string) *proc {
	t.Helper()
	p, err := launch(t, bin, vars)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// launch is startProc for goroutines other than the test's: it returns
// an error (the process killed) instead of failing the test.
func launch(t testing.TB, bin string, vars map[string]string) (*proc, error) {
	p := &proc{cmd: exec.Command(bin), exited: make(chan struct{})}
	p.cmd.Env = icbotEnv(vars)
	stderr, err := p.cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := p.cmd.Start(); err != nil {
		return nil, err
	}
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		<-p.exited
	})
	listening := make(chan [2]string, 2)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			if m := listeningRe.FindStringSubmatch(line); m != nil {
				listening <- [2]string{m[1], m[2]}
			}
			p.mu.Lock()
			p.log = append(p.log, line)
			p.mu.Unlock()
		}
		p.cmd.Wait()
		close(p.exited)
	}()
	deadline := time.After(60 * time.Second)
	for p.public == "" || p.admin == "" {
		select {
		case l := <-listening:
			if l[0] == "http.admin_addr" {
				p.admin = l[1]
			} else {
				p.public = l[1]
			}
		case <-p.exited:
			return nil, fmt.Errorf("icbot exited before listening:\n%s", p.logText())
		case <-deadline:
			p.cmd.Process.Kill()
			<-p.exited
			return nil, fmt.Errorf("icbot did not start listening within 60s:\n%s", p.logText())
		}
	}
	return p, nil
}

func (p *proc) base() string { return "http://" + p.public }

func (p *proc) logText() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.log, "\n")
}

// logLines returns the stderr lines that contain s.
func (p *proc) logLines(s string) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for _, l := range p.log {
		if strings.Contains(l, s) {
			out = append(out, l)
		}
	}
	return out
}

// kill sends SIGKILL and waits for the process to be gone; it fails the
// test unless SIGKILL is what ended it.
func (p *proc) kill(t testing.TB) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Errorf("SIGKILL: %v (icbot already exited?):\n%s", err, p.logText())
	}
	<-p.exited
	ws, ok := p.cmd.ProcessState.Sys().(syscall.WaitStatus)
	if !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Errorf("icbot ended with %v, want killed by SIGKILL:\n%s", p.cmd.ProcessState, p.logText())
	}
}

// term sends SIGTERM and waits for a clean exit.
func (p *proc) term(t testing.TB) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Errorf("SIGTERM: %v", err)
		return
	}
	select {
	case <-p.exited:
	case <-time.After(time.Minute):
		p.cmd.Process.Kill()
		<-p.exited
		t.Errorf("icbot did not exit within a minute of SIGTERM (killed):\n%s", p.logText())
		return
	}
	if code := p.cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("icbot exited with %d after SIGTERM:\n%s", code, p.logText())
	}
}

// metric reads one unlabelled sample from /metrics.
func (p *proc) metric(name string) (float64, error) {
	resp, err := http.Get("http://" + p.admin + "/metrics")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	for _, l := range strings.Split(string(body), "\n") {
		if v, ok := strings.CutPrefix(l, name+" "); ok {
			return strconv.ParseFloat(v, 64)
		}
	}
	return 0, fmt.Errorf("no %s in /metrics", name)
}

// memory is what /proc/PID/status says of a process's resident memory, in
// KiB: VmRSS, and its anonymous (heap, stacks) and file-backed parts
// (the database's mapped pages, the binary).
type memory struct{ rss, anon, file float64 }

func (p *proc) memory() (memory, error) {
	status, err := os.ReadFile("/proc/" + strconv.Itoa(p.cmd.Process.Pid) + "/status")
	if err != nil {
		return memory{}, err
	}
	var m memory
	found := 0
	for _, l := range strings.Split(string(status), "\n") {
		f := strings.Fields(l)
		if len(f) != 3 {
			continue
		}
		var dst *float64
		switch f[0] {
		case "VmRSS:":
			dst = &m.rss
		case "RssAnon:":
			dst = &m.anon
		case "RssFile:":
			dst = &m.file
		default:
			continue
		}
		if *dst, err = strconv.ParseFloat(f[1], 64); err != nil {
			return memory{}, err
		}
		found++
	}
	if found != 3 {
		return memory{}, errors.New("no VmRSS, RssAnon and RssFile in /proc status")
	}
	return m, nil
}

// runAuditVerify runs `icbot audit verify` on db (its key file beside it)
// and returns its output and whether it passed.
func runAuditVerify(bin, db string) (string, bool) {
	cmd := exec.Command(bin, "audit", "verify", "--db", db)
	cmd.Env = icbotEnv(nil)
	out, err := cmd.CombinedOutput()
	return string(out), err == nil
}
