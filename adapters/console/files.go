package console

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"icbot/bot"
)

var _ bot.FileSender = (*Adapter)(nil)

// WithReports sets the folder where files sent to people are written
// (beside the database, by icbot): each person's in a folder of their
// own, readable by the operator alone.
func WithReports(dir string) Option { return func(a *Adapter) { a.reports = dir } }

// SendFile writes the file into the person's folder under the reports
// folder, as a new file (mode 0600; an earlier one of the same name is
// kept, and the new one numbered), and prints a DM that gives its path.
func (a *Adapter) SendFile(ctx context.Context, to bot.UserID, f bot.File, m bot.Message) error {
	if a.reports == "" {
		return bot.Errorf(bot.EUNAVAILABLE, "the console has no folder for files")
	}
	dir := filepath.Join(a.reports, safeName(string(to)))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return bot.Errorf(bot.EUNAVAILABLE, "the console cannot make the folder %s: %v", dir, err)
	}
	path, err := writeNew(dir, safeName(f.Name), f.Data)
	if err != nil {
		return bot.Errorf(bot.EUNAVAILABLE, "the console cannot write the file in %s: %v", dir, err)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.print("DM to @"+string(to), m.Text+"\nfile: "+path)
	return nil
}

// writeNew writes data to a new file named name in dir, or name-2,
// name-3 ... when taken, and returns its path.
func writeNew(dir, name string, data []byte) (string, error) {
	ext := filepath.Ext(name)
	base := strings.TrimSuffix(name, ext)
	for n := 1; n <= 1000; n++ {
		path := filepath.Join(dir, name)
		if n > 1 {
			path = filepath.Join(dir, fmt.Sprintf("%s-%d%s", base, n, ext))
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", err
		}
		_, err = f.Write(data)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(path)
			return "", err
		}
		return path, nil
	}
	return "", fmt.Errorf("%s: a thousand files of that name already", name)
}

// safeName keeps a name to letters, digits, '.', '-' and '_', so that it
// names one file in its folder and nothing else.
func safeName(s string) string {
	out := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
			return r
		}
		return '_'
	}, s)
	if strings.Trim(out, ".") == "" {
		return "_" + out
	}
	return out
}
